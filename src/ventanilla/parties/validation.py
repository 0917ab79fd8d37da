"""Validation and normalisation of identifiers and contact points: checked, not regex-guessed."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.es import cif, dni, nie, nif

from ventanilla.core.errors import ValidationFailed
from ventanilla.core.text import fold
from ventanilla.parties.models import ContactPoint, Identifier

_MODULES: dict[str, Any] = {
    Identifier.Scheme.DNI: dni,
    Identifier.Scheme.NIE: nie,
    Identifier.Scheme.NIF: nif,
    Identifier.Scheme.CIF: cif,
}


def normalize_identifier(scheme: str, value: str, *, field: str = "value") -> str:
    """The identifier in its compact form, or ``ValidationFailed`` naming ``field``."""
    if scheme not in Identifier.Scheme.values:
        raise ValidationFailed(
            {field: _("Unknown identifier scheme %(scheme)s.") % {"scheme": scheme}}
        )
    compact = "".join(ch for ch in value.upper() if ch.isalnum())
    if scheme == Identifier.Scheme.PASSPORT:
        if not 5 <= len(compact) <= 20:
            raise ValidationFailed({field: _("A passport number has 5 to 20 letters or digits.")})
        return compact
    module = _MODULES[scheme]
    try:
        return str(module.validate(compact))
    except stdnum_errors.InvalidChecksum as error:
        raise ValidationFailed(
            {field: _("The check letter of this %(scheme)s is wrong.") % {"scheme": scheme.upper()}}
        ) from error
    except stdnum_errors.ValidationError as error:
        raise ValidationFailed(
            {field: _("This is not a valid %(scheme)s.") % {"scheme": scheme.upper()}}
        ) from error


def guess_identifier_scheme(value: str) -> str | None:
    """DNI, NIE or CIF if ``value`` is a valid one (used by search), else None."""
    compact = "".join(ch for ch in value.upper() if ch.isalnum())
    for scheme in (Identifier.Scheme.DNI, Identifier.Scheme.NIE, Identifier.Scheme.CIF):
        if _MODULES[scheme].is_valid(compact):
            return str(scheme)
    return None


# Why a phone number or email address is refused: the message is translated when it is raised,
# so that what is kept between calls holds no language.
_NOT_A_PHONE = "not a phone"
_NO_SUCH_PHONE = "no such phone"
_NOT_AN_EMAIL = "not an email"


@lru_cache(maxsize=65_536)
def _phone_forms(value: str) -> tuple[str, str] | str:
    """(international display, E.164) of a phone number, parsed once; or why it is refused.
    Kept for the values seen most recently: a batch registers the same numbers more than once
    (checked by the matcher, then by the party service)."""
    try:
        number = phonenumbers.parse(value, "ES")
    except phonenumbers.NumberParseException:
        return _NOT_A_PHONE
    if not phonenumbers.is_valid_number(number):
        return _NO_SUCH_PHONE
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    # Shown as the E.164 form reads (an extension, which E.164 has not, is not kept).
    display = phonenumbers.format_number(
        phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return display, e164


@lru_cache(maxsize=65_536)
def _email_refusal(value: str) -> str | None:
    try:
        validate_email(value)
    except ValidationError:
        return _NOT_AN_EMAIL
    return None


def _refused(field: str, reason: str) -> ValidationFailed:
    messages = {
        _NOT_A_PHONE: _("This is not a phone number."),
        _NO_SUCH_PHONE: _("This phone number does not exist."),
        _NOT_AN_EMAIL: _("Enter a valid email address."),
    }
    return ValidationFailed({field: messages[reason]})


def normalize_phone(value: str, *, field: str = "value") -> str:
    """E.164 form of a phone number; Spanish numbers may omit +34."""
    forms = _phone_forms(value)
    if isinstance(forms, str):
        raise _refused(field, forms)
    return forms[1]


def normalize_contact(kind: str, value: str, *, field: str = "value") -> tuple[str, str]:
    """(display value, normalised value) of a contact point."""
    value = value.strip()
    if not value:
        raise ValidationFailed({field: _("This field is required.")})
    if kind == ContactPoint.Kind.EMAIL:
        if (reason := _email_refusal(value)) is not None:
            raise _refused(field, reason)
        return value, value.lower()
    if kind == ContactPoint.Kind.PHONE:
        forms = _phone_forms(value)
        if isinstance(forms, str):
            raise _refused(field, forms)
        return forms
    if kind == ContactPoint.Kind.POSTAL:
        return value, fold(value)
    raise ValidationFailed({field: _("Unknown contact kind %(kind)s.") % {"kind": kind}})
