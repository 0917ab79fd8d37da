"""`ventanilla identity match`: other agencies' records of the same people end in one party each,
through the errors of Spanish registers, and never where the rules say two people differ."""

from __future__ import annotations

import random
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.factories import valid_dni
from ventanilla.access.actors import Actor
from ventanilla.audit.models import AuditEntry
from ventanilla.catalog.models import Agency
from ventanilla.demo.models import SyntheticTruth
from ventanilla.identity.matching import identity_match
from ventanilla.identity.models import MatchModel, MatchReview, SourceRecord
from ventanilla.parties.models import Party
from ventanilla.parties.services import ContactPointInput, IdentifierInput, party_create

SYSTEM = Actor(label="test:matching", sees_everything=True)
GIVEN = ["Carmen", "Antonio", "Dolores", "Manuel", "Rosa", "Francisco", "Pilar", "Javier",
         "Elena", "Miguel", "Sara", "Rafael", "Marta", "Alberto", "Nuria", "Sergio"]  # fmt: skip
SURNAMES = ["Navarro", "Romero", "Torres", "Domínguez", "Vázquez", "Ramos", "Gil", "Serrano",
            "Blanco", "Molina", "Morales", "Suárez", "Ortega", "Delgado", "Castro", "Ortiz",
            "Rubio", "Marín", "Iglesias", "Medina"]  # fmt: skip
ISABEL_DNI = valid_dni(41_234_567)
TOMAS_DNI = valid_dni(52_345_678)
LUCIA_DNI = valid_dni(63_456_789)
JUAN_DNIS = (valid_dni(74_567_890), valid_dni(85_678_901))


def wrong_letter(dni: str) -> str:
    return dni[:-1] + ("A" if dni[-1] != "A" else "B")


def record(agency: Agency, key: str, **fields: Any) -> SourceRecord:
    return SourceRecord.objects.create(agency=agency, source_key=key, **fields)


