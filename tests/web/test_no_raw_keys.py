"""Nothing a person reads is a raw key: every console and portal page of the demo town, opened by
every member of staff and by a citizen, in Spanish and in English, shows words, never a
snake_case key (``lamp_number``, ``employment_status``) nor an actor's code (``citizen:f3000100``).

The town is seeded once for the module, with what a working day leaves behind (a request with
its form answers, notes, a task, a life-event request, consents, readings of the record), inside a
transaction rolled back at the end; each test only reads it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.conftest import portal_client, sign_in
from tests.factories import signed_form
from tests.surveys.conftest import full_answers, survey_data
from ventanilla.access.actors import Actor, actor_for_api_key, actor_for_citizen, actor_for_user
from ventanilla.access.services import apikey_create
from ventanilla.cases.models import Case
from ventanilla.cases.services import (
    case_note_add,
    case_open,
    case_transition,
    life_event_open,
    task_create,
)
from ventanilla.catalog.models import Agency
from ventanilla.citizen360.selectors import party_360
from ventanilla.consent.services import consent_record
from ventanilla.debates.models import Comment
from ventanilla.demo.budgets import demo_budget_ensure
from ventanilla.demo.catalogue import STAFF, ensure_catalogue
from ventanilla.demo.citizen import demo_citizen
from ventanilla.demo.debates import demo_debate_ensure
from ventanilla.demo.proposals import ensure_demo_proposals
from ventanilla.demo.synthetic import seed_municipality
from ventanilla.identity import linkage
from ventanilla.identity.models import MatchModel, MatchReview, SourceRecord
from ventanilla.interactions.satisfaction import satisfaction_ask, satisfaction_token
from ventanilla.interactions.services import interaction_record
from ventanilla.loops.services import cluster_checked, loop_open, loop_outcome
from ventanilla.mail.models import InboundMessage
from ventanilla.merging.services import source_trust_set
from ventanilla.notices.models import Notice, Subscription
from ventanilla.notices.services import unsubscribe_link
from ventanilla.notifications.models import Notification, NotificationTemplate
from ventanilla.parties.models import Identifier, Party
from ventanilla.parties.services import party_update
from ventanilla.surveys.services import survey_load, survey_respond

pytestmark = pytest.mark.django_db

# A word with an underscore inside, as keys are written (lamp_number, employment_status).
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")
# Who acted, as the code writes it: citizen:f3000100, system:deadlines, api:sede-electronica.
ACTOR = re.compile(r"\b[a-z]+:[0-9a-z-]*[0-9a-f]{6,}\b|\b(?:system|api|command|agency):[\w-]+")
# Not keys: an email address and a web address are what the person copies as written (a
# citizen's address may well hold an underscore), and so is a message's placeholder in braces
# ({due_date}), which the supervisor types into the text exactly as shown. They are taken out
# before looking.
NOT_KEYS = re.compile(r"\S+@\S+\.\w+|https?://\S+|\{[a-z_]+\}")
# Nor is the name of a column in a file the administration publishes (the open data's
# ``service_code``): the reader types it as written, and the page marks it so.
LITERAL = re.compile(r'<code class="literal">[^<]*</code>')
HIDDEN = re.compile(r"<(script|style|template)\b.*?</\1>|<!--.*?-->", re.S | re.I)
# What a screen reader reads besides the text: labels, titles, alternatives, placeholders.
SPOKEN = re.compile(r'\s(?:aria-label|title|alt|placeholder)="([^"]*)"', re.I)
TAG = re.compile(r"<[^>]+>")

STAFF_ROLES = {staff.role: staff.username for staff in STAFF}


def visible_text(page: str) -> str:
    page = LITERAL.sub(" ", HIDDEN.sub(" ", page))
    spoken = " ".join(SPOKEN.findall(page))
    text = html.unescape(TAG.sub(" ", page) + " " + spoken)
    return NOT_KEYS.sub(" ", text)


def raw_keys(page: str) -> set[str]:
    text = visible_text(page)
    return set(SNAKE.findall(text)) | set(ACTOR.findall(text))


def staff(username: str) -> Actor:
    return actor_for_user(get_user_model().objects.get(username=username))


def working_day() -> dict[str, Any]:
    """The demo town after a day at the office; the objects the pages are opened with."""
    ensure_catalogue()
    seed_municipality(citizens=60, seed=11, progress=False, workers=0)
    citizen = demo_citizen()
    assert citizen is not None
    party = Identifier.objects.get(scheme="dni", value=citizen.dni).party
    agent, worker = staff("agente"), staff("tramitador")
    party_update(
        actor=agent,
        party_id=party.pk,
        changes={"accessibility_needs": ["blind"], "preferred_language": "es"},
    )
    person = actor_for_citizen(party)
    case = case_open(
        actor=person,
        party_id=party.pk,
        service_code="alumbrado-publico",
        channel="web",
        location_text="Calle Mayor 3",
        form_data={"place": "Calle Mayor 3", "lamp_number": "F-221", "lamps_out": 2},
    )
    case_open(
        actor=person,
        party_id=party.pk,
        service_code="desperfectos-calzada",
        channel="web",
        form_data={"place": "Plaza de España", "damage": "bache", "dangerous": True},
    )
    supervisor = staff("supervisora")
    for step in ("accept", "start", "ask_citizen"):
        case_transition(actor=supervisor, case_id=case.pk, action=step, reason="Foto de la farola")
    case_note_add(actor=supervisor, case_id=case.pk, text="Farola revisada", public=True)
    task = task_create(
        actor=supervisor, case_id=case.pk, department_code="padron", title="Informe técnico"
    )
    _key, secret = apikey_create(
        actor=staff("admin"),
        name="sede-electronica",
        agency_code="ayto",
        scopes=["cases:read", "cases:write"],
    )
    application = actor_for_api_key(secret)
    assert application is not None
    case_note_add(actor=application, case_id=case.pk, text="Foto recibida", public=False)
    consent = consent_record(
        actor=agent,
        party_id=party.pk,
        purpose="Bonificación del IBI",
        recipient_code="ayto",
        data_categories=["income", "address"],
        channel="desk",
        evidence=signed_form(),
    )
    life_event = life_event_open(
        actor=person, party_id=party.pk, life_event_code="nacimiento", channel="web"
    )
    party_360(actor=worker, party_id=party.pk)  # a reading the citizen's disclosure log shows
    review = likely_match(party)
    call = interaction_record(
        actor=agent, party_id=party.pk, channel="phone", summary="Pide cita", outcome="call_back"
    )
    # The order of trust in the registers, so that its page shows agencies in it and out of it.
    source_trust_set(actor=staff("admin"), agency_codes=["padron", "ayto"])
    mail = InboundMessage.objects.create(
        interaction=call,
        sha256="1" * 64,
        raw=b"From: vecina@example.es\r\nSubject: Farola\r\n\r\nHola",
        source="gateway",
        sender="vecina@example.es",
        subject="Farola",
        state=InboundMessage.State.NEEDS_PERSON,
        reason="Un mensaje nuevo: ubíquelo en un expediente o respóndalo.",
    )
    # The satisfaction question a call brings, reached by its link.
    asked = satisfaction_ask(party_id=party.pk, channel="phone", about="phone", interaction=call)
    notice = Notice.objects.create(
        agency=Agency.objects.get(code="padron"),
        topic="offices",
        district="Centro",
        title_es="Horario de verano",
        body_es="La oficina abre de 8 a 14.",
        publish_from=timezone.now() - timedelta(hours=1),
        created_by_label="supervisora",
    )
    subscription = Subscription.objects.create(
        email="vecina@example.es", party=party, topic="offices", confirmed_at=timezone.now()
    )
    # An open survey with a few answers, so its form and its results have something to show.
    survey = survey_load(
        actor=Actor(label="command:test", sees_everything=True),
        data=survey_data(anonymous=True, once_per_person=False),
    ).survey
    for text in ("Más sombra", "Más bancos", "Más fuentes", "Más sombra", "Más bancos"):
        survey_respond(
            actor=Actor(label="anonymous"),
            survey_id=survey.pk,
            answers=full_answers(survey, text=text),
        )
    # The complaints about street lighting turned into that survey, the outcome told.
    today = timezone.localdate()
    loop = loop_open(
        actor=supervisor,
        cluster=cluster_checked(
            service_code="alumbrado-publico", district="", since=today, until=today
        ),
        survey_id=survey.pk,
    )
    loop_outcome(actor=supervisor, loop_id=loop.pk, outcome_es="Se cambiarán las farolas.")
    # A debate with a thread and a reported comment, for the portal and the moderation queue.
    debate = demo_debate_ensure()
    assert debate is not None
    # The demo's participatory budget open to the vote, and its residents' proposals.
    budget = demo_budget_ensure()
    assert budget is not None
    proposals = ensure_demo_proposals()
    assert proposals
    return {
        "budget_id": budget.pk,
        "project_id": budget.projects.values_list("pk", flat=True).first(),
        "proposal_id": proposals[0].pk,
        "loop_id": loop.pk,
        "debate_id": debate.pk,
        "comment_id": Comment.objects.values_list("pk", flat=True).first(),
        "survey_id": survey.pk,
        "notice_id": notice.pk,
        "subscription_id": subscription.pk,
        "token": unsubscribe_link(subscription).rstrip("/").rsplit("/", 1)[-1],
        "satisfaction_token": satisfaction_token(asked) if asked else "caducado",
        "party_id": party.pk,
        "party": party,
        "reference": case.reference,
        "task_id": task.pk,
        "consent_id": consent.pk,
        "request_id": life_event.pk,
        "template_id": NotificationTemplate.objects.values_list("pk", flat=True).first(),
        "notification_id": Notification.objects.values_list("pk", flat=True).first(),
        "code": "alumbrado-publico",
        "life_event_code": "nacimiento",
        "fmt": "html",
        "secret": "caducado",
        "organisation": Party.objects.filter(kind="organisation").first(),
        "sensitive": Party.objects.filter(attributes__sensitivity="sensitive").first(),
        "cases": list(Case.objects.filter(party=party).values_list("reference", flat=True)),
        "review_id": review.pk,
        "interaction_id": call.pk,
        "message_id": mail.pk,
    }


def likely_match(party: Party) -> MatchReview:
    """A register's record of the citizen, with a DNI written wrong, that matching found likely
    theirs, with what each comparison of the model found, for the reviewer to read."""
    stray = SourceRecord.objects.create(
        agency=Agency.objects.get(code="padron"),
        source_key="P-1",
        given_name=party.given_name,
        family_name_1=party.family_name_1,
        identifier="12345678A",
        flags={"identifier": "wrong check letter", "birth_date": "not a date: 31/02/1980"},
    )
    model = MatchModel.objects.create(version=1, settings=linkage.settings())
    comparisons = [
        {"comparison": comparison["output_column_name"],
         "level": comparison["comparison_levels"][1 + n % 2]["label_for_charts"],
         "weight": 2.5 - n}
        for n, comparison in enumerate(linkage.settings()["comparisons"])
    ]  # fmt: skip
    return MatchReview.objects.create(
        record=stray, party=party, model=model, probability=0.8, comparisons=comparisons
    )


@pytest.fixture(scope="module")
def office(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock(), transaction.atomic():
        yield working_day()
        transaction.set_rollback(True)


def routes(prefix: str) -> list[str]:
    """Every page under ``prefix`` the URL resolver knows, as written there (<uuid:party_id>)."""

    def walk(patterns: list[Any], before: str) -> list[str]:
        found: list[str] = []
        for pattern in patterns:
            route = before + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                found += walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith(prefix):
                found.append("/" + route)
        return found

    return walk(get_resolver().url_patterns, "")


def addresses(prefix: str, office: dict[str, Any]) -> list[str]:
    """The pages' addresses, filled with the town's objects; the HTML download of one's data
    is the only format a person reads (JSON and the archive are for machines)."""
    found = []
    for route in routes(prefix):
        route = route.replace("^", "").replace("$", "").replace("\\.", ".")
        route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", route)  # a regular expression's group
        if "life-events/" in route:
            route = route.replace("<slug:code>", "<life_event_code>")
        if "satisfaction/" in route:
            route = route.replace("<str:token>", "<satisfaction_token>")
        if "open-data/" in route:
            route = route.replace("<str:name>", "service-requests.json")
        address = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(office[match.group(1)]), route)
        found.append(address)
    if prefix != "console/":
        return found
    # The same pages with what a person asks of them: a search, the sensitive facts, one
    # person's audit trail, the other cases, an organisation and a person with a disability.
    party = office["party"]
    return [
        *found,
        *(f"/console/cases/{reference}/" for reference in office["cases"]),
        f"/console/?q={party.family_name_1}",
        f"/console/parties/{office['organisation'].pk}/",
        f"/console/parties/{office['sensitive'].pk}/?sensitive=1&purpose=Valorar+la+ayuda+a+domicilio",
        f"/console/audit/?party={party.pk}",
        *(f"/console/cases/?tab={tab}" for tab in ("department", "waiting", "tasks")),
    ]


def offending(client: Client, pages: list[str]) -> list[str]:
    """One line for each page that shows a raw key: the page and the keys."""
    found = []
    for address in pages:
        response = client.get(address)
        if response.status_code in (301, 302, 405) or "html" not in response.get(
            "Content-Type", ""
        ):
            continue
        keys = raw_keys(response.content.decode())
        if keys:
            found.append(f"{address}: {', '.join(sorted(keys))}")
    return found


@pytest.mark.parametrize("language", ["es", "en"])
@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_no_console_page_shows_a_member_of_staff_a_raw_key(
    office: dict[str, Any], role: str, language: str
) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE=language), STAFF_ROLES[role])

    found = offending(client, addresses("console/", office))

    assert not found, "\n".join(found)


@pytest.mark.parametrize("language", ["es", "en"])
def test_no_portal_page_shows_the_citizen_a_raw_key(office: dict[str, Any], language: str) -> None:
    client = portal_client(office["party"], language=language)

    found = offending(client, addresses("portal/", office))

    assert not found, "\n".join(found)


def test_the_check_finds_a_key_and_an_actor_but_not_an_email_address() -> None:
    page = (
        '<p title="lamp_number">Farola</p><script>var a_b = 1;</script>'
        "<p>citizen:f3000100 wrote to maria_lopez@example.com about {due_date}</p>"
    )

    assert raw_keys(page) == {"lamp_number", "citizen:f3000100"}


def test_the_360_page_names_the_language_the_needs_and_the_facts(office: dict[str, Any]) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), "tramitador")

    text = visible_text(client.get(f"/console/parties/{office['party_id']}/").content.decode())

    assert "Preferred language Spanish" in " ".join(text.split())
    assert "Blind" in text and not re.search(r"\bblind\b", text)
    assert "Employment status" in text


def test_the_case_page_shows_the_questions_the_citizen_answered_and_who_acted(
    office: dict[str, Any],
) -> None:
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), "supervisora")

    text = " ".join(
        visible_text(client.get(f"/console/cases/{office['reference']}/").content.decode()).split()
    )

    assert "Lamp-post number F-221" in text
    assert "Lamps out 2" in text
    assert "The citizen" in text
    assert "Carmen" in text  # the supervisor who accepted it, by name
    assert "Asked" in text and "(create)" not in text


def test_the_downloaded_page_names_the_facts_and_needs_in_words(
    office: dict[str, Any],
) -> None:
    client = portal_client(office["party"], language="en")

    text = visible_text(client.get("/portal/me/my-data.html").content.decode())

    assert "Employment status" in text and "Employed" in text
    assert "Blind" in text
    assert not re.search(r"\b(?:employed|blind)\b", text)
