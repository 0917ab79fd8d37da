"""Who acted, as a person reads it. The code writes actors as labels (``agente``,
``citizen:f3000100``, ``api:sede-electronica``, ``system:deadlines``, ``agency:salud``); the audit
log and the API keep those labels, and pages show a name instead: the staff member's full name,
"the citizen", the application's name, "the system", the agency's name.

A page that names many actors reads each kind of name once: ``ActorNames`` loads the staff's and
the agencies' names on first need and keeps them for the page (one query each, however long the
history).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from ventanilla.access.models import Role
from ventanilla.catalog.models import Agency


class ActorNames:
    """The names behind actor labels, roles and agency codes, for one page."""

    def __init__(self) -> None:
        self._people: dict[str, str] | None = None
        self._agencies: dict[str, str] | None = None

    def people(self) -> dict[str, str]:
        if self._people is None:
            users = get_user_model().objects.values_list("username", "first_name", "last_name")
            self._people = {
                username: " ".join(part for part in (first, last) if part) or username
                for username, first, last in users
            }
        return self._people

    def agencies(self) -> dict[str, str]:
        if self._agencies is None:
            agencies = Agency.objects.only("code", "name_es", "name_en")
            self._agencies = {agency.code: agency.name for agency in agencies}
        return self._agencies

    def actor(self, label: object) -> str:
        label = str(label or "")
        kind, _colon, rest = label.partition(":")
        if not _colon:
            if label == "anonymous":
                return _("Someone not signed in")
            return self.people().get(label, label) if label else _("Unknown")
        if kind == "citizen":
            return _("The citizen")
        if kind == "system":
            return _("The system")
        if kind == "command":
            return _("An operator, from the command line")
        if kind == "api":
            return _("The application “%(name)s”") % {"name": rest}
        if kind == "agency":
            return _("The agency %(name)s") % {"name": self.agency(rest)}
        return _("Unknown")

    def agency(self, code: object) -> str:
        return self.agencies().get(str(code), str(code))

    def agency_list(self, codes: object) -> str:
        return ", ".join(self.agency(code) for code in _split(codes))


def role_name(code: object) -> str:
    for value, label in Role.choices:
        if value == code:
            return str(label)
    return str(code).replace("_", " ").capitalize()


def role_names(codes: object) -> str:
    return ", ".join(role_name(code) for code in _split(codes))


def _split(codes: object) -> Iterable[str]:
    """Codes as stored: a list, or one string joined by commas."""
    if isinstance(codes, list | tuple | set | frozenset):
        return [str(code) for code in codes]
    return [code.strip() for code in str(codes or "").split(",") if code.strip()]
