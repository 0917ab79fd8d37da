"""The citizen portal's sign-in: a one-time link, valid for 15 minutes, emailed to the address on
record when a DNI/NIE and that address belong to the same active person."""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ventanilla.core.errors import DomainError, ValidationFailed
from ventanilla.core.i18n import SUPPORTED
from ventanilla.core.ratelimit import hit
from ventanilla.parties.models import ContactPoint, Identifier, Party, PortalSignInToken
from ventanilla.parties.validation import normalize_contact, normalize_identifier

logger = logging.getLogger(__name__)

LINK_MINUTES = 15
# (requests, seconds): per identifier, so nobody floods one person's inbox; per client address,
# so nobody walks through identifiers. Every request counts, matching or not, so being refused
# says nothing about whether a person is on record.
PER_IDENTIFIER = (3, 15 * 60)
PER_ADDRESS = (10, 60 * 60)


class Throttled(DomainError):
    code = "throttled"
    status = 429


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


def portal_sign_in_request(
    *, identifier: str, email: str, client_address: str, link_for: Callable[[str], str]
) -> None:
    """Email a sign-in link if ``identifier`` and ``email`` belong to one active person.

    Says nothing either way: the caller shows the same page whether a link went out or not.
    Raises ``ValidationFailed`` for a malformed DNI/NIE or address, ``Throttled`` when too many
    requests came for this identifier or from this address.
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
    now = timezone.now()
    contact = (
        ContactPoint.objects.filter(
            kind=ContactPoint.Kind.EMAIL,
            normalized=address,
            party__status=Party.Status.ACTIVE,
            party__kind=Party.Kind.PERSON,
            party__identifiers__scheme=scheme,
            party__identifiers__value=value,
        )
        .exclude(valid_until__lt=timezone.localdate())
        .select_related("party")
        .first()
    )
    if contact is None:
        logger.info("portal sign-in: no person matches the details given")
        return
    secret = secrets.token_urlsafe(32)
    party = contact.party
    with transaction.atomic():
        PortalSignInToken.objects.filter(party=party, expires_at__lt=now).delete()
        PortalSignInToken.objects.create(
            party=party,
            token_hash=_digest(secret),
            expires_at=now + timedelta(minutes=LINK_MINUTES),
        )
        link = link_for(secret)
        transaction.on_commit(lambda: _send_link(party, contact.value, link))


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
    try:
        send_mail(subject, body, None, [address])
    except OSError:  # smtplib's errors are OSErrors; the page must not tell the visitor
        logger.exception("portal sign-in: the link could not be emailed")


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

    The conditional update makes the link single-use even when two requests race for it."""
    token = _usable(secret)
    if token is None:
        return None
    used = PortalSignInToken.objects.filter(pk=token.pk, used_at__isnull=True).update(
        used_at=timezone.now(), updated_at=timezone.now()
    )
    return token.party if used else None


def portal_citizen(*, party_id: str) -> Party | None:
    """The active person a portal session belongs to (None once merged, erased or gone)."""
    return Party.objects.filter(
        pk=party_id, status=Party.Status.ACTIVE, kind=Party.Kind.PERSON
    ).first()
