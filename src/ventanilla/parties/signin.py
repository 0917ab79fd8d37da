"""The citizen portal's sign-in: a one-time link, valid for 15 minutes, emailed to the address on
record when a DNI/NIE and that address belong to the same active person.

The web request does the same work whether or not the details match (check them, count them,
look them up with one indexed query, queue one job) and never talks to the mail server: the job,
run by the worker, creates the link and sends it, and tries again when the mail server fails.
So neither the time of the answer, nor a hanging or broken mail server, tells a visitor whether a
person is on record, and no web process waits on SMTP.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor, actor_for_citizen
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.core.errors import DomainError, ValidationFailed
from ventanilla.core.i18n import SUPPORTED
from ventanilla.core.ratelimit import hit
from ventanilla.parties.models import ContactPoint, Identifier, Party, PortalSignInToken
from ventanilla.parties.services import ContactPointInput, IdentifierInput, party_create
from ventanilla.parties.validation import normalize_contact, normalize_identifier

logger = logging.getLogger(__name__)

LINK_MINUTES = 15
# (requests, seconds): per identifier, so nobody floods one person's inbox; per client address,
# so nobody walks through identifiers. Every request counts, matching or not, so being refused
# says nothing about whether a person is on record.
PER_IDENTIFIER = (3, 15 * 60)
PER_ADDRESS = (10, 60 * 60)
# Where the emailed link carries its secret, in the link template the door hands over.
SECRET_MARK = "{secret}"  # noqa: S105  (a placeholder, not a secret)


class Throttled(DomainError):
    code = "throttled"
    status = 429


@dataclass(frozen=True)
class SignInRequest:
    """What the worker needs to send a link, and nothing more (see ``portal_sign_in_request``)."""

    contact_id: str
    link_template: str
    requested_at: str


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _identifier(raw: str) -> tuple[str, str]:
    """A DNI or NIE in its compact form (an NIE starts with X, Y or Z)."""
    compact = "".join(ch for ch in raw.upper() if ch.isalnum())
    if not compact:
        raise ValidationFailed({"identifier": _("This field is required.")})
    scheme = Identifier.Scheme.NIE if compact[0] in "XYZ" else Identifier.Scheme.DNI
    return str(scheme), normalize_identifier(scheme, compact, field="identifier")


def _allow(identity: str, rule: tuple[int, int]) -> bool:
    limit, seconds = rule
    return hit(identity, limit, window=seconds).allowed


def _contacts_of(scheme: str, value: str, address: str) -> list[str]:
    """Ids of the email contact points of active persons holding this identifier and address.

    Ids only, from one query on indexed columns: a match and a miss cost the same here."""
    return [
        str(pk)
        for pk in ContactPoint.objects.filter(
            kind=ContactPoint.Kind.EMAIL,
            normalized=address,
            party__status=Party.Status.ACTIVE,
            party__kind=Party.Kind.PERSON,
            party__identifiers__scheme=scheme,
            party__identifiers__value=value,
        )
        .exclude(valid_until__lt=timezone.localdate())
        .order_by("pk")
        .values_list("pk", flat=True)[:1]
    ]


def portal_sign_in_request(
    *, identifier: str, email: str, client_address: str, link_template: str
) -> SignInRequest:
    """Check and count a request for a sign-in link; the caller queues the job it returns
    (``parties.jobs.send_sign_in_link``), the same kind of job whether or not anything matched.

    ``link_template`` is the absolute link with ``{secret}`` where the secret goes.
    Says nothing either way: the caller shows the same page whether a link will go out or not.
    Raises ``ValidationFailed`` for a malformed DNI/NIE or address, ``Throttled`` when too many
    requests came for this identifier or from this address.

    The job carries a contact point's id when the details match and a random id of the same
    shape when they do not: never the DNI or the address typed. The queue keeps its rows (the
    database backend keeps finished ones, and RQ keeps results for a while) and holds requests
    for strangers too, so it should hold no more personal data than an opaque id.
    """
    errors: dict[str, str] = {}
    scheme = value = address = ""
    try:
        scheme, value = _identifier(identifier)
    except ValidationFailed as failure:
        errors.update(failure.errors)
    try:
        _display, address = normalize_contact(ContactPoint.Kind.EMAIL, email, field="email")
    except ValidationFailed as failure:
        errors.update(failure.errors)
    if errors:
        raise ValidationFailed(errors)
    by_identifier = _allow(f"portal-signin:id:{_digest(f'{scheme}:{value}')}", PER_IDENTIFIER)
    by_address = _allow(f"portal-signin:ip:{_digest(client_address)}", PER_ADDRESS)
    if not (by_identifier and by_address):
        raise Throttled(_("Too many requests. Please wait a few minutes and try again."))
    found = _contacts_of(scheme, value, address)
    decoy = str(uuid.uuid4())
    return SignInRequest(
        contact_id=found[0] if found else decoy,
        link_template=link_template,
        requested_at=timezone.now().isoformat(),
    )


class SendOutcome:
    """What one attempt of the worker's job did."""

    SENT = "sent"
    NO_MATCH = "no_match"
    TOO_LATE = "too_late"


