"""Top-level URLs: staff console, citizen portal, API, admin, and the language switch."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from ventanilla.api.urls import api

urlpatterns = [
    path("", include("ventanilla.channels.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
