"""From complaints to participation: the complaints about a service become a consultation;
everyone behind them is told once, in their language; later they are told the outcome."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import portal_client, sign_in
from tests.factories import make_party
from tests.surveys.conftest import load
from ventanilla.access.actors import actor_for_user
from ventanilla.analytics.models import Alert
from ventanilla.audit.models import AuditEntry
from ventanilla.cases.services import case_open
from ventanilla.core.errors import Conflict, PermissionDenied, ValidationFailed
from ventanilla.interactions.models import Interaction
from ventanilla.loops.models import Loop
from ventanilla.loops.selectors import targets_open
from ventanilla.loops.services import cluster_checked, loop_open, loop_outcome
from ventanilla.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor(make_staff: Any) -> Any:
    return actor_for_user(make_staff("supervisora", "ayto", "supervisor"))


@pytest.fixture
def complaints(actor: Any, service: Any) -> dict[str, Any]:
    """Three people complain about the service in the Ensanche (one twice), one elsewhere, one
    in the Ensanche with no address to be told at."""
    ana = make_party(actor, preferred_language="en")
    luis = make_party(actor)
    far = make_party(actor)
    silent = make_party(actor, contact_points=[])
    cases = [
        case_open(
            actor=actor,
            party_id=p.pk,
            service_code=service.code,
            channel="web",
            description="Farola rota",
            district=d,
        )
        for p, d in [
            (ana, "Ensanche"),
            (ana, "Ensanche"),
            (luis, "Ensanche"),
            (far, "Centro"),
            (silent, "Ensanche"),
        ]
    ]
    return {"ana": ana, "luis": luis, "far": far, "silent": silent, "cases": cases}


def _cluster(service: Any, district: str = "Ensanche") -> Any:
    today = timezone.localdate()
    return cluster_checked(
        service_code=service.code, district=district, since=today - timedelta(days=7), until=today
    )


def test_everyone_who_complained_is_told_once_in_their_language(
    supervisor: Any, service: Any, complaints: dict[str, Any]
) -> None:
    survey = load()
    Notification.objects.all().delete()
    loop = loop_open(actor=supervisor, cluster=_cluster(service), survey_id=survey.pk)

    assert loop.cases.count() == 4
    assert (loop.people, loop.told) == (3, 2)
    ana, luis = complaints["ana"], complaints["luis"]
    emails = Notification.objects.filter(event="participation", medium="email")
    assert sorted(str(n.party_id) for n in emails) == sorted([str(ana.pk), str(luis.pk)])
    to_ana = emails.get(party=ana)
    assert to_ana.language == "en"
    assert "Minor works permit" in to_ana.body and "in Ensanche" in to_ana.body
    assert "Neighbourhood parks" in to_ana.subject
    assert f"/portal/surveys/{survey.pk}/" in to_ana.body
    to_luis = emails.get(party=luis)
    assert "Licencia de obra menor" in to_luis.body and "Parques del barrio" in to_luis.body
    assert not Notification.objects.filter(party=complaints["far"]).exists()
    told = Interaction.objects.filter(party=ana, direction="outbound", relationship="consultation")
    assert told.count() == 1 and told.get().channel_id == "email"
    assert AuditEntry.objects.filter(action="loop.change", object_id=str(loop.pk)).exists()


def test_the_outcome_reaches_the_same_people_once(
    supervisor: Any, actor: Any, service: Any, complaints: dict[str, Any]
) -> None:
    survey = load()
    loop = loop_open(actor=supervisor, cluster=_cluster(service), survey_id=survey.pk)
    Notification.objects.all().delete()
    # A complaint arriving later is not one of those who were asked.
    late = make_party(actor)
    case_open(
        actor=actor,
        party_id=late.pk,
        service_code=service.code,
        channel="web",
        description="Otra farola",
        district="Ensanche",
    )

    told = loop_outcome(
        actor=supervisor,
        loop_id=loop.pk,
        outcome_es="Se cambiarán las farolas en marzo.",
        outcome_en="The street lights will be replaced in March.",
    )
    assert told.outcome_told == 2
    to_ana = Notification.objects.get(party=complaints["ana"], medium="email")
    assert "replaced in March" in to_ana.body
    assert not Notification.objects.filter(party=late, event="participation").exists()
    with pytest.raises(Conflict):
        loop_outcome(actor=supervisor, loop_id=loop.pk, outcome_es="Otra vez")


def test_bad_choices_are_refused_field_by_field(
    supervisor: Any, actor: Any, service: Any, complaints: dict[str, Any]
) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationFailed) as refused:
        cluster_checked(service_code="nope", district="", since=today, until=today + timedelta(1))
    assert set(refused.value.errors) == {"service", "until"}
    with pytest.raises(ValidationFailed) as refused:
        cluster_checked(
            service_code=service.code, district="", since=today - timedelta(400), until=today
        )
    assert "since" in refused.value.errors
    closed = load(
        opens_at=(timezone.now() - timedelta(days=9)).isoformat(),
        closes_at=(timezone.now() - timedelta(days=1)).isoformat(),
    )
    with pytest.raises(ValidationFailed) as refused:
        loop_open(actor=supervisor, cluster=_cluster(service), survey_id=closed.pk)
    assert "survey" in refused.value.errors
    with pytest.raises(ValidationFailed) as refused:
        loop_open(actor=supervisor, cluster=_cluster(service), survey_id="not-an-id")
    assert "survey" in refused.value.errors
    with pytest.raises(ValidationFailed) as refused:
        loop_open(actor=supervisor, cluster=_cluster(service, "Nowhere"), survey_id=load().pk)
    assert "service" in refused.value.errors
    # An agent answers the phone; turning complaints into consultations is a supervisor's.
    with pytest.raises(PermissionDenied):
        loop_open(actor=actor, cluster=_cluster(service), survey_id=load().pk)
    assert not Loop.objects.exists()


def test_a_supervisor_goes_from_an_alert_to_the_outcome_in_the_console(
    make_staff: Any, service: Any, complaints: dict[str, Any]
) -> None:
    survey = load()
    alert = Alert.objects.create(
        day=timezone.localdate(),
        service=service,
        district="Ensanche",
        observed=4,
        expected=0.5,
        p_value=0.001,
    )
    client = sign_in(Client(HTTP_ACCEPT_LANGUAGE="es"), make_staff("sup", "ayto", "supervisor"))
    alerts_page = client.get(reverse("console:alerts"))
    link = f"{reverse('console:loops-new')}?alert={alert.pk}"
    assert link in alerts_page.content.decode()

    form = client.get(link)
    page = form.content.decode()
    assert form.status_code == 200
    assert "4 casos, de 3 personas." in page
    assert "Parques del barrio" in page

    missing = client.post(
        reverse("console:loops-new"),
        {
            "service": service.code,
            "district": "Ensanche",
            "since": form.context["values"]["since"],
            "until": form.context["values"]["until"],
            "alert": str(alert.pk),
            "survey": "",
        },
    )
    assert missing.status_code == 422
    assert "Elija la consulta" in missing.content.decode()

    done = client.post(
        reverse("console:loops-new"),
        {
            **{k: form.context["values"][k] for k in ("service", "district", "since", "until")},
            "alert": str(alert.pk),
            "survey": f"survey:{survey.pk}",
        },
        follow=True,
    )
    loop = Loop.objects.get()
    assert loop.alert == alert
    body = done.content.decode()
    assert "Se ha avisado a 2 de las 3 personas que reclamaron." in body
    assert "Esperando a que se atiendan: 4" in body

    client.post(reverse("console:loop", args=[loop.pk]), {"outcome_es": "Se arreglarán."})
    loop.refresh_from_db()
    assert loop.outcome_at is not None and loop.outcome_es == "Se arreglarán."

    # The citizen sees it on their case in the portal.
    ana = complaints["ana"]
    mine = portal_client(ana, "en").get(
        reverse("portal:case", args=[complaints["cases"][0].reference])
    )
    text = mine.content.decode()
    assert "Neighbourhood parks" in text and "Se arreglarán." in text


def test_the_menu_offers_it_to_supervisors_only(make_staff: Any, town: Any) -> None:
    supervisor = sign_in(Client(), make_staff("sup", "ayto", "supervisor"))
    agent = sign_in(Client(), make_staff("ag", "ayto", "agent"))
    url = reverse("console:loops")
    assert url in supervisor.get(reverse("console:home")).content.decode()
    assert url not in agent.get(reverse("console:home")).content.decode()
    assert agent.get(url).status_code == 403


def test_complaints_can_be_tied_to_a_citizen_proposal_instead(
    supervisor: Any, actor: Any, service: Any, complaints: dict[str, Any], town: Any
) -> None:
    from ventanilla.proposals.models import Proposal

    proposal = Proposal.objects.create(
        agency=town["ayto"], title="Farolas LED en el Ensanche", summary="Cambiarlas todas."
    )
    Notification.objects.all().delete()
    loop = loop_open(actor=supervisor, cluster=_cluster(service), proposal_id=proposal.pk)
    assert loop.target_title == "Farolas LED en el Ensanche"
    to_ana = Notification.objects.get(party=complaints["ana"], medium="email")
    assert "Residents have proposed" in to_ana.body
    assert f"/portal/proposals/{proposal.pk}/" in to_ana.body
    with pytest.raises(ValidationFailed):
        loop_open(
            actor=supervisor,
            cluster=_cluster(service),
            survey_id=load().pk,
            proposal_id=proposal.pk,
        )
    mine = portal_client(complaints["luis"], "es").get(
        reverse("portal:case", args=[complaints["cases"][2].reference])
    )
    assert "Farolas LED en el Ensanche" in mine.content.decode()
    assert f"/portal/proposals/{proposal.pk}/" in mine.content.decode()
    # Withdrawn by its author later: the banner says so and links to no page that is gone.
    Proposal.objects.filter(pk=proposal.pk).update(status=Proposal.Status.WITHDRAWN)
    later = portal_client(complaints["luis"], "es").get(
        reverse("portal:case", args=[complaints["cases"][2].reference])
    )
    assert "Su autor la ha retirado después." in later.content.decode()
    assert f"/portal/proposals/{proposal.pk}/" not in later.content.decode()


def test_complaints_are_taken_only_to_what_the_supervisors_agencies_run(
    supervisor: Any, service: Any, complaints: dict[str, Any]
) -> None:
    elsewhere = load(agency="salud")
    assert f"survey:{elsewhere.pk}" not in dict(targets_open(actor=supervisor)["survey"])
    with pytest.raises(ValidationFailed):
        loop_open(actor=supervisor, cluster=_cluster(service), survey_id=elsewhere.pk)
    assert not Loop.objects.exists()
