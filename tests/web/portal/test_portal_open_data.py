"""The open data in the portal: before the first publication a date for it; after, the files
by name with their rows, each field described in the reader's language, and the files as
written, fetchable from any site; nothing else from the folder is served."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.web.console.test_analytics_page import a_warehouse
from ventanilla.warehouse.opendata import TABLES, fields_of, open_data_write

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(settings: Any, tmp_path: Path) -> Path:
    settings.VENTANILLA_OPEN_DATA_DIR = tmp_path / "opendata"
    return settings.VENTANILLA_OPEN_DATA_DIR


@pytest.fixture
def published(folder: Path, tmp_path: Path) -> Path:
    open_data_write(directory=folder, path=a_warehouse(tmp_path / "warehouse.duckdb"))
    return folder


def test_before_the_first_publication_the_page_says_when_it_comes(
    folder: Path, settings: Any
) -> None:
    settings.VENTANILLA_WAREHOUSE_HOUR = 2
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    page = client.get("/portal/open-data/").content.decode()

    assert "Not published yet" in page and "at 02:00" in page
    assert client.get("/portal/open-data/service-requests.json").status_code == 404


def test_the_files_are_listed_by_name_with_each_field_described_in_spanish(
    published: Path,
) -> None:
    page = Client(HTTP_ACCEPT_LANGUAGE="es").get("/portal/open-data/").content.decode()

    assert "Datos abiertos: solicitudes de servicio" in page
    assert 'href="/portal/open-data/service-requests-by-service.csv"' in page
    assert "Solicitudes por servicio" in page and "Publicados el" in page
    assert "Las tres tablas, con sus campos descritos" in page
    assert "Cuántas solicitudes; vacío si está suprimido." in page


def test_each_file_is_served_as_written_to_any_site(published: Path) -> None:
    client = Client()
    for table in TABLES:
        name = f"service-requests-{table.name.replace('_', '-')}.csv"
        response = client.get(f"/portal/open-data/{name}")

        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert response["Access-Control-Allow-Origin"] == "*"
        body = b"".join(response.streaming_content)
        assert body == (published / name).read_bytes()
        header = next(csv.reader(io.StringIO(body.decode())))
        assert header == [field for field, *_ in fields_of(table)]
    document = client.get("/portal/open-data/service-requests.json")
    assert json.loads(b"".join(document.streaming_content))["dataset"] == "service-requests"


def test_nothing_else_in_the_folder_is_served(published: Path) -> None:
    (published / "notes.txt").write_text("private", encoding="utf-8")

    assert Client().get("/portal/open-data/notes.txt").status_code == 404
