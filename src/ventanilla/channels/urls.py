from django.urls import path

from ventanilla.channels import views

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("portal/", views.portal, name="portal"),
    path("console/", views.search, name="search"),
    path("console/parties/<uuid:party_id>/", views.party_360, name="party"),
    path("console/parties/<uuid:party_id>/sharing/", views.sharing, name="sharing"),
    path("console/parties/<uuid:party_id>/edit/", views.party_edit, name="party-edit"),
    path("console/parties/<uuid:party_id>/consents/new/", views.consent_new, name="consent-new"),
    path("console/audit/", views.audit_log, name="audit"),
    path("console/retention/", views.retention, name="retention"),
    path(
        "console/consents/<uuid:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent-withdraw",
    ),
]
