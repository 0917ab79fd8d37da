"""Top-level URLs: staff console, citizen portal, API, admin, and the language switch."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views import defaults

from ventanilla.api import problems
from ventanilla.api.urls import api
from ventanilla.channels import signin
from ventanilla.core import contention

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


def server_error(request: HttpRequest) -> HttpResponse:
    """The database being busy after a view has answered (saving the session, say) is a 503 as
    it is inside one: problem+json for the API, the busy page for people; anything else is the
    server error it is."""
    if contention.contention_in_flight():
        if request.path.startswith("/api/"):
            return problems.busy(api, request)
        return contention.busy_page(request)
    return defaults.server_error(request)


handler500 = server_error