def plant(town: dict[str, Agency]) -> dict[str, Any]:
    """A register the town already knows one person of, and two agencies' records of people
    with the errors registers make; around them, people with one record each."""
    health, ayto = town["salud"], town["padron"]
    isabel = party_create(
        actor=SYSTEM,
        given_name="Isabel",
        family_name_1="Acosta",
        family_name_2="Fernández",
        birth_date=date(1978, 3, 14),
        identifiers=[IdentifierInput(scheme="dni", value=ISABEL_DNI, verified=True)],
        contact_points=[ContactPointInput(kind="email", value="isabel.acosta@example.es")],
    )
    planted = {
        "isabel": isabel,
        # The same DNI, valid: linked to the party by the rule.
        "isabel_dni": record(health, "H1", given_name="ISABEL", family_name_1="ACOSTA",
                             family_name_2="FERNANDEZ", birth_date=date(1978, 3, 14),
                             identifier=ISABEL_DNI),
        # Surnames swapped and no DNI: the model, on names, birth date and email.
        "isabel_swapped": record(ayto, "A1", given_name="Isabel", family_name_1="Fernández",
                                 family_name_2="Acosta", birth_date=date(1978, 3, 14),
                                 email="isabel.acosta@example.es", postal_code="41800"),
        "tomas": record(health, "H2", given_name="Tomás", family_name_1="Gómez",
                        family_name_2="Ruiz", birth_date=date(1990, 5, 2), identifier=TOMAS_DNI,
                        phone="600 111 222", postal_code="41801"),
        # Second surname missing, accent dropped, a wrong DNI letter.
        "tomas_variant": record(ayto, "A2", given_name="Tomas", family_name_1="Gomez",
                                birth_date=date(1990, 5, 2), identifier=wrong_letter(TOMAS_DNI),
                                phone="+34600111222", postal_code="41801"),
        "lucia": record(health, "H3", given_name="Lucía", family_name_1="Martín",
                        family_name_2="Sanz", birth_date=date(1985, 2, 7), identifier=LUCIA_DNI,
                        address="Calle Mayor, 3", postal_code="41802"),
        # Day and month swapped, a typo in the surname.
        "lucia_variant": record(ayto, "A3", given_name="Lucía", family_name_1="Martn",
                                family_name_2="Sanz", birth_date=date(1985, 7, 2),
                                identifier=LUCIA_DNI, address="Calle Mayor, 3",
                                postal_code="41802"),
        # A mother and her son share the family's email and address.
        "mother": record(health, "H4", given_name="Ana", family_name_1="Pérez",
                         family_name_2="López", birth_date=date(1970, 1, 1),
                         email="familia.perez@example.es", address="Calle Real, 9",
                         postal_code="41803"),
        "son": record(ayto, "A4", given_name="Pablo", family_name_1="Pérez",
                      family_name_2="López", birth_date=date(2005, 6, 6),
                      email="familia.perez@example.es", address="Calle Real, 9",
                      postal_code="41803"),
        # Namesakes born the same day, with two different valid DNIs.
        "juan_1": record(health, "H5", given_name="Juan", family_name_1="García",
                         family_name_2="López", birth_date=date(1980, 1, 1),
                         identifier=JUAN_DNIS[0], postal_code="41804"),
        "juan_2": record(ayto, "A5", given_name="Juan", family_name_1="García",
                         family_name_2="López", birth_date=date(1980, 1, 1),
                         identifier=JUAN_DNIS[1], postal_code="41804"),
        # The same name, a surname missing, no birth date, another postal code: likely, not
        # certain.
        "carmen": record(health, "H6", given_name="Remedios", family_name_1="Escribano",
                         family_name_2="Olmedo", birth_date=date(1951, 4, 20),
                         postal_code="41805"),
        "carmen_maybe": record(ayto, "A6", given_name="Remedios", family_name_1="Escribano",
                               postal_code="41809"),
    }  # fmt: skip
    rng = random.Random(12)
    for n in range(60):
        born = date(rng.randint(1930, 2015), rng.randint(1, 12), rng.randint(1, 28))
        family_1, family_2 = rng.sample(SURNAMES, 2)
        record(health if n % 2 else ayto, f"B{n}", given_name=rng.choice(GIVEN),
               family_name_1=family_1, family_name_2=family_2, birth_date=born,
               identifier=valid_dni(10_000_000 + n * 7919), postal_code=f"4180{n % 6}")  # fmt: skip
    return planted


def party_of(source: SourceRecord) -> Any:
    source.refresh_from_db()
    return source.party_id


@pytest.fixture
def matched(town: dict[str, Agency]) -> dict[str, Any]:
    planted = plant(town)
    identity_match(actor=SYSTEM)
    return planted


def test_records_of_one_person_share_a_party_through_register_errors(
    matched: dict[str, Any],
) -> None:
    assert party_of(matched["isabel_dni"]) == matched["isabel"].pk
    assert party_of(matched["isabel_swapped"]) == matched["isabel"].pk
    assert party_of(matched["tomas"]) == party_of(matched["tomas_variant"]) is not None
    assert party_of(matched["lucia"]) == party_of(matched["lucia_variant"]) is not None


def test_an_equal_valid_identifier_links_by_rule_and_the_rest_by_the_model_version(
    matched: dict[str, Any],
) -> None:
    by_rule = SourceRecord.objects.get(pk=matched["isabel_dni"].pk)
    by_model = SourceRecord.objects.get(pk=matched["isabel_swapped"].pk)

    assert (by_rule.decided_by, by_rule.match_score) == ("rule", 1.0)
    assert by_model.decided_by == "model v1"
    assert by_model.match_score is not None and by_model.match_score >= 0.99


def test_two_different_valid_dnis_never_share_a_party(matched: dict[str, Any]) -> None:
    assert party_of(matched["juan_1"]) != party_of(matched["juan_2"])


