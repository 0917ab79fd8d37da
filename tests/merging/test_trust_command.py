"""``ventanilla identity trust``: the order printed with names and codes, set with ``--order``,
and an unknown code refused with nothing written."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from ventanilla.audit.models import AuditEntry
from ventanilla.merging.models import SourceTrust


def trust(*arguments: str) -> str:
    out = io.StringIO()
    call_command("identity", "trust", *arguments, stdout=out)
    return out.getvalue()


def ranked() -> list[str]:
    return list(SourceTrust.objects.order_by("rank").values_list("agency__code", flat=True))


def test_the_order_is_printed_with_names_and_codes_and_the_agencies_not_ranked(
    town: Any,
) -> None:
    SourceTrust.objects.create(agency=town["salud"], rank=1)
    SourceTrust.objects.create(agency=town["padron"], rank=2)

    printed = trust()

    assert "1. Health (salud)\n  2. Register (padron)" in printed
    not_ranked = printed.split("Not ranked")[1]
    assert "Town hall (ayto)" in not_ranked and "Register" not in not_ranked


def test_with_no_order_it_says_every_register_is_trusted_alike(town: Any) -> None:
    assert "No agency is ranked" in trust()


def test_order_sets_the_whole_order_and_records_the_operator(town: Any) -> None:
    SourceTrust.objects.create(agency=town["ayto"], rank=1)

    printed = trust("--order", "padron", "salud", "--operator", "marta")

    assert ranked() == ["padron", "salud"]
    assert "1. Register (padron)" in printed
    entry = AuditEntry.objects.get(action="source_trust.set")
    assert entry.actor == "command:marta"


def test_an_unknown_code_is_refused_and_nothing_is_written(town: Any) -> None:
    SourceTrust.objects.create(agency=town["salud"], rank=1)

    with pytest.raises(
        CommandError, match="Nothing was changed: No agency has the code “hacienda”"
    ):
        trust("--order", "padron", "hacienda")

    assert ranked() == ["salud"]
    assert not AuditEntry.objects.filter(action="source_trust.set").exists()
