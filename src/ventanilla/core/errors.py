"""Domain errors: raised by services and selectors, turned into problem+json or form errors
by the doors (API, views) in one place each."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a service or selector raises on purpose."""

    code = "domain-error"
    status = 400

    def __init__(self, message: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra


class ValidationFailed(DomainError):
    """Input that breaks a rule of the domain (a DNI with the wrong letter, an unknown service)."""

    code = "validation-error"
    status = 422

    def __init__(self, errors: dict[str, str]) -> None:
        first = next(iter(errors.items()))
        super().__init__(first[1], field=first[0])
        self.errors = errors


class NotFound(DomainError):
    """The object does not exist, or the actor may not know that it exists."""

    code = "not-found"
    status = 404


class PermissionDenied(DomainError):
    code = "permission-denied"
    status = 403


class Conflict(DomainError):
    code = "conflict"
    status = 409


class InvalidTransition(Conflict):
    """A step a case cannot take from where it is (closing a case that was never resolved)."""

    code = "invalid-transition"


class PossibleDuplicate(Conflict):
    """A party about to be registered is very likely one already registered; the candidates
    are in ``extra`` and the caller may insist (the API's ``confirm_new``)."""

    code = "possible-duplicate"


class EditConflict(Conflict):
    """Someone else changed the record since the actor read it; nothing was written."""

    code = "edit-conflict"


class SharingRefused(PermissionDenied):
    """A data-sharing request that no consent or legal basis covers; the refusal is on record."""

    code = "sharing-refused"


class PayloadTooLarge(DomainError):
    code = "payload-too-large"
    status = 413


class UnsupportedMediaType(DomainError):
    """A file whose content is not one of the accepted kinds."""

    code = "unsupported-media-type"
    status = 415