def test_family_members_sharing_an_email_stay_apart(matched: dict[str, Any]) -> None:
    assert party_of(matched["mother"]) != party_of(matched["son"])


def test_every_record_ends_in_exactly_one_party_made_through_the_service(
    matched: dict[str, Any],
) -> None:
    assert not SourceRecord.objects.filter(party__isnull=True).exists()
    new_parties = Party.objects.exclude(pk=matched["isabel"].pk)
    assert new_parties.count() == SourceRecord.objects.values("party").distinct().count() - 1
    tomas = Party.objects.get(pk=party_of(matched["tomas"]))
    # The most complete record gives the party its name and its valid DNI.
    assert (tomas.given_name, tomas.family_name_2) == ("Tomás", "Ruiz")
    assert tomas.identifiers.get().value == TOMAS_DNI


def test_a_second_run_changes_nothing(matched: dict[str, Any]) -> None:
    before = list(SourceRecord.objects.order_by("pk").values_list("pk", "party", "decided_by"))
    parties = Party.objects.count()
    out = StringIO()

    call_command("identity", "match", "--no-progress", stdout=out)

    assert "Nothing to match" in out.getvalue()
    assert (
        list(SourceRecord.objects.order_by("pk").values_list("pk", "party", "decided_by")) == before
    )
    assert Party.objects.count() == parties
    assert MatchModel.objects.count() == 1


def test_a_likely_but_uncertain_pair_is_stored_for_review_with_its_weights(
    matched: dict[str, Any],
) -> None:
    review = MatchReview.objects.get(
        record__in=[matched["carmen"], matched["carmen_maybe"]],
        other_record__in=[matched["carmen"], matched["carmen_maybe"]],
    )

    assert 0.5 <= review.probability < 0.99
    assert review.status == MatchReview.Status.OPEN
    weights = {item["comparison"]: item for item in review.comparisons}
    assert weights["surnames"]["level"] == "one surname missing"
    assert weights["surnames"]["weight"] > 0
    assert weights["address"]["weight"] < 0
    assert party_of(matched["carmen"]) != party_of(matched["carmen_maybe"])


def test_the_model_is_saved_as_splink_writes_it_with_a_new_version(
    town: dict[str, Agency],
) -> None:
    plant(town)
    MatchModel.objects.create(version=4, settings={}, active=False)

    identity_match(actor=SYSTEM)

    model = MatchModel.objects.get(version=5)
    assert (model.link_threshold, model.review_threshold) == (0.99, 0.5)
    assert model.settings["link_type"] == "dedupe_only"
    assert {c["output_column_name"] for c in model.settings["comparisons"]} >= {
        "given_name", "surnames", "identifier", "birth_date", "email", "phone", "address"
    }  # fmt: skip
    entry = AuditEntry.objects.get(action="identity.match")
    assert entry.detail["version"] == 5


def test_matching_never_reads_the_ground_truth(town: dict[str, Agency]) -> None:
    plant(town)
    table = SyntheticTruth._meta.db_table

    with CaptureQueriesContext(connection) as queries:
        call_command("identity", "match", "--no-progress", stdout=StringIO())

    assert queries.captured_queries
    assert not [q for q in queries.captured_queries if table in q["sql"]]


def test_only_the_named_agencies_records_are_matched(town: dict[str, Agency]) -> None:
    planted = plant(town)

    call_command("identity", "match", "--agencies", "salud", "--no-progress", stdout=StringIO())

    assert party_of(planted["tomas"]) is not None
    assert party_of(planted["tomas_variant"]) is None


def test_an_unknown_agency_is_a_clear_error_and_nothing_is_written(
    town: dict[str, Agency],
) -> None:
    plant(town)

    with translation.override("en"), pytest.raises(CommandError, match="Unknown agency: hacienda"):
        call_command("identity", "match", "--agencies", "hacienda", "--no-progress")

    assert not SourceRecord.objects.filter(party__isnull=False).exists()
    assert not MatchModel.objects.exists()
