"""Writes of the access app: memberships and API keys. Giving and taking back a key is recorded
in the audit log; the key's secret and its digest never are."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from ventanilla.access.actors import Actor, hash_key, new_key_secret
from ventanilla.access.guards import require_operator
from ventanilla.access.models import ApiKey, Membership, Role, Scope, StaffLanguage
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record
from ventanilla.catalog.models import Agency
from ventanilla.core.errors import NotFound, ValidationFailed


def apikey_create(
    *,
    actor: Actor,
    name: str,
    agency_code: str,
    scopes: Iterable[str],
    rate_per_minute: int | None = None,
) -> tuple[ApiKey, str]:
    """Create a key and return it with its secret, which is never stored and shown only once.

    ``rate_per_minute`` is the key's own limit of calls; None uses the instance's default."""
    require_operator(actor, what="api_key.create")
    scopes = sorted(set(scopes))
    unknown = [scope for scope in scopes if scope not in Scope.values]
    if unknown:
        raise ValidationFailed(
            {"scopes": f"Unknown scopes: {', '.join(unknown)}. Known: {', '.join(Scope.values)}"}
        )
    if not name.strip():
        raise ValidationFailed({"name": "A key needs a name."})
    if rate_per_minute is not None and rate_per_minute < 1:
        raise ValidationFailed({"rate": "A key's limit is at least one call a minute."})
    agency = Agency.objects.filter(code=agency_code).first()
    if agency is None:
        raise NotFound(f"No agency with code {agency_code!r}.", field="agency")
    secret, prefix = new_key_secret()
    with transaction.atomic():
        key = ApiKey.objects.create(
            name=name.strip(),
            agency=agency,
            prefix=prefix,
            key_hash=hash_key(secret),
            scopes=scopes,
            rate_per_minute=rate_per_minute,
        )
        _audit_key(actor, "create", key, rate_per_minute=rate_per_minute)
    return key, secret


def apikey_revoke(*, actor: Actor, prefix: str) -> ApiKey:
    """Revoke a key at once; revoking one already revoked changes nothing but is recorded."""
    require_operator(actor, what="api_key.revoke")
    with transaction.atomic():
        key = (
            ApiKey.objects.select_for_update(of=("self",))
            .select_related("agency")
            .filter(prefix=prefix)
            .first()
        )
        if key is None:
            raise NotFound(f"No API key with prefix {prefix!r}.")
        already_revoked = key.revoked_at is not None
        if not already_revoked:
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at", "updated_at"])
        _audit_key(actor, "revoke", key, already_revoked=already_revoked)
    return key


def _audit_key(actor: Actor, change: str, key: ApiKey, **detail: object) -> None:
    """What key, for which agency, with which scopes: never its secret or digest."""
    audit_record(
        actor=actor,
        action=Action.API_KEY_CREATE if change == "create" else Action.API_KEY_REVOKE,
        object_type="api_key",
        object_id=key.pk,
        detail={
            "name": key.name,
            "prefix": key.prefix,
            "agency": key.agency.code,
            "scopes": list(key.scopes),
            **detail,
        },
    )


def staff_member_ensure(
    *, username: str, password: str, agency_code: str, role: str, first_name: str = ""
) -> Membership:
    """Create (or keep) a staff account with a role in an agency; safe to run twice."""
    if role not in Role.values:
        raise ValidationFailed({"role": f"Unknown role {role!r}."})
    user_model = get_user_model()
    with transaction.atomic():
        agency = Agency.objects.get(code=agency_code)
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"first_name": first_name, "is_staff": False}
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        membership, _ = Membership.objects.get_or_create(
            user=user, agency=agency, defaults={"role": role}
        )
    return membership


def staff_language_note(*, user_id: int, language: str) -> bool:
    """Remember the language a member of staff reads the console in, for what is written to
    them later (an emerging problem by email). Returns whether anything changed; a language the
    installation does not offer is ignored."""
    code = (language or "").split("-")[0].lower()
    if code not in dict(settings.LANGUAGES):
        return False
    if StaffLanguage.objects.filter(user_id=user_id).exclude(language=code).update(language=code):
        return True
    _row, created = StaffLanguage.objects.get_or_create(
        user_id=user_id, defaults={"language": code}
    )
    return created
