"""Who may take part where residence is the rule: a person of the municipal register, read from
their own record. A resident is a living person (not merged, not erased) with a current postal
address in this municipality that names its district; their age is the one the administration
sets for taking part (``VENTANILLA_PARTICIPATION_MIN_AGE``). Proposals' supports and the votes of
a participatory budget ask the same question here, so every door refuses the same."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.core.statements import columns_of, fields_of_all, instance_of, read_one
from ventanilla.parties.models import ContactPoint, Party


@dataclass(frozen=True)
class Residence:
    district: str
    address: str


class NotEligible(Exception):
    """The person may not take part; ``message`` says why, in the reader's language, and
    ``reason`` names the rule broken (``not_a_person``, ``not_resident``, ``under_age``,
    ``age_unknown``, ``other_district``)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def _current_addresses(today: date) -> QuerySet[ContactPoint]:
    """Postal addresses in this municipality, naming their district, valid on ``today``: the
    preferred first, then the newest."""
    ours = settings.VENTANILLA_MUNICIPALITY
    return (
        ContactPoint.objects.filter(kind=ContactPoint.Kind.POSTAL)
        .exclude(district="")
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .filter(Q(municipality="") | Q(municipality__iexact=ours))
        .order_by("-preferred", "-created_at", "pk")
    )


# What ``_current_addresses`` picks, for one person, as a subquery: its conditions written
# out once more so that the query is not built again on every support and vote (building it
# cost more than running it). tests/parties/test_residence.py holds the two to the same answer.
_CURRENT = """
    SELECT {column} FROM parties_contactpoint AS address
    WHERE address.party_id = party.id AND address.kind = %s AND address.district <> ''
        AND (address.valid_until IS NULL OR address.valid_until >= %s)
        AND (address.municipality = '' OR UPPER(address.municipality) = UPPER(%s))
    ORDER BY address.preferred DESC, address.created_at DESC, address.id
    LIMIT 1
"""
_WITH_RESIDENCE = f"""
SELECT {columns_of(Party, "party")},
    ({_CURRENT.format(column="address.district")}) AS residence_district,
    ({_CURRENT.format(column="address.value")}) AS residence_address
FROM parties_party AS party
WHERE party.id = %s AND party.status = %s
"""  # noqa: S608 - made of the constant above; the values are parameters


def party_with_residence(party_id: Any, *, today: date | None = None) -> Party | None:
    """The active party ``party_id`` with its residence on ``today`` read in the same query, so
    that ``residence_of`` and ``participant_check`` on it read nothing more (a support or a
    vote asks both on every click); None when there is no such active party."""
    today = today or timezone.localdate()
    try:
        key = Party._meta.pk.get_db_prep_value(party_id, connection)
    except ValidationError:
        return None
    address = [
        ContactPoint.Kind.POSTAL,
        connection.ops.adapt_datefield_value(today),
        settings.VENTANILLA_MUNICIPALITY,
    ]
    found = read_one(
        _WITH_RESIDENCE,
        [*address, *address, key, Party.Status.ACTIVE],
        [*fields_of_all(Party), None, None],
    )
    if found is None:
        return None
    party = instance_of(Party, found[:-2])
    party.residence_district, party.residence_address = found[-2:]  # type: ignore[attr-defined]
    party.residence_on = today  # type: ignore[attr-defined]
    return party


def residence_of(party: Party, *, today: date | None = None) -> Residence | None:
    """The district the register has the person living in today, or None."""
    if party.kind != Party.Kind.PERSON or party.status != Party.Status.ACTIVE:
        return None
    today = today or timezone.localdate()
    if getattr(party, "residence_on", None) == today:
        # Read with the party by ``party_with_residence``.
        district = party.residence_district  # type: ignore[attr-defined]
        if not district:
            return None
        return Residence(district=district, address=party.residence_address)  # type: ignore[attr-defined]
    address = _current_addresses(today).filter(party=party).values_list("district", "value")[:1]
    if not address:
        return None
    district, value = address[0]
    return Residence(district=district, address=value)


def age_on(birth_date: date, today: date) -> int:
    return (
        today.year
        - birth_date.year
        - ((today.month, today.day) < (birth_date.month, birth_date.day))
    )


def participant_check(party: Party, *, district: str = "", today: date | None = None) -> Residence:
    """The person's residence when they may take part (in ``district``, when one is given);
    raises ``NotEligible`` otherwise."""
    today = today or timezone.localdate()
    if party.kind != Party.Kind.PERSON:
        raise NotEligible("not_a_person", _("Only people take part, not organisations."))
    residence = residence_of(party, today=today)
    if residence is None:
        raise NotEligible(
            "not_resident",
            _(
                "Only residents registered in %(municipality)s may take part. If you live here, "
                "ask at any service desk to be registered."
            )
            % {"municipality": settings.VENTANILLA_MUNICIPALITY},
        )
    minimum = settings.VENTANILLA_PARTICIPATION_MIN_AGE
    if minimum > 0:
        if party.birth_date is None:
            raise NotEligible(
                "age_unknown",
                _("Your record has no birth date, so your age cannot be checked. Ask at a desk."),
            )
        if age_on(party.birth_date, today) < minimum:
            raise NotEligible(
                "under_age",
                _("You may take part from the age of %(age)d.") % {"age": minimum},
            )
    if district and residence.district.casefold() != district.casefold():
        raise NotEligible(
            "other_district",
            _(
                "Only residents of %(district)s may take part here; the register has you in "
                "%(yours)s."
            )
            % {"district": district, "yours": residence.district},
        )
    return residence
