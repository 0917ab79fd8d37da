from django.urls import path, re_path

from ventanilla.channels import case_views, message_views, portal, portal_cases, views

app_name = "console"

urlpatterns = [
    path("", views.home, name="home"),
    path("portal/", views.portal, name="portal"),
    path("portal/sign-in/", portal.sign_in, name="portal-sign-in"),
    path("portal/sign-in/<str:secret>/", portal.sign_in_link, name="portal-sign-in-link"),
    path("portal/sign-out/", portal.sign_out, name="portal-sign-out"),
    path("portal/me/", portal.me, name="portal-me"),
    path("portal/me/disclosures/", portal.disclosures, name="portal-disclosures"),
    path("portal/me/consents/new/", portal.consent_new, name="portal-consent-new"),
    path(
        "portal/me/consents/<uuid:consent_id>/withdraw/",
        portal.consent_withdraw,
        name="portal-consent-withdraw",
    ),
    path("portal/me/cases/", portal_cases.cases, name="portal-cases"),
    path("portal/me/cases/<str:reference>/", portal_cases.case, name="portal-case"),
    path(
        "portal/me/cases/<str:reference>/message/",
        portal_cases.case_message,
        name="portal-case-message",
    ),
    path(
        "portal/me/cases/<str:reference>/cancel/",
        portal_cases.case_cancel,
        name="portal-case-cancel",
    ),
    path(
        "portal/me/cases/<str:reference>/satisfaction/",
        portal_cases.satisfaction,
        name="portal-satisfaction",
    ),
    path(
        "portal/me/life-events/<uuid:request_id>/",
        portal_cases.life_event_request,
        name="portal-life-event-request",
    ),
    path("portal/services/", portal_cases.services, name="portal-services"),
    path(
        "portal/services/<slug:code>/request/",
        portal_cases.service_request,
        name="portal-service-request",
    ),
    path("portal/life-events/<slug:code>/", portal_cases.life_event, name="portal-life-event"),
    re_path(r"^portal/me/my-data\.(?P<fmt>json|html|zip)$", portal.export, name="portal-export"),
    path("console/", views.search, name="search"),
    path("console/parties/<uuid:party_id>/", views.party_360, name="party"),
    path("console/parties/<uuid:party_id>/sharing/", views.sharing, name="sharing"),
    path("console/parties/<uuid:party_id>/edit/", views.party_edit, name="party-edit"),
    path("console/parties/<uuid:party_id>/consents/new/", views.consent_new, name="consent-new"),
    path("console/cases/", case_views.case_queue, name="cases"),
    path("console/cases/assign/", case_views.case_bulk_assign, name="cases-assign"),
    path("console/cases/<str:reference>/", case_views.case_page, name="case"),
    path("console/cases/<str:reference>/step/", case_views.case_step, name="case-step"),
    path("console/cases/<str:reference>/notes/", case_views.case_note, name="case-note"),
    path(
        "console/cases/<str:reference>/documents/",
        case_views.case_document,
        name="case-document",
    ),
    path("console/cases/<str:reference>/assign/", case_views.case_assign_one, name="case-assign"),
    path(
        "console/cases/<str:reference>/transfer/",
        case_views.case_transfer_view,
        name="case-transfer",
    ),
    path("console/cases/<str:reference>/tasks/", case_views.case_task_new, name="case-task"),
    path(
        "console/cases/<str:reference>/tasks/<uuid:task_id>/finish/",
        case_views.case_task_finish,
        name="case-task-finish",
    ),
    path(
        "console/cases/<str:reference>/duplicate/",
        case_views.case_duplicate,
        name="case-duplicate",
    ),
    path("console/audit/", views.audit_log, name="audit"),
    path("console/messages/", message_views.message_list, name="messages"),
    path("console/messages/<uuid:template_id>/", message_views.message_edit, name="message"),
    path(
        "console/messages/undelivered/",
        message_views.message_undelivered,
        name="messages-undelivered",
    ),
    path(
        "console/messages/undelivered/<uuid:notification_id>/resend/",
        message_views.message_resend,
        name="message-resend",
    ),
    path("console/retention/", views.retention, name="retention"),
    path(
        "console/consents/<uuid:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent-withdraw",
    ),
]
