"""Emerging problems: a rise of one service in one district is flagged, a flat day is not, a
second run adds nothing, and the API lists alerts to a key with analytics:read only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.conftest import OPERATOR, sign_in
from tests.factories import make_party
from ventanilla.access.actors import Actor
from ventanilla.access.services import apikey_create
from ventanilla.analytics.detection import poisson_upper_tail
from ventanilla.analytics.models import Alert
from ventanilla.analytics.services import alerts_detect
from ventanilla.cases.models import Case
from ventanilla.cases.services import case_open
from ventanilla.catalog.models import PublicService
from ventanilla.interactions.services import interaction_record
from ventanilla.parties.services import ContactPointInput

pytestmark = pytest.mark.django_db


def open_cases(actor: Actor, party: Any, district: str, n: int, weeks_ago: int = 0) -> None:
    for number in range(n):
        case = case_open(
            actor=actor,
            party_id=party.pk,
            service_code="licencia-obra-menor",
            channel="web",
            description=f"Obra {number}",
            district=district,
        )
        if weeks_ago:
            # The same local time that many weeks before, so on the same weekday: in UTC, a case
            # opened late in the evening in winter falls on the next day in summer time.
            Case.objects.filter(pk=case.pk).update(
                opened_at=timezone.localtime(case.opened_at) - timedelta(weeks=weeks_ago)
            )


@pytest.fixture
def flat_history(actor: Actor, service: PublicService) -> Any:
    """One case a week in Centro and in Norte, for the past eight weeks, on today's weekday.
    Reported by a person whose names are words no page or message holds otherwise (a random
    surname such as "Español" would be found in the language menu), so a test can say they are
    named nowhere."""
    party = make_party(
        actor, given_name="Eulalia", family_name_1="Zurbarán", family_name_2="Ochandiano"
    )
    for weeks_ago in range(1, 9):
        open_cases(actor, party, "Centro", 1, weeks_ago)
        open_cases(actor, party, "Norte", 1, weeks_ago)
    return party


def test_a_spike_in_one_district_is_flagged_and_a_flat_one_is_not(
    actor: Actor, flat_history: Any
) -> None:
    today = timezone.localdate()
    open_cases(actor, flat_history, "Centro", 6)
    open_cases(actor, flat_history, "Norte", 1)
    # Contacts that opened no case count too, placed by the person's postal district.
    neighbour = make_party(
        actor,
        contact_points=[ContactPointInput(kind="postal", value="Calle Mayor 1", district="Centro")],
    )
    for _ in range(2):
        interaction_record(
            actor=actor,
            party_id=neighbour.pk,
            channel="phone",
            summary="¿Qué papeles pide la licencia?",
            service_code="licencia-obra-menor",
        )

    found = alerts_detect(today=today)

    assert found.tested == 2
    [alert] = found.alerts
    assert (alert.day, alert.district, alert.observed) == (today, "Centro", 8)
    assert alert.expected == pytest.approx(8.5 / 8)
    assert alert.p_value < 0.001


def test_a_flat_day_raises_nothing(actor: Actor, flat_history: Any) -> None:
    open_cases(actor, flat_history, "Centro", 2)

    assert alerts_detect(today=timezone.localdate()).alerts == []
    assert not Alert.objects.exists()


def test_fewer_than_the_minimum_is_never_an_alert(actor: Actor, service: PublicService) -> None:
    # Four cases where there were none is unlikely, but below the minimum of five.
    open_cases(actor, make_party(actor), "Sur", 4)

    assert alerts_detect(today=timezone.localdate()).alerts == []


def test_running_twice_the_same_day_keeps_one_alert(actor: Actor, flat_history: Any) -> None:
    open_cases(actor, flat_history, "Centro", 7)
    today = timezone.localdate()

    alerts_detect(today=today)
    call_command("analytics", "detect", "--today", today.isoformat())

    assert Alert.objects.filter(day=today).count() == 1


def test_the_tail_probability_matches_the_poisson_law() -> None:
    assert poisson_upper_tail(0, 3.0) == 1.0
    assert poisson_upper_tail(1, 2.0) == pytest.approx(1 - 2.718281828**-2.0)
    # Reference values from scipy.stats.poisson.sf(k - 1, mean), the far tail included.
    assert poisson_upper_tail(8, 1.0625) == pytest.approx(1.5757656609973565e-05, rel=1e-9)
    assert poisson_upper_tail(41, 3.2) == pytest.approx(6.7815230805927005e-31, rel=1e-9)
    assert poisson_upper_tail(3, 5.0) == pytest.approx(0.8753479805169189, rel=1e-9)
    assert poisson_upper_tail(5, 0.0) == 0.0


def analytics_client(scopes: list[str]) -> Client:
    _key, secret = apikey_create(actor=OPERATOR, name="panel", agency_code="ayto", scopes=scopes)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_the_api_lists_alerts_to_an_analytics_key_without_a_person(
    actor: Actor, flat_history: Any
) -> None:
    open_cases(actor, flat_history, "Centro", 7)
    today = timezone.localdate()
    alerts_detect(today=today)

    response = analytics_client(["analytics:read"]).get(
        "/api/v1/analytics/alerts", {"since": (today - timedelta(days=7)).isoformat()}
    )

    assert response.status_code == 200, response.content
    [alert] = response.json()
    assert alert["service_code"] == "licencia-obra-menor"
    assert alert["service_name"] in {"Licencia de obra menor", "Minor works permit"}
    assert (alert["district"], alert["observed"], alert["day"]) == ("Centro", 7, str(today))
    assert set(alert) == {
        "day",
        "service_code",
        "service_name",
        "district",
        "observed",
        "expected",
        "p_value",
    }
    later = analytics_client(["analytics:read"]).get(
        "/api/v1/analytics/alerts", {"since": (today + timedelta(days=1)).isoformat()}
    )
    assert later.json() == []


def test_a_key_without_the_scope_is_refused(town: Any) -> None:
    response = analytics_client(["cases:read"]).get(
        "/api/v1/analytics/alerts", {"since": "2026-01-01"}
    )

    assert response.status_code == 403
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "urn:ventanilla:problem:permission-denied"


@pytest.mark.parametrize("since", ["", "yesterday", "2026-13-01"])
def test_a_bad_date_is_a_problem(town: Any, since: str) -> None:
    response = analytics_client(["analytics:read"]).get(
        "/api/v1/analytics/alerts", {"since": since}
    )

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"


def test_a_bad_day_on_the_command_line_is_refused(town: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("analytics", "detect", "--today", "mañana")
    assert not Alert.objects.exists()


def test_an_analyst_reads_alerts_and_an_agent_does_not(make_staff: Any) -> None:
    make_staff("analista", "ayto", "analyst")
    make_staff("agente", "ayto", "agent")
    query = {"since": "2026-01-01"}

    analyst = sign_in(Client(), "analista").get("/api/v1/analytics/alerts", query)
    agent = sign_in(Client(), "agente").get("/api/v1/analytics/alerts", query)

    assert analyst.status_code == 200
    assert analyst.json() == []
    assert agent.status_code == 403
    assert agent["Content-Type"] == "application/problem+json"


def spike_today(actor: Actor, flat_history: Any) -> None:
    open_cases(actor, flat_history, "Centro", 7)


def test_a_new_alert_is_emailed_once_to_the_supervisors_who_answer_for_it(
    actor: Actor, flat_history: Any, make_staff: Any, settings: Any
) -> None:
    from ventanilla.notifications.models import Notification

    settings.VENTANILLA_ALERT_EMAILS = ["guardia@villanueva.example"]
    town_hall = make_staff("supervisora", "ayto", "supervisor")
    town_hall.email = "supervisora@villanueva.example"
    town_hall.save()
    health = make_staff("sanidad", "salud", "supervisor")  # another agency's supervisor
    health.email = "sanidad@salud.example"
    health.save()
    make_staff("sin-correo", "urbanismo", "supervisor")  # no address: cannot be told
    planner = make_staff("tecnica", "urbanismo", "case_worker")  # not a supervisor
    planner.email = "tecnica@villanueva.example"
    planner.save()
    spike_today(actor, flat_history)
    today = timezone.localdate()

    first = alerts_detect(today=today)
    again = alerts_detect(today=today)

    assert len(first.new) == 1
    assert again.new == []
    sent = Notification.objects.filter(event="emerging_problem").order_by("recipient")
    assert [n.recipient for n in sent] == [
        "guardia@villanueva.example",
        "supervisora@villanueva.example",
    ]
    message = sent[0]
    assert message.party is None and message.case is None
    assert message.language == "es"
    assert message.subject == "Problema emergente: Licencia de obra menor en Centro"
    assert "7 contactos" in message.body
    assert "/console/analytics/alerts/" in message.body
    # Figures only: the people behind the cases are named nowhere.
    assert flat_history.given_name not in message.body
    assert flat_history.family_name_1 not in message.body


def test_each_supervisor_is_told_in_the_language_they_read_the_console_in(
    actor: Actor, flat_history: Any, make_staff: Any, settings: Any
) -> None:
    from ventanilla.notifications.models import Notification

    settings.VENTANILLA_ALERT_EMAILS = ["guardia@villanueva.example"]
    for name in ("ana", "carmen"):
        user = make_staff(name, "ayto", "supervisor")
        user.email = f"{name}@villanueva.example"
        user.save()
    # Ana switched the console to English; Carmen never said: the administration's language.
    sign_in(Client(HTTP_ACCEPT_LANGUAGE="es"), "ana").post(
        "/i18n/setlang/", {"language": "en", "next": "/console/"}
    )
    spike_today(actor, flat_history)

    alerts_detect(today=timezone.localdate())

    sent = {n.recipient: n for n in Notification.objects.filter(event="emerging_problem")}
    assert sent["ana@villanueva.example"].language == "en"
    assert sent["ana@villanueva.example"].subject == (
        "Emerging problem: Minor works permit in Centro"
    )
    assert sent["carmen@villanueva.example"].language == "es"
    assert sent["carmen@villanueva.example"].subject.startswith("Problema emergente: ")
    assert sent["guardia@villanueva.example"].language == "es"


def test_supervisors_read_the_emerging_problems_in_their_language(
    actor: Actor, flat_history: Any, make_staff: Any
) -> None:
    make_staff("supervisora", "ayto", "supervisor")
    spike_today(actor, flat_history)
    alerts_detect(today=timezone.localdate())

    spanish = sign_in(Client(HTTP_ACCEPT_LANGUAGE="es"), "supervisora")
    page = spanish.get("/console/analytics/alerts/").content.decode()
    english = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), "supervisora")
    page_en = english.get("/console/analytics/alerts/").content.decode()
    dashboard = spanish.get("/console/analytics/").content.decode()

    assert "Licencia de obra menor" in page and "Centro" in page
    assert "Problemas emergentes" in page
    assert "Minor works permit" in page_en and "Emerging problems" in page_en
    assert "1 problema emergente en los últimos 7 días" in dashboard
    assert flat_history.family_name_1 not in page


def test_an_old_alert_leaves_the_default_period_and_an_agent_sees_none(
    actor: Actor, flat_history: Any, make_staff: Any
) -> None:
    make_staff("analista", "ayto", "analyst")
    spike_today(actor, flat_history)
    alerts_detect(today=timezone.localdate())
    Alert.objects.update(day=timezone.localdate() - timedelta(days=45))
    analyst = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), "analista")

    recent = analyst.get("/console/analytics/alerts/").content.decode()
    longer = analyst.get("/console/analytics/alerts/", {"days": "90"}).content.decode()
    refused = sign_in(Client(), "agente").get("/console/analytics/alerts/")

    assert "No emerging problem in the last 30 days." in recent
    assert "Minor works permit" in longer
    assert refused.status_code == 403
