"""A service request posted through Open311 becomes an ordinary case: on the reporter's party
when their email names one person, on a new party otherwise, and on the anonymous reporter when
no one is named and the service takes anonymous reports; opened by the cases service like any
other, on the ``open311`` channel."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.cases import services as case_services
from ventanilla.cases.models import Case
from ventanilla.catalog.models import PublicService
from ventanilla.core.contention import retry_on_contention
from ventanilla.core.errors import NotFound, ValidationFailed
from ventanilla.parties import selectors as party_selectors
from ventanilla.parties import services as party_services
from ventanilla.parties.models import ContactPoint, Party
from ventanilla.parties.validation import normalize_contact

CHANNEL = "open311"
SIGNING_NAMESPACE = "ventanilla.open311.token"


@dataclass(frozen=True)
class Report:
    """What a GeoReport ``POST requests`` carries, already read from the form."""

    service_code: str
    description: str = ""
    lat: float | None = None
    long: float | None = None
    address_string: str = ""
    address_id: str = ""
    zipcode: str = ""
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    media_url: str = ""
    form_data: dict[str, Any] = dataclasses.field(default_factory=dict)


def posting_actor(key_actor: Actor) -> Actor:
    """The key's ``open311:post`` stands for the two things a report needs and nothing more:
    opening a case and registering its reporter. The key keeps its name and agency, so the
    audit log says which integration did it."""
    require(key_actor, Scope.OPEN311_POST)
    return dataclasses.replace(
        key_actor, scopes=frozenset({Scope.CASES_WRITE, Scope.PARTIES_WRITE})
    )


def _known_reporter(actor: Actor, report: Report) -> Party | None:
    """The party the report is recorded on when there is one already: the one person holding
    the email; without an email, the anonymous reporter if the service takes anonymous reports
    and nothing else about a person was sent. None when a reporter must be registered."""
    if not report.email.strip():
        return _anonymous(actor, report)
    email, _normalized = normalize_contact(ContactPoint.Kind.EMAIL, report.email, field="email")
    return party_selectors.party_with_email(email)


def _new_reporter(actor: Actor, report: Report) -> Party:
    """A reporter we do not know yet, registered with the name and contacts given."""
    missing = {
        name: _("Needed to register a reporter we do not know yet.")
        for name, value in (("first_name", report.first_name), ("last_name", report.last_name))
        if not value.strip()
    }
    if missing:
        raise ValidationFailed(missing)
    email, _normalized = normalize_contact(ContactPoint.Kind.EMAIL, report.email, field="email")
    contacts = [party_services.ContactPointInput(kind=ContactPoint.Kind.EMAIL, value=email)]
    if report.phone.strip():
        contacts.append(
            party_services.ContactPointInput(kind=ContactPoint.Kind.PHONE, value=report.phone)
        )
    return party_services.party_create(
        actor=actor,
        given_name=report.first_name,
        family_name_1=report.last_name,
        contact_points=contacts,
    )


def _anonymous(actor: Actor, report: Report) -> Party:
    service = PublicService.objects.filter(code=report.service_code, active=True).first()
    if service is None:
        raise ValidationFailed({"service_code": _("Unknown service.")})
    if not service.anonymous_reports:
        raise ValidationFailed(
            {
                "email": _(
                    "Give the reporter's email: this service records every request on a person."
                )
            }
        )
    # A name or phone with no email is a person we could not find again: it is refused, not
    # dropped, so the reporter either gives an email or reports anonymously.
    named = {
        name: _("Without an email the report is anonymous: leave this out, or give an email.")
        for name, value in (
            ("first_name", report.first_name),
            ("last_name", report.last_name),
            ("phone", report.phone),
        )
        if value.strip()
    }
    if named:
        raise ValidationFailed(named)
    return party_services.anonymous_reporter(actor=actor)


@retry_on_contention
def request_post(*, key_actor: Actor, report: Report) -> Case:
    """Open the case a report asks for. A location is required, as GeoReport says: both
    coordinates, or an address."""
    actor = posting_actor(key_actor)
    if (
        report.lat is None
        and report.long is None
        and not (report.address_string.strip() or report.address_id.strip())
    ):
        raise ValidationFailed({"lat": _("Give lat and long, or address_string.")})
    place = ", ".join(
        part.strip() for part in (report.address_string, report.zipcode) if part.strip()
    )
    if report.address_id.strip():
        place = f"{place} [{report.address_id.strip()}]".strip()
    description = report.description.strip()
    if report.media_url.strip():
        # Cases hold no media link of their own: it is kept with what was reported.
        description = f"{description}\n\n{report.media_url.strip()}".strip()
    opening = partial(
        case_services.case_open,
        actor=actor,
        service_code=report.service_code,
        channel=CHANNEL,
        description=description,
        location_text=place[:300],
        latitude=report.lat,
        longitude=report.long,
        form_data=report.form_data,
    )
    reporter = _known_reporter(actor, report)
    if reporter is not None:
        # Nothing to register first: the case opens in transactions of its own, so the case
        # counter is held for an instant, not for the whole opening.
        return opening(party_id=reporter.pk, party=reporter)
    # A new reporter is registered only if the case opens: one transaction for both, tried again
    # as a whole when it meets another writer (case_open alone would not retry inside it).
    with transaction.atomic():
        reporter = _new_reporter(actor, report)
        return opening(party_id=reporter.pk, party=reporter)


def token_for(case: Case) -> str:
    """The opaque token GeoReport gives for a posted request; it names the case's reference,
    signed, so it cannot be made up."""
    return signing.dumps(case.reference, salt=SIGNING_NAMESPACE)


def reference_of_token(token: str) -> str:
    try:
        reference = signing.loads(token, salt=SIGNING_NAMESPACE)
    except signing.BadSignature as error:
        raise NotFound(_("No such token.")) from error
    return str(reference)