def portal_sign_in_send(*, contact_id: str, link_template: str, requested_at: str) -> str:
    """The worker's half: create the link for the person behind ``contact_id`` and email it.

    Returns a ``SendOutcome``; raises whatever the mail backend raised (after removing the link
    that did not go out), so the job can try again. Nothing is sent when the id belongs to no
    active person's email address (a request whose details matched nobody), or when the request
    is older than a link's life (the person has stopped waiting for it)."""
    asked = datetime.fromisoformat(requested_at)
    now = timezone.now()
    if now - asked > timedelta(minutes=LINK_MINUTES):
        return SendOutcome.TOO_LATE
    contact = _contact(contact_id)
    if contact is None:
        return SendOutcome.NO_MATCH
    party = contact.party
    secret = secrets.token_urlsafe(32)
    with transaction.atomic():
        PortalSignInToken.objects.filter(party=party, expires_at__lt=now).delete()
        token = PortalSignInToken.objects.create(
            party=party,
            token_hash=_digest(secret),
            expires_at=now + timedelta(minutes=LINK_MINUTES),
        )
    # Outside the transaction: a slow mail server must not hold the database's write lock.
    try:
        _send_link(party, contact.value, link_template.replace(SECRET_MARK, secret))
    except Exception:
        PortalSignInToken.objects.filter(pk=token.pk).delete()  # a link nobody received
        raise
    with transaction.atomic():
        audit_record(
            actor=actor_for_citizen(party),
            action=Action.PORTAL_LINK_SENT,
            party_id=party.pk,
            object_type="portal_sign_in_link",
            object_id=token.pk,
            detail={"expires_at": token.expires_at.isoformat()},
        )
    return SendOutcome.SENT


def _contact(contact_id: str) -> ContactPoint | None:
    try:
        pk = uuid.UUID(contact_id)
    except ValueError:
        return None
    return (
        ContactPoint.objects.filter(
            pk=pk,
            kind=ContactPoint.Kind.EMAIL,
            party__status=Party.Status.ACTIVE,
            party__kind=Party.Kind.PERSON,
        )
        .exclude(valid_until__lt=timezone.localdate())
        .select_related("party")
        .first()
    )


def _send_link(party: Party, address: str, link: str) -> None:
    language = party.preferred_language if party.preferred_language in SUPPORTED else "es"
    with translation.override(language):
        subject = _("Your link to sign in to %(administration)s") % {
            "administration": settings.VENTANILLA_MUNICIPALITY
        }
        body = render_to_string(
            "portal/email/sign_in.txt",
            {
                "party": party,
                "link": link,
                "minutes": LINK_MINUTES,
                "administration": settings.VENTANILLA_MUNICIPALITY,
            },
        )
    send_mail(subject, body, None, [address])


def _usable(secret: str) -> PortalSignInToken | None:
    return (
        PortalSignInToken.objects.filter(
            token_hash=_digest(secret),
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
            party__status=Party.Status.ACTIVE,
        )
        .select_related("party")
        .first()
    )


def portal_sign_in_link_valid(*, secret: str) -> bool:
    """Whether the link can still be used (shown before the person confirms; uses nothing)."""
    return _usable(secret) is not None


def portal_sign_in_redeem(*, secret: str) -> Party | None:
    """The person the link signs in, marking it used; None if unknown, used or expired.

    The conditional update makes the link single-use even when two requests race for it. Using
    a link is audited, and so is trying one that was used or has expired (a forwarded or stolen
    link); an unknown secret names nobody and is only logged."""
    with transaction.atomic():
        token = _usable(secret)
        if token is not None:
            now = timezone.now()
            used = PortalSignInToken.objects.filter(pk=token.pk, used_at__isnull=True).update(
                used_at=now, updated_at=now
            )
            if used:
                audit_record(
                    actor=actor_for_citizen(token.party),
                    action=Action.PORTAL_LINK_USED,
                    party_id=token.party_id,
                    object_type="portal_sign_in_link",
                    object_id=token.pk,
                )
                return token.party
        spent = (
            PortalSignInToken.objects.filter(token_hash=_digest(secret))
            .select_related("party")
            .first()
        )
        if spent is None:
            logger.info("portal sign-in: a link that was never issued was tried")
            return None
        if spent.used_at is not None:
            reason = "used"
        elif spent.expires_at <= timezone.now():
            reason = "expired"
        else:
            reason = "person_inactive"
        audit_record(
            actor=actor_for_citizen(spent.party),
            action=Action.PORTAL_LINK_REFUSED,
            party_id=spent.party_id,
            object_type="portal_sign_in_link",
            object_id=spent.pk,
            detail={"reason": reason},
        )
    return None


