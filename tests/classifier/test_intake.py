"""A case opened from an email's free text: the classifier's service when it is sure enough,
else the general service and triage; every suggestion logged without the text, and settled
when staff set or keep the service."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.conftest import sign_in
from ventanilla.access.actors import actor_for_user
from ventanilla.cases.models import Case, CaseEvent
from ventanilla.cases.services import case_transition
from ventanilla.catalog.models import Agency, PublicService
from ventanilla.catalog.services import service_ensure
from ventanilla.classifier import learning
from ventanilla.classifier.models import ModelDecision
from ventanilla.classifier.selectors import production_accuracy
from ventanilla.classifier.services import (
    decision_settle,
    decisions_settle_finished,
    model_save,
)
from ventanilla.mail.services import mail_receive

pytestmark = pytest.mark.django_db

LAMP = "Hola, la farola de mi calle lleva tres noches apagada. Un saludo, Lucía"
EXAMPLES = {
    "alumbrado-publico": [
        "farola apagada en mi calle",
        "la farola no funciona",
        "farola fundida",
        "se ha fundido la farola de la plaza",
        "las farolas estan apagadas y la calle esta oscura",
        "street light broken",
    ],
    "licencia-obra-menor": [
        "quiero reformar el baño",
        "licencia para obra en la cocina",
        "permiso de obra menor para cambiar ventanas",
        "reforma de la cocina y el suelo",
        "obra pequeña en casa, azulejos",
        "permit to redo my bathroom",
    ],
}


@pytest.fixture
def general(
    town: dict[str, Agency], service: PublicService, settings: Any, tmp_path: Any
) -> PublicService:
    """Email opens cases of a general service with no department: routing sends them to triage."""
    settings.VENTANILLA_CLASSIFIER_DIR = tmp_path / "models"
    service_ensure(
        code="alumbrado-publico",
        name_es="Avería del alumbrado público",
        name_en="Street lighting fault",
        department=town["padron"],
        channels=["web", "email"],
    )
    general = service_ensure(
        code="consulta-general",
        name_es="Consulta general",
        name_en="General enquiry",
        department=None,
        competent_agency=town["ayto"],
        channels=["email"],
    )
    settings.VENTANILLA_TRIAGE_DEPARTMENT = "ayto"
    settings.VENTANILLA_MAIL_SERVICE = general.code
    settings.VENTANILLA_CLASSIFIER_THRESHOLD = 0.5
    return general


@pytest.fixture
def model(general: PublicService, settings: Any) -> str:
    texts = [text for examples in EXAMPLES.values() for text in examples]
    labels = [code for code, examples in EXAMPLES.items() for _ in examples]
    fitted = learning.char_word_model().fit(texts, labels)
    assert isinstance(fitted, learning.Linear)
    return model_save(model=fitted, training_size=len(texts), metrics={}).version


def email(text: str) -> bytes:
    return (
        "From: Lucía Gómez <lucia@example.es>\r\nSubject: Aviso\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n" + text
    ).encode()


def test_a_confident_suggestion_opens_the_case_under_the_suggested_service(
    model: str, town: dict[str, Agency]
) -> None:
    message = mail_receive(raw=email(LAMP), source="imap")

    case = message.case
    assert case is not None
    assert case.service.code == "alumbrado-publico"
    assert case.department_id == town["padron"].pk and not case.triage
    decision = ModelDecision.objects.get()
    assert decision.case_id == case.pk
    assert (decision.model_version, decision.door) == (model, "email")
    assert decision.suggested_service == "alumbrado-publico"
    assert 0.5 <= decision.confidence <= 1 and decision.applied
    assert decision.outcome == ModelDecision.Outcome.PENDING


def test_the_log_holds_a_digest_and_length_of_the_text_never_the_text(model: str) -> None:
    message = mail_receive(raw=email(LAMP), source="imap")

    decision = ModelDecision.objects.get()
    assert re.fullmatch(r"[0-9a-f]{64}", decision.input_digest)
    assert message.case is not None
    assert decision.input_length == len(message.case.description)
    stored = " ".join(str(value) for value in ModelDecision.objects.values().get().values())
    for word in ("farola", "Lucía", "noches", "lucia@example.es"):
        assert word not in stored


def test_below_the_threshold_the_case_goes_to_triage_and_the_suggestion_is_still_logged(
    model: str, general: PublicService, settings: Any, town: dict[str, Agency]
) -> None:
    settings.VENTANILLA_CLASSIFIER_THRESHOLD = 0.999

    message = mail_receive(raw=email(LAMP), source="imap")

    case = message.case
    assert case is not None and case.service_id == general.pk
    assert case.triage and case.department_id == town["ayto"].pk
    decision = ModelDecision.objects.get()
    assert decision.suggested_service == "alumbrado-publico" and not decision.applied


def test_without_a_trained_model_intake_is_as_before_and_nothing_is_logged(
    general: PublicService,
) -> None:
    message = mail_receive(raw=email(LAMP), source="imap")

    assert message.case is not None and message.case.service_id == general.pk
    assert not ModelDecision.objects.exists()


def test_staff_keeping_the_suggested_service_records_it_as_accepted(
    model: str, make_staff: Any
) -> None:
    staff = actor_for_user(make_staff("agente", agency="padron"))
    case = mail_receive(raw=email(LAMP), source="imap").case
    assert case is not None

    decision_settle(actor=staff, case_id=case.pk, service_code="alumbrado-publico")

    decision = ModelDecision.objects.get()
    assert decision.outcome == ModelDecision.Outcome.ACCEPTED
    assert decision.final_service == "alumbrado-publico"
    assert decision.settled_by == staff.label and decision.settled_at is not None
    [row] = production_accuracy()
    assert (row.version, row.suggestions, row.settled, row.accepted) == (model, 1, 1, 1)


def test_staff_changing_the_service_moves_the_case_and_records_it_as_changed(
    model: str, make_staff: Any, general: PublicService, settings: Any, town: dict[str, Agency]
) -> None:
    settings.VENTANILLA_CLASSIFIER_THRESHOLD = 0.999
    staff = actor_for_user(make_staff("triaje", agency="ayto"))
    case = mail_receive(raw=email(LAMP), source="imap").case
    assert case is not None and case.triage

    decision_settle(actor=staff, case_id=case.pk, service_code="licencia-obra-menor")

    case.refresh_from_db()
    assert case.service.code == "licencia-obra-menor"
    assert case.department_id == town["urbanismo"].pk and not case.triage
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.TRANSFER).exists()
    decision = ModelDecision.objects.get()
    assert decision.outcome == ModelDecision.Outcome.CHANGED
    assert decision.final_service == "licencia-obra-menor"
    [row] = production_accuracy()
    assert (row.settled, row.accepted, row.accepted_rate) == (1, 0, 0.0)


def test_a_case_finished_under_the_suggested_service_settles_its_suggestion_as_accepted(
    model: str, make_staff: Any
) -> None:
    staff = actor_for_user(make_staff("agente", agency="padron"))
    case = mail_receive(raw=email(LAMP), source="imap").case
    assert case is not None
    for action in ("accept", "start", "resolve", "close"):
        case_transition(actor=staff, case_id=case.pk, action=action, reason="Arreglada")

    assert decisions_settle_finished() == 1

    assert ModelDecision.objects.get().outcome == ModelDecision.Outcome.ACCEPTED
    assert Case.objects.get(pk=case.pk).service.code == "alumbrado-publico"
    assert decisions_settle_finished() == 0


def test_staff_see_the_suggestion_on_the_case_page_and_set_another_service(
    model: str, make_staff: Any, settings: Any, town: dict[str, Agency]
) -> None:
    settings.VENTANILLA_CLASSIFIER_THRESHOLD = 0.999
    user = make_staff("triaje", agency="ayto")
    case = mail_receive(raw=email(LAMP), source="imap").case
    assert case is not None
    client = sign_in(Client(), user)

    page = client.get(f"/console/cases/{case.reference}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    text = page.content.decode()
    assert "The model read this request as “Street lighting fault”" in text
    assert "Not sure enough: the case went to triage." in text

    answer = client.post(
        f"/console/cases/{case.reference}/service/",
        {"service": "licencia-obra-menor", "version": case.version},
    )

    assert answer.status_code == 302
    case.refresh_from_db()
    assert case.service.code == "licencia-obra-menor" and not case.triage
    assert ModelDecision.objects.get().outcome == ModelDecision.Outcome.CHANGED


def test_setting_an_unknown_service_is_refused_beside_the_form(
    model: str, make_staff: Any, settings: Any
) -> None:
    user = make_staff("agente", agency="padron")
    case = mail_receive(raw=email(LAMP), source="imap").case
    assert case is not None
    client = sign_in(Client(), user)

    answer = client.post(
        f"/console/cases/{case.reference}/service/",
        {"service": "no-such-service", "version": case.version},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert answer.status_code == 422
    assert "Unknown service." in answer.content.decode()
    assert ModelDecision.objects.get().outcome == ModelDecision.Outcome.PENDING
