"""The admin is a door like the others: it shows no citizen's personal data without an audit entry
of the reading, and every change or deletion made through it leaves one, by the acting member of
staff."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client

from tests.conftest import PASSWORD, sign_in
from tests.factories import make_party
from ventanilla.access.actors import actor_for_citizen
from ventanilla.access.admin_audit import AuditedAdmin
from ventanilla.access.models import ApiKey
from ventanilla.audit.actions import Action
from ventanilla.audit.models import AuditEntry
from ventanilla.cases.models import RoutingRule
from ventanilla.notifications.models import Notification, NotificationEvent
from ventanilla.parties.models import ContactPoint, Identifier, Party
from ventanilla.privacy.selectors import disclosures_of_party

pytestmark = pytest.mark.django_db

# Every model that holds a citizen's personal data and is worked on through the console and the
# services: none of them has an admin page.
PERSONAL_MODELS = [
    "parties/party",
    "parties/identifier",
    "parties/contactpoint",
    "parties/profileattribute",
    "parties/representation",
    "parties/profilechange",
    "parties/portalsignintoken",
    "identity/sourcerecord",
    "interactions/interaction",
    "interactions/interactionattachment",
    "cases/case",
    "cases/caseevent",
    "cases/casetask",
    "cases/lifeeventrequest",
    "consent/consent",
    "sharing/sharingrequest",
]


@pytest.fixture
def root(town: Any) -> Client:
    get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    return sign_in(Client(), "root")


@pytest.fixture
def citizen(actor: Any) -> Party:
    return make_party(actor)


def dni_of(party: Party) -> str:
    return Identifier.objects.get(party=party, scheme="dni").value


def email_of(party: Party) -> str:
    return ContactPoint.objects.get(party=party, kind="email").value


def message_to(party: Party) -> Notification:
    return Notification.objects.create(
        party=party,
        event=NotificationEvent.REPLY,
        medium="email",
        recipient=email_of(party),
        language="es",
        subject="Su solicitud",
        body=f"Hola, su DNI {dni_of(party)} consta en el expediente.",
    )


def entries(action: Action) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def test_every_admin_page_records_its_changes_in_the_audit_log() -> None:
    unaudited = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, AuditedAdmin)
    ]

    assert unaudited == []


@pytest.mark.parametrize("path", PERSONAL_MODELS)
def test_the_admin_has_no_page_for_a_citizens_personal_data(root: Client, path: str) -> None:
    assert root.get(f"/admin/{path}/").status_code == 404


def test_the_admin_opens_no_party_by_its_id(root: Client, citizen: Party) -> None:
    response = root.get(f"/admin/parties/party/{citizen.pk}/change/")

    assert response.status_code == 404
    assert dni_of(citizen) not in response.content.decode()


def test_the_notification_list_shows_no_recipient_and_records_what_it_showed(
    root: Client, citizen: Party
) -> None:
    message = message_to(citizen)

    response = root.get("/admin/notifications/notification/")

    assert response.status_code == 200
    assert email_of(citizen) not in response.content.decode()
    [listed] = entries(Action.ADMIN_LIST)
    assert listed.actor == "root"
    assert listed.detail["model"] == "notifications.Notification"
    assert listed.detail["shown"] == [str(message.pk)]


def test_opening_a_notification_is_a_reading_in_the_persons_disclosure_log(
    root: Client, citizen: Party
) -> None:
    message = message_to(citizen)

    response = root.get(f"/admin/notifications/notification/{message.pk}/change/")

    assert response.status_code == 200
    assert email_of(citizen) in response.content.decode()
    [read] = entries(Action.ADMIN_READ)
    assert (read.actor, read.party_id, read.object_id) == ("root", citizen.pk, str(message.pk))


def test_the_person_sees_the_admin_reading_in_who_has_used_my_data(
    root: Client, citizen: Party
) -> None:
    message = message_to(citizen)
    root.get(f"/admin/notifications/notification/{message.pk}/change/")

    shown = disclosures_of_party(actor=actor_for_citizen(citizen)).items

    newest = shown[0]
    assert (newest.action, newest.what) == (Action.ADMIN_READ, str(Action.ADMIN_READ.label))


def test_searching_notifications_by_email_is_recorded_with_the_query(
    root: Client, citizen: Party
) -> None:
    message_to(citizen)

    root.get("/admin/notifications/notification/", {"q": email_of(citizen)})

    [listed] = entries(Action.ADMIN_LIST)
    assert listed.detail["query"] == email_of(citizen)


def test_a_notification_cannot_be_deleted_in_the_admin(root: Client, citizen: Party) -> None:
    message = message_to(citizen)

    refused = root.post(f"/admin/notifications/notification/{message.pk}/delete/", {"post": "yes"})
    bulk = root.post(
        "/admin/notifications/notification/",
        {"action": "delete_selected", "_selected_action": [str(message.pk)], "post": "yes"},
    )

    assert refused.status_code == 403
    assert Notification.objects.filter(pk=message.pk).exists()
    assert "delete_selected" not in bulk.content.decode()
    assert entries(Action.ADMIN_DELETE) == []


def test_a_routing_rule_changed_in_the_admin_leaves_an_entry_with_its_new_values(
    root: Client, town: Any
) -> None:
    rule = RoutingRule.objects.create(name="Obras", department=town["urbanismo"])

    response = root.post(
        f"/admin/cases/routingrule/{rule.pk}/change/",
        {
            "name": "Obras",
            "position": "5",
            "active": "on",
            "keywords": "andamio",
            "party_condition": "",
            "department": str(town["padron"].pk),
            "priority": "high",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    # The service records the change; the admin adds no second entry of it.
    assert entries(Action.ADMIN_CHANGE) == []
    [changed] = entries(Action.ROUTING_RULE_CHANGE)
    assert (changed.actor, changed.object_type, changed.object_id) == (
        "root",
        "routing_rule",
        str(rule.pk),
    )
    assert changed.detail["values"]["department_id"] == str(town["padron"].pk)
    assert changed.detail["values"]["keywords"] == "andamio"


def test_a_routing_rule_changed_from_the_list_leaves_an_entry(root: Client, town: Any) -> None:
    rule = RoutingRule.objects.create(name="Obras", position=100, department=town["urbanismo"])

    root.post(
        "/admin/cases/routingrule/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(rule.pk),
            "form-0-position": "1",
            "form-0-active": "on",
            "_save": "Save",
        },
    )

    rule.refresh_from_db()
    assert rule.position == 1
    [changed] = entries(Action.ROUTING_RULE_CHANGE)
    assert changed.detail["values"]["position"] == 1


def test_a_routing_rule_deleted_in_the_admin_leaves_an_entry(root: Client, town: Any) -> None:
    rule = RoutingRule.objects.create(name="Obras", department=town["urbanismo"])

    root.post(f"/admin/cases/routingrule/{rule.pk}/delete/", {"post": "yes"})

    assert not RoutingRule.objects.filter(pk=rule.pk).exists()
    assert entries(Action.ADMIN_DELETE) == []
    [deleted] = entries(Action.ROUTING_RULE_DELETE)
    assert (deleted.actor, deleted.object_id) == ("root", str(rule.pk))
    assert deleted.detail["values"]["name"] == "Obras"


def test_routing_rules_deleted_together_leave_an_entry_each(root: Client, town: Any) -> None:
    rules = [
        RoutingRule.objects.create(name=name, department=town["urbanismo"])
        for name in ("Obras", "Basuras")
    ]

    root.post(
        "/admin/cases/routingrule/",
        {
            "action": "delete_selected",
            "_selected_action": [str(rule.pk) for rule in rules],
            "post": "yes",
        },
    )

    assert not RoutingRule.objects.exists()
    assert sorted(entry.object_id for entry in entries(Action.ROUTING_RULE_DELETE)) == sorted(
        str(rule.pk) for rule in rules
    )


def test_an_api_key_revoked_in_the_admin_leaves_an_entry_without_its_digest(
    root: Client, api_key: str
) -> None:
    key = ApiKey.objects.get()

    response = root.post(
        f"/admin/access/apikey/{key.pk}/change/",
        {
            "name": key.name,
            "agency": str(key.agency_id),
            "scopes": '["parties:read"]',
            "revoked_at_0": "2026-01-05",
            "revoked_at_1": "10:00:00",
            "rate_per_minute": "",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    [changed] = entries(Action.ADMIN_CHANGE)
    assert changed.detail["values"]["revoked_at"]
    assert "key_hash" not in changed.detail["values"]
    assert key.key_hash not in str(changed.detail)


def test_the_staff_list_with_email_addresses_is_recorded_as_a_reading(root: Client) -> None:
    response = root.get("/admin/auth/user/")

    assert "root@example.org" in response.content.decode()
    [listed] = entries(Action.ADMIN_LIST)
    assert listed.detail["model"] == "auth.User"


def test_a_password_set_in_the_admin_leaves_an_entry(root: Client, agent_user: Any) -> None:
    new_password = "another-horse-battery-7"

    response = root.post(
        f"/admin/auth/user/{agent_user.pk}/password/",
        {"password1": new_password, "password2": new_password, "usable_password": "true"},
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    agent_user.refresh_from_db()
    assert agent_user.check_password(new_password)
    [changed] = entries(Action.ADMIN_CHANGE)
    assert (changed.object_type, changed.object_id) == ("auth.User", str(agent_user.pk))
    assert agent_user.password not in str(changed.detail)


def test_no_admin_page_shows_a_dni_or_email_without_an_entry_of_that_reading(
    root: Client, citizen: Party
) -> None:
    # Given personal data wherever the admin might show it: a party, a message to them, staff.
    message_to(citizen)
    secrets = [dni_of(citizen), email_of(citizen), "root@example.org"]

    for model in admin.site._registry:
        label = model._meta.label
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        pages = [base]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            pages.append(f"{base}{first.pk}/change/")
        for page in pages:
            last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
            # When: an administrator opens the list, and the first record in it.
            html = root.get(page).content.decode()
            # Then: either no personal data is on the page, or the reading was recorded.
            shown = [secret for secret in secrets if secret in html]
            recorded = AuditEntry.objects.filter(
                id__gt=last,
                action__in=[Action.ADMIN_LIST, Action.ADMIN_READ],
                detail__model=label,
            ).exists()
            assert not shown or recorded, f"{page} shows {shown} without an audit entry"


def test_no_admin_search_finds_a_citizen_without_recording_the_query(
    root: Client, citizen: Party
) -> None:
    message_to(citizen)
    searchable = [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model_admin.search_fields
    ]
    assert searchable  # the walk below must search something

    for model, model_admin in searchable:
        for query in (dni_of(citizen), email_of(citizen)):
            response = root.get(
                f"/admin/{model._meta.app_label}/{model._meta.model_name}/", {"q": query}
            )
            found = response.context_data["cl"].result_count
            recorded = AuditEntry.objects.filter(
                action=Action.ADMIN_LIST, detail__model=model._meta.label, detail__query=query
            ).exists()
            assert found == 0 or recorded, f"{model._meta.label} found {query} unrecorded"
            assert recorded or not model_admin.audit_reads
