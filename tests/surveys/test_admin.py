"""Staff who manage the catalogue write surveys in the admin, questions inline; the questions'
rules are the loader's; staff without that scope are refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import sign_in
from ventanilla.audit.models import AuditEntry
from ventanilla.surveys.models import Survey

pytestmark = pytest.mark.django_db


def admin_user(make_staff: Any, username: str, role: str) -> Client:
    user = make_staff(username, "ayto", role)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), user)


def survey_form(town: dict[str, Any], options: str) -> dict[str, Any]:
    now = timezone.localtime()
    closes = now + timedelta(days=7)
    return {
        "agency": str(town["ayto"].pk),
        "title_es": "Horarios de la biblioteca",
        "title_en": "",
        "introduction_es": "",
        "introduction_en": "",
        "opens_at_0": now.date().isoformat(),
        "opens_at_1": "08:00:00",
        "closes_at_0": closes.date().isoformat(),
        "closes_at_1": "20:00:00",
        "once_per_person": "on",
        "questions-TOTAL_FORMS": "1",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
        "questions-0-position": "1",
        "questions-0-kind": "single",
        "questions-0-required": "on",
        "questions-0-text_es": "¿Abrir los sábados?",
        "questions-0-text_en": "",
        "questions-0-options_es": options,
        "questions-0-options_en": "[]",
        "questions-0-scale_max": "5",
        "questions-0-condition_question": "",
        "questions-0-condition_option": "",
    }


def test_a_catalogue_manager_writes_a_survey_with_its_questions(
    town: dict[str, Any], make_staff: Any
) -> None:
    client = admin_user(make_staff, "jefa", "supervisor")

    response = client.post("/admin/surveys/survey/add/", survey_form(town, '["Sí", "No"]'))

    assert response.status_code == 302, response.content.decode()[:3000]
    survey = Survey.objects.get()
    assert survey.created_by_label == "jefa"
    assert survey.questions.get().options_es == ["Sí", "No"]
    assert AuditEntry.objects.filter(action="admin.change", actor="jefa").exists()


def test_the_admin_refuses_a_choice_question_with_one_option(
    town: dict[str, Any], make_staff: Any
) -> None:
    client = admin_user(make_staff, "jefa", "supervisor")

    response = client.post("/admin/surveys/survey/add/", survey_form(town, '["Sí"]'))

    assert response.status_code == 200
    assert "Give between 2 and 30 options." in response.content.decode()
    assert not Survey.objects.exists()


def test_staff_who_do_not_manage_the_catalogue_cannot_write_surveys(
    town: dict[str, Any], make_staff: Any
) -> None:
    client = admin_user(make_staff, "agente", "agent")

    response = client.post("/admin/surveys/survey/add/", survey_form(town, '["Sí", "No"]'))

    assert response.status_code == 403
    assert not Survey.objects.exists()
