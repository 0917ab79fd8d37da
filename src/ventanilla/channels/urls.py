from django.urls import path

from ventanilla.channels import views

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("console/search/", views.search, name="search"),
    path("console/parties/<uuid:party_id>/", views.party_360, name="party"),
    path("api/v1/docs-static/", views.home, name="unused"),
]
