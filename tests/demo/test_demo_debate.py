"""The demo has one debate with a thread and a reported comment, opened once however often the
demo runs."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.factories import make_party
from ventanilla.debates.models import Comment, Debate, Report
from ventanilla.demo.debates import demo_debate_ensure

pytestmark = pytest.mark.django_db


def test_the_demo_debate_is_opened_once_with_its_thread(actor: Any) -> None:
    for _ in range(6):
        make_party(actor)

    first = demo_debate_ensure()
    again = demo_debate_ensure()

    assert first is not None and again == first
    assert Debate.objects.count() == 1
    assert Comment.objects.count() == 5
    assert Comment.objects.filter(depth=2).count() == 1
    assert Report.objects.count() == 1
    page = Client().get(f"/portal/debates/{first.pk}/").content.decode()
    assert "terrazas" in page
