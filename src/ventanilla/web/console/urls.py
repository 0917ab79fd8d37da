"""The staff console, under /console/."""

from django.urls import path

from ventanilla.web.console import (
    appointment_views,
    call_back_views,
    case_views,
    desk_views,
    mail_views,
    match_views,
    merge_views,
    message_views,
    trust_views,
    views,
)

app_name = "console"

urlpatterns = [
    path("", views.search, name="search"),
    path("home/", views.home, name="home"),
    path("desk/", appointment_views.desk, name="desk"),
    path("desk/actions/", appointment_views.desk_action, name="desk-action"),
    path("parties/new/", desk_views.party_new, name="party-new"),
    path("parties/<uuid:party_id>/", views.party_360, name="party"),
    path("parties/<uuid:party_id>/contacts/new/", desk_views.contact_new, name="contact-new"),
    path("parties/<uuid:party_id>/knowledge/", desk_views.party_knowledge, name="party-knowledge"),
    path("parties/<uuid:party_id>/cases/new/", desk_views.case_new, name="case-new"),
    path(
        "parties/<uuid:party_id>/appointments/new/",
        appointment_views.appointment_new,
        name="appointment-new",
    ),
    path("parties/<uuid:party_id>/sharing/", views.sharing, name="sharing"),
    path("parties/<uuid:party_id>/edit/", views.party_edit, name="party-edit"),
    path("parties/<uuid:party_id>/consents/new/", views.consent_new, name="consent-new"),
    path("parties/<uuid:party_id>/merge/", merge_views.party_merge_page, name="party-merge"),
    path("parties/<uuid:party_id>/unmerge/", merge_views.party_unmerge_page, name="party-unmerge"),
    path("matches/", match_views.match_queue, name="matches"),
    path("matches/<uuid:review_id>/", match_views.match_review, name="match"),
    path("trust/", trust_views.trust_order, name="trust"),
    path("cases/", case_views.case_queue, name="cases"),
    path("call-backs/", call_back_views.call_back_list, name="call-backs"),
    path("mail/", mail_views.mail_list, name="mail"),
    path("mail/<uuid:message_id>/raw/", mail_views.mail_raw, name="mail-raw"),
    path("mail/<uuid:message_id>/done/", mail_views.mail_done, name="mail-done"),
    path(
        "call-backs/<uuid:interaction_id>/",
        call_back_views.call_back_result,
        name="call-back-result",
    ),
    path("inbox/", case_views.inbox_page, name="inbox"),
    path("cases/assign/", case_views.case_bulk_assign, name="cases-assign"),
    path("cases/new/", desk_views.case_new_for_whom, name="cases-new"),
    path("cases/<str:reference>/", case_views.case_page, name="case"),
    path("cases/<str:reference>/step/", case_views.case_step, name="case-step"),
    path("cases/<str:reference>/notes/", case_views.case_note, name="case-note"),
    path(
        "cases/<str:reference>/documents/",
        case_views.case_document,
        name="case-document",
    ),
    path("cases/<str:reference>/assign/", case_views.case_assign_one, name="case-assign"),
    path(
        "cases/<str:reference>/transfer/",
        case_views.case_transfer_view,
        name="case-transfer",
    ),
    path("cases/<str:reference>/service/", case_views.case_service_view, name="case-service"),
    path("cases/<str:reference>/tasks/", case_views.case_task_new, name="case-task"),
    path(
        "cases/<str:reference>/tasks/<uuid:task_id>/finish/",
        case_views.case_task_finish,
        name="case-task-finish",
    ),
    path(
        "cases/<str:reference>/duplicate/",
        case_views.case_duplicate,
        name="case-duplicate",
    ),
    path("audit/", views.audit_log, name="audit"),
    path("messages/", message_views.message_list, name="messages"),
    path("messages/<uuid:template_id>/", message_views.message_edit, name="message"),
    path(
        "messages/undelivered/",
        message_views.message_undelivered,
        name="messages-undelivered",
    ),
    path(
        "messages/undelivered/<uuid:notification_id>/resend/",
        message_views.message_resend,
        name="message-resend",
    ),
    path("retention/", views.retention, name="retention"),
    path(
        "consents/<uuid:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent-withdraw",
    ),
]
