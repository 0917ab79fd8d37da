"""Docs that are generated from the code stay in step with it."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.core.management import call_command

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_the_operations_page_lists_every_setting_as_the_code_reads_it() -> None:
    table = StringIO()
    call_command("settings_help", stdout=table)

    assert table.getvalue().strip() in (DOCS / "operations.md").read_text(encoding="utf-8")
