"""A change of what citizens are told is one transaction with its audit entry, which says who
changed which message and what it says now."""

from __future__ import annotations

from typing import Any

import pytest

from ventanilla.access.actors import Actor, actor_for_user
from ventanilla.audit.actions import Action
from ventanilla.audit.models import AuditEntry
from ventanilla.notifications import templates as message_templates
from ventanilla.notifications.models import NotificationTemplate
from ventanilla.notifications.templates import template_update

pytestmark = pytest.mark.django_db

BODY = "Su solicitud {reference} ha sido aceptada. {link}"


@pytest.fixture
def supervisor(make_staff: Any) -> Actor:
    return actor_for_user(make_staff("jefa", "ayto", "supervisor"))


def accepted_es() -> NotificationTemplate:
    return NotificationTemplate.objects.get(event="accepted", language="es", medium="email")


def test_a_changed_message_leaves_an_entry_with_what_it_says_now(supervisor: Actor) -> None:
    template = accepted_es()

    template_update(
        actor=supervisor, template_id=template.pk, subject="Aceptada", body=BODY, active=True
    )

    [entry] = AuditEntry.objects.filter(action=Action.MESSAGE_TEMPLATE_CHANGE)
    assert (entry.actor, entry.object_id) == ("jefa", str(template.pk))
    assert entry.detail["body"] == BODY
    assert (entry.detail["event"], entry.detail["language"]) == ("accepted", "es")


def test_a_message_is_not_changed_when_its_entry_cannot_be_written(
    supervisor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = accepted_es()
    before = template.body

    def failing_record(**_kwargs: Any) -> None:
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(message_templates, "audit_record", failing_record)
    with pytest.raises(RuntimeError):
        template_update(
            actor=supervisor, template_id=template.pk, subject="Aceptada", body=BODY, active=True
        )

    assert accepted_es().body == before
