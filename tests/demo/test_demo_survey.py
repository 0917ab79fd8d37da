"""The demo has one open survey for the portal, loaded once however often the demo runs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ventanilla.demo.surveys import demo_survey_ensure
from ventanilla.surveys.models import Survey

pytestmark = pytest.mark.django_db


def test_the_demo_survey_is_loaded_once_and_kept_open(town: Any) -> None:
    first = demo_survey_ensure()
    Survey.objects.filter(pk=first.pk).update(
        opens_at=timezone.now() - timedelta(days=90), closes_at=timezone.now() - timedelta(days=1)
    )

    again = demo_survey_ensure()

    assert again.pk == first.pk
    assert Survey.objects.count() == 1
    assert again.questions.count() == 6
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/portal/surveys/").content.decode()
    assert "Parks and green spaces" in page
