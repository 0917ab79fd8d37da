"""Staff sign-in, under /accounts/."""

from django.contrib.auth import views as auth_views
from django.urls import path

from ventanilla.web.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("second-factor/", views.second_factor, name="second-factor"),
    path("second-factor/enrol/", views.second_factor_enrol, name="second-factor-enrol"),
    path(
        "second-factor/recovery-codes/",
        views.recovery_codes,
        name="second-factor-recovery-codes",
    ),
    path("password/", views.password_change, name="password-change"),
    path("password/done/", views.password_change_done, name="password-change-done"),
]
