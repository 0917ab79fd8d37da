"""Validation and normalisation of identifiers and contact points: checked, not regex-guessed."""

from __future__ import annotations

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


def normalize_phone(value: str, *, field: str = "value") -> str:
    """E.164 form of a phone number; Spanish numbers may omit +34."""
    try:
        number = phonenumbers.parse(value, "ES")
    except phonenumbers.NumberParseException as error:
        raise ValidationFailed({field: _("This is not a phone number.")}) from error
    if not phonenumbers.is_valid_number(number):
        raise ValidationFailed({field: _("This phone number does not exist.")})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_contact(kind: str, value: str, *, field: str = "value") -> tuple[str, str]:
    """(display value, normalised value) of a contact point."""
    value = value.strip()
    if not value:
        raise ValidationFailed({field: _("This field is required.")})
    if kind == ContactPoint.Kind.EMAIL:
        try:
            validate_email(value)
        except ValidationError as error:
            raise ValidationFailed({field: _("Enter a valid email address.")}) from error
        return value, value.lower()
    if kind == ContactPoint.Kind.PHONE:
        normalized = normalize_phone(value, field=field)
        number = phonenumbers.parse(normalized)
        display = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
        return display, normalized
    if kind == ContactPoint.Kind.POSTAL:
        return value, fold(value)
    raise ValidationFailed({field: _("Unknown contact kind %(kind)s.") % {"kind": kind}})
