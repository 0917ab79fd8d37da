from django.urls import path, re_path

from ventanilla.channels import portal, views

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("portal/", views.portal, name="portal"),
    path("portal/sign-in/", portal.sign_in, name="portal-sign-in"),
    path("portal/sign-in/<str:secret>/", portal.sign_in_link, name="portal-sign-in-link"),
    path("portal/sign-out/", portal.sign_out, name="portal-sign-out"),
    path("portal/me/", portal.me, name="portal-me"),
    path("portal/me/disclosures/", portal.disclosures, name="portal-disclosures"),
    path(
        "portal/me/consents/<uuid:consent_id>/withdraw/",
        portal.consent_withdraw,
        name="portal-consent-withdraw",
    ),
    re_path(r"^portal/me/my-data\.(?P<fmt>json|html)$", portal.export, name="portal-export"),
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
