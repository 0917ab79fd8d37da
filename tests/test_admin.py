"""The admin's lists open for an administrator on every model it shows."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client

from tests.conftest import PASSWORD, sign_in
from tests.factories import make_party

pytestmark = pytest.mark.django_db


def test_every_admin_list_opens(actor: Any) -> None:
    make_party(actor)
    get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    client = Client()
    sign_in(client, "root")

    for model in admin.site._registry:
        meta = model._meta
        response = client.get(f"/admin/{meta.app_label}/{meta.model_name}/")
        assert response.status_code == 200, f"{meta.label}: {response.status_code}"