def portal_citizen(*, party_id: str) -> Party | None:
    """The active person a portal session belongs to (None once merged, erased or gone)."""
    return Party.objects.filter(
        pk=party_id, status=Party.Status.ACTIVE, kind=Party.Kind.PERSON
    ).first()


# The national eID (an OpenID Connect provider such as Cl@ve) vouches for who the person is: the
# DNI/NIE it asserts is marked verified, and a person it names who is not on record is registered.
EID_REGISTRAR = Actor(label="system:eid", sees_everything=True)
# Particles that begin a compound surname ("de la Fuente", "del Río", "San Martín").
_PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "san", "santa", "i"})


class EidRefused(DomainError):
    """The identity provider's answer cannot sign anyone in (no usable DNI/NIE in it, or it names
    a person whose record was erased)."""

    code = "eid_refused"
    status = 403


@dataclass(frozen=True)
class EidIdentity:
    """What the identity provider asserted about the person, as its claims gave it."""

    identifier: str
    given_name: str = ""
    family_name: str = ""
    birth_date: str = ""
    email: str = ""
    subject: str = ""


def _split_surnames(family_name: str) -> tuple[str, str]:
    """The first and second surnames from the one string providers give, keeping particles with
    the surname they introduce ("de la Fuente García" is "de la Fuente" and "García")."""
    words = family_name.split()
    first: list[str] = []
    while words:
        word = words.pop(0)
        first.append(word)
        if word.lower() not in _PARTICLES:
            break
    return " ".join(first), " ".join(words)


def _active_holder(scheme: str, value: str) -> tuple[Party | None, Identifier | None]:
    """The active person holding this identifier, following merges to the surviving record."""
    held = (
        Identifier.objects.filter(scheme=scheme, issuing_country="ES", value=value)
        .select_related("party")
        .first()
    )
    if held is None:
        return None, None
    party = held.party
    for _step in range(20):  # a merge chain is short; a loop in it must not hang sign-in
        if party.status != Party.Status.MERGED or party.merged_into_id is None:
            break
        party = Party.objects.get(pk=party.merged_into_id)
    return party, held


def _eid_new_party(identity: EidIdentity, scheme: str, value: str) -> Party:
    family_1, family_2 = _split_surnames(identity.family_name)
    if not identity.given_name.strip() or not family_1:
        raise EidRefused(_("Your eID did not say your name, so we cannot register you."))
    birth = None
    if identity.birth_date:
        try:
            birth = date.fromisoformat(identity.birth_date[:10])
        except ValueError:
            birth = None  # a provider's odd date is not worth refusing the person for
    contacts = []
    if identity.email:
        try:
            normalize_contact(ContactPoint.Kind.EMAIL, identity.email)
            contacts.append(ContactPointInput(kind=ContactPoint.Kind.EMAIL, value=identity.email))
        except ValidationFailed:
            pass  # an address the provider holds but we cannot use: the person can add one
    return party_create(
        actor=EID_REGISTRAR,
        identifiers=[IdentifierInput(scheme=scheme, value=value, verified=True)],
        contact_points=contacts,
        given_name=identity.given_name,
        family_name_1=family_1,
        family_name_2=family_2,
        birth_date=birth,
        preferred_language=(translation.get_language() or "es")[:2],
    )


def portal_sign_in_by_eid(*, identity: EidIdentity) -> tuple[Party, bool]:
    """The person the identity provider vouched for, and whether they were registered now.

    The holder of the DNI/NIE (or the record it was merged into) signs in and the identifier is
    marked verified; nobody on record holds it: the person is registered with it verified.
    Raises ``EidRefused`` when the answer carries no valid DNI/NIE, or names an erased record."""
    try:
        scheme, value = _identifier(identity.identifier)
    except ValidationFailed as failure:
        raise EidRefused(_("Your eID did not give a valid DNI or NIE.")) from failure
    with transaction.atomic():
        party, held = _active_holder(scheme, value)
        created = False
        if party is None:
            party = _eid_new_party(identity, scheme, value)
            created = True
        elif party.status != Party.Status.ACTIVE or party.kind != Party.Kind.PERSON:
            raise EidRefused(
                _("The record of this DNI or NIE can no longer be used. Ask at any desk.")
            )
        elif held is not None and not held.verified:
            Identifier.objects.filter(pk=held.pk).update(verified=True, updated_at=timezone.now())
        audit_record(
            actor=actor_for_citizen(party),
            action=Action.PORTAL_EID_USED,
            party_id=party.pk,
            object_type="party",
            object_id=party.pk,
            detail={"registered": created, "provider": settings.VENTANILLA_OIDC_NAME},
        )
    return party, created
