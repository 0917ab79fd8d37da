"""The API contract is generated from the code and committed in docs/openapi.json: a change of
the code that changes the contract fails here until the file is regenerated (`make openapi`)
and the change is looked at on purpose."""

from __future__ import annotations

import json
from pathlib import Path

from django.test import Client

from ventanilla.api.urls import api

COMMITTED = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def test_the_generated_openapi_document_matches_the_committed_one() -> None:
    generated = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1/")))
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert generated == committed, "the API contract changed: run `make openapi` and review it"


def test_the_api_serves_its_openapi_document_and_docs_without_any_cdn() -> None:
    client = Client()
    schema = client.get("/api/v1/openapi.json")
    docs = client.get("/api/v1/docs")

    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.1")
    assert docs.status_code == 200
    assert b"cdn." not in docs.content
    assert b"/static/ninja/swagger-ui-bundle.js" in docs.content
