"""The admin saves and deletes routing rules, message templates and retention rules through the
same services as the console: their checks apply there too, and each change leaves the service's
own audit entry, by the administrator."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from tests.conftest import PASSWORD, sign_in
from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.audit.actions import Action
from ventanilla.audit.models import AuditEntry
from ventanilla.cases.models import RoutingRule
from ventanilla.cases.notifications import notify_case
from ventanilla.cases.services import case_open
from ventanilla.catalog.models import PublicService
from ventanilla.notifications.models import NotificationTemplate
from ventanilla.parties.services import ContactPointInput
from ventanilla.retention.models import RetentionRule

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(town: Any) -> Client:
    get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    return sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), "root")


def entries(action: Action) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def accepted(language: str = "es", medium: str = "email") -> NotificationTemplate:
    return NotificationTemplate.objects.get(event="accepted", language=language, medium=medium)


def test_a_message_with_an_unknown_placeholder_is_refused_in_the_admin(root: Client) -> None:
    template = accepted()
    before = template.body

    response = root.post(
        f"/admin/notifications/notificationtemplate/{template.pk}/change/",
        {"subject": "Aceptada", "body": "Su solicitud {refrence} avanza", "active": "on"},
    )

    assert response.status_code == 200
    assert "Unknown placeholder: {refrence}" in response.content.decode()
    assert accepted().body == before
    assert entries(Action.MESSAGE_TEMPLATE_CHANGE) == []


def test_a_message_changed_in_the_admin_is_recorded_and_sent_at_once(
    root: Client, actor: Actor, service: PublicService, django_capture_on_commit_callbacks: Any
) -> None:
    template = accepted()
    party = make_party(actor, contact_points=[ContactPointInput("email", "ana@example.es")])
    case = case_open(actor=actor, party_id=party.pk, service_code=service.code, channel="web")
    notify_case(case=case, event="accepted")  # the process now holds the templates

    with django_capture_on_commit_callbacks(execute=True):
        response = root.post(
            f"/admin/notifications/notificationtemplate/{template.pk}/change/",
            {"subject": "Aceptada {reference}", "body": "Nueva redacción. {link}", "active": "on"},
        )

    assert response.status_code == 302, response.content.decode()[:2000]
    [changed] = entries(Action.MESSAGE_TEMPLATE_CHANGE)
    assert (changed.actor, changed.object_id) == ("root", str(template.pk))
    assert changed.detail["body"] == "Nueva redacción. {link}"
    assert entries(Action.ADMIN_CHANGE) == []
    [message] = notify_case(case=case, event="accepted")
    assert message.body.startswith("Nueva redacción.")


def test_a_message_added_and_deleted_in_the_admin_is_recorded(root: Client) -> None:
    accepted(language="en").delete()

    added = root.post(
        "/admin/notifications/notificationtemplate/add/",
        {
            "event": "accepted",
            "language": "en",
            "medium": "email",
            "subject": "Accepted {reference}",
            "body": "Your request was accepted. {link}",
            "active": "on",
        },
    )
    template = accepted(language="en")
    deleted = root.post(
        f"/admin/notifications/notificationtemplate/{template.pk}/delete/", {"post": "yes"}
    )

    assert (added.status_code, deleted.status_code) == (302, 302)
    [change] = entries(Action.MESSAGE_TEMPLATE_CHANGE)
    assert change.detail["added"] is True and change.object_id == str(template.pk)
    [removal] = entries(Action.MESSAGE_TEMPLATE_DELETE)
    assert removal.object_id == str(template.pk)
    assert not NotificationTemplate.objects.filter(pk=template.pk).exists()


def test_a_retention_rule_changed_in_the_admin_is_recorded_with_its_new_period(
    root: Client,
) -> None:
    rule, _ = RetentionRule.objects.update_or_create(
        category="address", defaults={"keep_days": 4 * 365, "enabled": True}
    )

    response = root.post(
        f"/admin/retention/retentionrule/{rule.pk}/change/",
        {
            "category": rule.category,
            "keep_days": "400",
            "legal_reference": "Ordenanza 3/2026",
            "enabled": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    [changed] = entries(Action.RETENTION_RULE_CHANGE)
    assert (changed.actor, changed.object_id) == ("root", str(rule.pk))
    assert changed.detail["values"]["keep_days"] == 400
    assert entries(Action.ADMIN_CHANGE) == []


def test_a_routing_rule_added_in_the_admin_routes_the_next_case_at_once(
    root: Client,
    actor: Actor,
    service: PublicService,
    town: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    party = make_party(actor)
    case_open(actor=actor, party_id=party.pk, service_code=service.code, channel="web")

    with django_capture_on_commit_callbacks(execute=True):
        root.post(
            "/admin/cases/routingrule/add/",
            {
                "name": "Todo al padrón",
                "position": "1",
                "active": "on",
                "party_condition": "",
                "department": str(town["padron"].pk),
                "priority": "",
            },
        )

    [added] = entries(Action.ROUTING_RULE_CHANGE)
    assert added.detail["added"] is True
    case = case_open(actor=actor, party_id=party.pk, service_code=service.code, channel="web")
    assert case.department.code == "padron"


def test_staff_without_the_routing_scope_may_not_change_rules_in_the_admin(
    town: Any, make_staff: Any
) -> None:
    # Given a member of staff let into the admin with Django's permissions, but only an agent.
    user = make_staff("agente2", "ayto", "agent")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_routingrule", "change_routingrule"])
    )
    rule = RoutingRule.objects.create(name="Obras", department=town["urbanismo"])
    client = sign_in(Client(), "agente2")

    response = client.post(
        f"/admin/cases/routingrule/{rule.pk}/change/",
        {"name": "Otra", "position": "1", "department": str(town["padron"].pk)},
    )

    assert response.status_code == 403
    rule.refresh_from_db()
    assert rule.name == "Obras"
