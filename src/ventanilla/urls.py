"""Top-level URLs: staff console, citizen portal, API, admin, and the language switch."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from ventanilla.api.urls import api
from ventanilla.channels import signin

urlpatterns = [
    path("", include("ventanilla.channels.urls")),
    path("accounts/login/", signin.StaffLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/second-factor/", signin.second_factor, name="second-factor"),
    path("accounts/second-factor/enrol/", signin.second_factor_enrol, name="second-factor-enrol"),
    path(
        "accounts/second-factor/recovery-codes/",
        signin.recovery_codes,
        name="second-factor-recovery-codes",
    ),
    path("accounts/password/", signin.password_change, name="password-change"),
    path("accounts/password/done/", signin.password_change_done, name="password-change-done"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
