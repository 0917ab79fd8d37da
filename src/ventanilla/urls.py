"""Top-level URLs: the root, staff console, citizen portal, staff sign-in, API, admin, and the
language switch."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views import defaults

from ventanilla.api import problems
from ventanilla.api.urls import api
from ventanilla.core import contention
from ventanilla.web.accounts.language import language_set
from ventanilla.web.accounts.views import home
from ventanilla.web.portal.satisfaction_views import short_link

urlpatterns = [
    path("", home, name="home"),
    path("console/", include("ventanilla.web.console.urls")),
    path("portal/", include("ventanilla.web.portal.urls")),
    path("kiosk/", include("ventanilla.web.kiosk.urls")),
    path("accounts/", include("ventanilla.web.accounts.urls")),
    # Django's language switch, remembering a member of staff's choice.
    path("i18n/setlang/", language_set, name="set_language"),
    path("api/v1/", api.urls),
    path("open311/v2/", include("ventanilla.open311.urls")),
    path("admin/", admin.site.urls),
    # The short link of a satisfaction question, as a text message carries it.
    path("s/<str:code>", short_link, name="short-link"),
]


def server_error(request: HttpRequest) -> HttpResponse:
    """The database being busy after a view has answered (saving the session, say) is a 503 as
    it is inside one: problem+json for the API, the busy page for people; anything else is the
    server error it is."""
    if contention.contention_in_flight():
        if request.path.startswith("/api/"):
            return problems.busy(request)
        return contention.busy_page(request)
    return defaults.server_error(request)


handler500 = server_error
