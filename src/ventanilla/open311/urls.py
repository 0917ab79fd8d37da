"""GeoReport v2 at /open311/v2/: every endpoint in ``.json`` and ``.xml``."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import re_path

from ventanilla.open311 import views

app_name = "open311"

FMT = r"\.(?P<fmt>json|xml)"


def root(request: HttpRequest) -> HttpResponse:
    return redirect("open311:discovery", fmt="json")


urlpatterns = [
    re_path(r"^$", root, name="root"),
    re_path(rf"^discovery{FMT}$", views.discovery, name="discovery"),
    re_path(rf"^services{FMT}$", views.services, name="services"),
    re_path(rf"^services/(?P<code>[-\w]+){FMT}$", views.service_definition, name="service"),
    re_path(rf"^requests{FMT}$", views.requests_, name="requests"),
    re_path(rf"^requests/(?P<reference>[-\w]+){FMT}$", views.request_detail, name="request"),
    re_path(rf"^tokens/(?P<token>[-\w:]+){FMT}$", views.token, name="token"),
    # Last: any other address, in the format it names when it names one.
    re_path(rf"^(?:.*{FMT}|.*)$", views.unknown, name="unknown"),
]
