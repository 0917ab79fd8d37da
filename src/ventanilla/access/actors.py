"""The acting user or application, resolved once per request, that every service and selector
receives as ``actor=``: who it is, which agencies it acts in, and what it may do."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone

from ventanilla.access.models import ROLE_SCOPES, ApiKey, Membership
from ventanilla.access.second_factor import is_verified, second_factor_required_for
from ventanilla.catalog.models import Agency
from ventanilla.core.statements import fields_of, read_one

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django.http import HttpRequest

    from ventanilla.parties.models import Party

KEY_PREFIX = "vk_"


@dataclass(frozen=True)
class Actor:
    """Who acts. ``agency_ids`` holds the agencies the actor belongs to and all below them."""

    label: str
    user_id: int | None = None
    api_key_id: str | None = None
    agency_ids: frozenset[str] = field(default_factory=frozenset)
    # Codes of the agencies the actor belongs to (not those below them), for the audit log.
    agency_codes: frozenset[str] = field(default_factory=frozenset)
    # Materialised paths of those same agencies: a consent given to an agency above the actor's
    # (the town hall, for one of its departments) covers the actor too.
    agency_paths: frozenset[str] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)
    scopes: frozenset[str] = field(default_factory=frozenset)
    sees_everything: bool = False
    # A member of staff whose roles need a second factor and whose session has not given it
    # yet: the doors (staff pages, the API's session auth, the admin) send them to the code.
    second_factor_pending: bool = False
    # Set only for a citizen signed in to the portal: the one party they may act on (themself).
    party_id: str | None = None
    # An API key's own limit of calls a minute; None means the instance's default.
    rate_per_minute: int | None = None

    @property
    def is_citizen(self) -> bool:
        return self.party_id is not None

    @property
    def is_staff_member(self) -> bool:
        return self.user_id is not None and (self.sees_everything or bool(self.agency_ids))

    def can(self, scope: str) -> bool:
        """Staff act with the scopes their roles give, API keys with their own."""
        return self.sees_everything or scope in self.scopes

    def sees_agency(self, agency_id: object) -> bool:
        return self.sees_everything or str(agency_id) in self.agency_ids

    def is_covered_by(self, agency_path: str) -> bool:
        """Whether something given to the agency at ``agency_path`` reaches the actor: it is one
        of the actor's agencies, a department below them, or an agency above them."""
        if self.sees_everything:
            return True
        return any(
            own == agency_path
            or own.startswith(f"{agency_path}/")
            or agency_path.startswith(f"{own}/")
            for own in self.agency_paths
        )


def _subtree_ids(agency_paths: list[str]) -> frozenset[str]:
    """The agencies at ``agency_paths`` and every one below them, from the agency tree the
    catalogue keeps (a change made in this process shows at once, one made in another within
    a minute)."""
    # Read here: the catalogue's selectors take an Actor themselves.
    from ventanilla.catalog.selectors import agency_tree

    if not agency_paths:
        return frozenset()
    below = tuple(f"{path}/" for path in agency_paths)
    return frozenset(
        pk for pk, path in agency_tree() if path in agency_paths or path.startswith(below)
    )


def actor_for_user(user: AbstractBaseUser | AnonymousUser) -> Actor:
    if not user.is_authenticated:
        return Actor(label="anonymous")
    memberships = list(
        Membership.objects.filter(user_id=user.pk).values_list("agency__path", "role")
    )
    roles = frozenset(role for _path, role in memberships)
    is_superuser = bool(getattr(user, "is_superuser", False))
    return Actor(
        label=user.get_username(),
        user_id=int(user.pk),
        agency_ids=_subtree_ids([path for path, _role in memberships]),
        agency_codes=frozenset(path.rsplit("/", 1)[-1] for path, _role in memberships),
        agency_paths=frozenset(path for path, _role in memberships),
        roles=roles,
        scopes=frozenset().union(*(ROLE_SCOPES[role] for _path, role in memberships)),
        sees_everything=is_superuser,
        second_factor_pending=(
            second_factor_required_for(roles=roles, is_superuser=is_superuser)
            and not is_verified(user)
        ),
    )


def actor_for_citizen(party: Party) -> Actor:
    """A citizen signed in to the portal: no scope, no agency, only their own party.

    The label never collides with staff: user names cannot hold a colon."""
    return Actor(label=f"citizen:{party.pk.hex[:8]}", party_id=str(party.pk))


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# Every call of the API and of Open311 reads it: a statement written once.
_KEY = """
SELECT apikey.id, apikey.name, apikey.scopes, apikey.rate_per_minute, apikey.last_used_at,
    agency.path, agency.code
FROM access_apikey AS apikey
JOIN catalog_agency AS agency ON agency.id = apikey.agency_id
WHERE apikey.key_hash = %s AND apikey.revoked_at IS NULL
"""
_KEY_FIELDS = [
    *fields_of(ApiKey, "id", "name", "scopes", "rate_per_minute", "last_used_at"),
    *fields_of(Agency, "path", "code"),
]


def actor_for_api_key(secret: str) -> Actor | None:
    """The actor behind an API key, or None when the key is unknown or revoked."""
    if not secret.startswith(KEY_PREFIX):
        return None
    # Read on every call (a revoked key stops at once), so only the columns the actor needs.
    found = read_one(_KEY, [hash_key(secret)], _KEY_FIELDS)
    if found is None:
        return None
    pk, name, scopes, rate_per_minute, last_used_at, agency_path, agency_code = found
    now = timezone.now()
    # One write a minute at most, so a busy integration does not write on every call.
    if last_used_at is None or (now - last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=pk).update(last_used_at=now)
    return Actor(
        label=f"api:{name}",
        api_key_id=str(pk),
        agency_ids=_subtree_ids([agency_path]),
        agency_codes=frozenset({agency_code}),
        agency_paths=frozenset({agency_path}),
        scopes=frozenset(scopes),
        rate_per_minute=rate_per_minute,
    )


def new_key_secret() -> tuple[str, str]:
    """A fresh secret and its public prefix (shown in lists so staff can tell keys apart)."""
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    return secret, secret[: len(KEY_PREFIX) + 8]


def actor_of(request: HttpRequest) -> Actor:
    """Who calls the API: the actor its authentication (an API key or a staff session) found."""
    actor = getattr(request, "auth", None)
    if not isinstance(actor, Actor):  # pragma: no cover - ninja always sets it behind AUTH
        raise TypeError("request.auth is not an Actor")
    return actor
