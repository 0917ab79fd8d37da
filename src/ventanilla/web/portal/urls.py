"""The citizen portal, under /portal/."""

from django.urls import path, re_path

from ventanilla.web.portal import (
    appointment_views,
    budget_views,
    case_views,
    debate_views,
    eid,
    notice_views,
    proposal_views,
    satisfaction_views,
    survey_views,
    views,
)

app_name = "portal"

urlpatterns = [
    path("", case_views.home, name="home"),
    path("sign-in/", views.sign_in, name="sign-in"),
    # Before the emailed link's pattern, which would take "eid" for a secret.
    path("sign-in/eid/", eid.eid_start, name="sign-in-eid"),
    path("sign-in/eid/return/", eid.eid_return, name="sign-in-eid-return"),
    path("sign-in/<str:secret>/", views.sign_in_link, name="sign-in-link"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path(
        "satisfaction/<str:token>/",
        satisfaction_views.satisfaction_link,
        name="satisfaction-link",
    ),
    path("me/", views.me, name="me"),
    path("me/disclosures/", views.disclosures, name="disclosures"),
    path("me/consents/new/", views.consent_new, name="consent-new"),
    path(
        "me/consents/<uuid:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent-withdraw",
    ),
    path("me/appointments/", appointment_views.appointments, name="appointments"),
    path("me/appointments/new/", appointment_views.appointment_new, name="appointment-new"),
    path(
        "me/appointments/<str:reference>/",
        appointment_views.appointment,
        name="appointment",
    ),
    path(
        "me/appointments/<str:reference>/move/",
        appointment_views.appointment_move_view,
        name="appointment-move",
    ),
    path(
        "me/appointments/<str:reference>/cancel/",
        appointment_views.appointment_cancel_view,
        name="appointment-cancel",
    ),
    path("me/cases/", case_views.cases, name="cases"),
    path("me/cases/<str:reference>/", case_views.case, name="case"),
    path("me/cases/<str:reference>/message/", case_views.case_message, name="case-message"),
    path("me/cases/<str:reference>/cancel/", case_views.case_cancel, name="case-cancel"),
    path(
        "me/cases/<str:reference>/satisfaction/",
        case_views.satisfaction,
        name="satisfaction",
    ),
    path(
        "me/life-events/<uuid:request_id>/",
        case_views.life_event_request,
        name="life-event-request",
    ),
    path("search/", case_views.search, name="search"),
    path("notices/", notice_views.notices, name="notices"),
    path("notices/feed.atom", notice_views.notices_feed, name="notices-feed"),
    path("notices/subscribe/", notice_views.subscribe, name="notices-subscribe"),
    path(
        "notices/subscriptions/<uuid:subscription_id>/cancel/",
        notice_views.unsubscribe_mine,
        name="notices-unsubscribe-mine",
    ),
    path(
        "notices/subscriptions/confirm/<str:token>/",
        notice_views.confirm,
        name="notices-confirm",
    ),
    path("notices/unsubscribe/<str:token>/", notice_views.unsubscribe, name="notices-unsubscribe"),
    path("notices/<uuid:notice_id>/", notice_views.notice, name="notice"),
    path("surveys/", survey_views.surveys, name="surveys"),
    path("surveys/<uuid:survey_id>/", survey_views.survey, name="survey"),
    path("surveys/<uuid:survey_id>/thanks/", survey_views.survey_thanks, name="survey-thanks"),
    path("debates/", debate_views.debates, name="debates"),
    path("debates/<uuid:debate_id>/", debate_views.debate, name="debate"),
    path("comments/", debate_views.comment_new, name="comment-new"),
    path(
        "comments/<uuid:comment_id>/report/",
        debate_views.comment_report_view,
        name="comment-report",
    ),
    path(
        "comments/<uuid:comment_id>/appeal/",
        debate_views.comment_appeal_view,
        name="comment-appeal",
    ),
    path("budgets/", budget_views.budgets, name="budgets"),
    path("budgets/<uuid:budget_id>/", budget_views.budget, name="budget"),
    path("budgets/<uuid:budget_id>/vote/", budget_views.vote, name="budget-vote"),
    path("budgets/<uuid:budget_id>/thanks/", budget_views.thanks, name="budget-thanks"),
    path("budgets/<uuid:budget_id>/results/", budget_views.results, name="budget-results"),
    path("budgets/<uuid:budget_id>/ballots.csv", budget_views.ballots, name="budget-ballots"),
    path(
        "budgets/<uuid:budget_id>/support/<uuid:project_id>/",
        budget_views.support,
        name="budget-support",
    ),
    path("proposals/", proposal_views.proposals, name="proposals"),
    path("proposals/new/", proposal_views.proposal_new, name="proposal-new"),
    path("proposals/<uuid:proposal_id>/", proposal_views.proposal, name="proposal"),
    path(
        "proposals/<uuid:proposal_id>/withdraw/",
        proposal_views.proposal_withdraw_view,
        name="proposal-withdraw",
    ),
    path(
        "proposals/<uuid:proposal_id>/support/",
        proposal_views.proposal_support_view,
        name="proposal-support",
    ),
    path("services/", case_views.services, name="services"),
    path("services/<slug:code>/request/", case_views.service_request, name="service-request"),
    path("life-events/<slug:code>/", case_views.life_event, name="life-event"),
    re_path(r"^me/my-data\.(?P<fmt>json|html|zip)$", views.export, name="export"),
]
