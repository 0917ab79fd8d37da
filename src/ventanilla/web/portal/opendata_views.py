"""The open data of service requests in the portal, /portal/open-data/: what the files hold, field
by field in the reader's language, and the files themselves as the nightly build published them
(anyone may fetch them, from any site)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ventanilla.warehouse.opendata import JSON_NAME, TABLES, csv_name, file_names, published

TABLE_TITLES = {
    "by_service": gettext_lazy("Requests by service"),
    "by_district": gettext_lazy("Requests by district"),
    "by_channel": gettext_lazy("Requests by channel"),
}
FIELDS = (
    ("year, month", gettext_lazy("every table"), gettext_lazy("whole number"),
     gettext_lazy("When the requests were made (Spanish time); the month from 1 to 12.")),
    ("service_code", gettext_lazy("the table by service"), gettext_lazy("text"),
     gettext_lazy("The service asked for, as the catalogue of services codes it.")),
    ("service_name_es, service_name_en", gettext_lazy("the table by service"), gettext_lazy("text"),
     gettext_lazy("Its name in Spanish and in English.")),
    ("district", gettext_lazy("the table by district"), gettext_lazy("text"),
     gettext_lazy("The district the request is about; empty when it named none.")),
    ("channel_code", gettext_lazy("the table by channel"), gettext_lazy("text"),
     gettext_lazy("The way it came in: web, phone, desk, email, open311…")),
    ("channel_name_es, channel_name_en", gettext_lazy("the table by channel"), gettext_lazy("text"),
     gettext_lazy("Its name in Spanish and in English.")),
    ("status", gettext_lazy("every table"), gettext_lazy("text"),
     gettext_lazy("“open”, or “closed” (resolved, rejected or cancelled) on the day published.")),
    ("requests", gettext_lazy("every table"), gettext_lazy("whole number"),
     gettext_lazy("How many requests; empty when suppressed.")),
    ("suppressed", gettext_lazy("every table"), gettext_lazy("true or false"),
     gettext_lazy("“true” when the count is hidden to protect the few people behind it.")),
)  # fmt: skip
TYPES = {".csv": "text/csv; charset=utf-8", ".json": "application/json"}


def _folder() -> Path:
    return Path(settings.VENTANILLA_OPEN_DATA_DIR)


def open_data(request: HttpRequest) -> HttpResponse:
    """What the open data holds and where to download it; before the first publication, when
    it will come."""
    document = published(_folder())
    files = []
    if document is not None:
        for table in TABLES:
            name = csv_name(table)
            files.append(
                {
                    "name": name,
                    "title": TABLE_TITLES[table.name],
                    "format": "CSV",
                    "rows": document["tables"].get(table.name, 0),
                    "size": _size(name),
                }
            )
        files.append(
            {
                "name": JSON_NAME,
                "title": _("The three tables, with their fields described"),
                "format": "JSON",
                "rows": sum(document["tables"].values()),
                "size": _size(JSON_NAME),
            }
        )
    return render(
        request,
        "portal/open_data.html",
        {
            "document": document,
            "generated": _moment(document.get("generated_at") if document else None),
            "files": files,
            "fields": FIELDS,
            "threshold": settings.VENTANILLA_SMALL_CELL_THRESHOLD,
            "hour": f"{settings.VENTANILLA_WAREHOUSE_HOUR:02d}",
        },
    )


def _size(name: str) -> int:
    try:
        return (_folder() / name).stat().st_size
    except FileNotFoundError:
        return 0


def _moment(text: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def open_data_file(request: HttpRequest, name: str) -> FileResponse:
    """One file of the last publication, as it was written; any site may fetch it."""
    if name not in file_names():
        raise Http404(_("There is no such file of open data."))
    try:
        handle = (_folder() / name).open("rb")
    except FileNotFoundError as missing:
        raise Http404(_("The open data has not been published yet.")) from missing
    response = FileResponse(handle, content_type=TYPES[Path(name).suffix], filename=name)
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=3600"
    return response
