"""The admin reads in one language: every field of our models it shows has a name, and every
help text, translated into Spanish, so a Spanish administrator never meets 'deadline days'."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.test import Client, RequestFactory
from django.utils import translation
from django.utils.functional import Promise

from tests.conftest import PASSWORD, sign_in

pytestmark = pytest.mark.django_db
# Words that are the same in both languages.
SAME_IN_SPANISH = {"error", "SMS"}


def our_admins() -> list[tuple[type[models.Model], admin.ModelAdmin[Any]]]:
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model.__module__.startswith("ventanilla.")
    ]


def shown_fields(model: type[models.Model], model_admin: admin.ModelAdmin[Any]) -> set[str]:
    request = RequestFactory().get("/admin/")
    request.user = get_user_model()(is_superuser=True, is_staff=True)
    names = set(model_admin.get_fields(request)) | set(model_admin.get_list_display(request))
    names |= set(model_admin.get_list_filter(request))  # type: ignore[arg-type]
    model_fields = {field.name for field in model._meta.get_fields()}
    return {name for name in names if isinstance(name, str) and name in model_fields}


def untranslated(text: Any) -> bool:
    if not isinstance(text, Promise):
        return True
    with translation.override("en"):
        english = str(text)
    with translation.override("es"):
        spanish = str(text)
    return spanish == english and english not in SAME_IN_SPANISH


def test_every_field_the_admin_shows_of_our_models_has_a_spanish_name() -> None:
    missing = []
    for model, model_admin in our_admins():
        for name in sorted(shown_fields(model, model_admin)):
            field = model._meta.get_field(name)
            if untranslated(field.verbose_name):  # type: ignore[union-attr]
                missing.append(f"{model._meta.label}.{name}: {field.verbose_name!r}")  # type: ignore[union-attr]

    assert missing == []


def test_every_help_text_of_our_admin_models_is_translated() -> None:
    missing = [
        f"{model._meta.label}.{field.name}"
        for model, _admin in our_admins()
        for field in model._meta.get_fields()
        if getattr(field, "help_text", "") and untranslated(field.help_text)
    ]

    assert missing == []


def test_the_services_list_of_the_admin_reads_in_spanish(town: Any) -> None:
    get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    sign_in(client, "root")

    page = client.get("/admin/catalog/publicservice/add/").content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))

    assert "Plazo en días hábiles" in text
    assert "Organismo competente" in text
    assert "Deadline days" not in text
    assert "Competent agency" not in text
