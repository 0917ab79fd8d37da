"""Who may act: staff memberships of agencies with a role, and API keys of integrating systems."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.catalog.models import Agency
from ventanilla.core.models import BaseModel


class Role(models.TextChoices):
    AGENT = "agent", _("Front-line agent")
    CASE_WORKER = "case_worker", _("Case worker")
    SUPERVISOR = "supervisor", _("Supervisor")
    ANALYST = "analyst", _("Analyst")
    DPO = "dpo", _("Data-protection officer")
    ADMINISTRATOR = "administrator", _("Administrator")


class StaffLanguage(models.Model):
    """The language a member of staff last read the console in (chosen, or their browser's at
    sign-in): what the messages written to them while away are in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="staff_language",
        verbose_name=_("user"),
    )
    language = models.CharField(
        max_length=8, choices=settings.LANGUAGES, verbose_name=_("language")
    )

    class Meta:
        verbose_name = _("staff language")
        verbose_name_plural = _("staff languages")

    def __str__(self) -> str:
        return f"{self.user_id} {self.language}"


class Membership(BaseModel):
    """A member of staff holds one role in one agency (and sees its departments)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("agency")
    )
    role = models.CharField(max_length=20, choices=Role.choices, verbose_name=_("role"))

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "agency"], name="membership_one_role_per_agency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency.code} ({self.role})"


class Scope(models.TextChoices):
    PARTIES_READ = "parties:read", _("Read parties and their 360° view")
    PARTIES_READ_SENSITIVE = (
        "parties:read_sensitive",
        _("Read sensitive data (health, disability, income, minors) for a stated purpose"),
    )
    PARTIES_WRITE = "parties:write", _("Create and update parties")
    PARTIES_MERGE = "parties:merge", _("Merge two records of the same person, and undo a merge")
    SOURCES_TRUST = (
        "sources:trust",
        _("Decide which agency's register is trusted more when registers disagree"),
    )
    SHARING_REQUEST = "sharing:request", _("Ask another agency for data it holds on a party")
    INTERACTIONS_READ = "interactions:read", _("Read interactions")
    INTERACTIONS_WRITE = "interactions:write", _("Record interactions")
    CASES_READ = "cases:read", _("Read cases")
    CASES_WRITE = "cases:write", _("Open cases and work on them (status, notes, replies, tasks)")
    CASES_MANAGE = "cases:manage", _("Assign cases to others, in bulk too")
    CATALOG_MANAGE = "catalog:manage", _("Edit the knowledge base and the citizens' messages")
    ROUTING_MANAGE = "routing:manage", _("Edit the routing rules")
    CATALOG_READ = "catalog:read", _("Read the service catalogue")
    AUDIT_READ = "audit:read", _("Read the audit log (data-protection officers)")
    RETENTION_MANAGE = "retention:manage", _("Run the retention rules")
    OPEN311_POST = (
        "open311:post",
        _("Post service requests through Open311 (opens cases and records their reporters)"),
    )
    # For a mail gateway's key only: no role has it.
    MAIL_RECEIVE = "mail:receive", _("Deliver citizens' email (a mail gateway)")
    ANALYTICS_READ = (
        "analytics:read",
        _("Read aggregate figures, dashboards and alerts (never a person)"),
    )
    PARTICIPATION_MANAGE = (
        "participation:manage",
        _(
            "Moderate participation, answer citizens' proposals, run participatory budgets "
            "and turn complaints into consultations"
        ),
    )


_FRONT_LINE = frozenset(
    {
        Scope.PARTIES_READ,
        Scope.PARTIES_WRITE,
        Scope.INTERACTIONS_READ,
        Scope.INTERACTIONS_WRITE,
        Scope.CASES_READ,
        Scope.CASES_WRITE,
        Scope.CATALOG_READ,
        Scope.SHARING_REQUEST,
    }
)
# Case workers and those above them handle the sensitive parts of a file; the front-line agent
# answers without them and hands over when they are needed.
_SENSITIVE = frozenset({Scope.PARTIES_READ_SENSITIVE})

# What each role may do. Analysts see aggregates only, so no scope here reads a person; the
# data-protection officer reads people and the audit log but changes nothing.
ROLE_SCOPES: dict[str, frozenset[str]] = {
    Role.AGENT: _FRONT_LINE,
    Role.CASE_WORKER: _FRONT_LINE | _SENSITIVE,
    Role.SUPERVISOR: _FRONT_LINE
    | _SENSITIVE
    | {
        Scope.CASES_MANAGE,
        Scope.CATALOG_MANAGE,
        Scope.PARTIES_MERGE,
        Scope.SOURCES_TRUST,
        Scope.ANALYTICS_READ,
        Scope.PARTICIPATION_MANAGE,
    },
    Role.ANALYST: frozenset({Scope.CATALOG_READ, Scope.ANALYTICS_READ}),
    Role.DPO: frozenset(
        {
            Scope.PARTIES_READ,
            Scope.PARTIES_READ_SENSITIVE,
            Scope.INTERACTIONS_READ,
            Scope.CASES_READ,
            Scope.CATALOG_READ,
            Scope.AUDIT_READ,
        }
    ),
    Role.ADMINISTRATOR: _FRONT_LINE
    | _SENSITIVE
    | {
        Scope.AUDIT_READ,
        Scope.RETENTION_MANAGE,
        Scope.CASES_MANAGE,
        Scope.CATALOG_MANAGE,
        Scope.ROUTING_MANAGE,
        Scope.PARTIES_MERGE,
        Scope.SOURCES_TRUST,
        Scope.ANALYTICS_READ,
        Scope.PARTICIPATION_MANAGE,
    },
}


# Roles that read people's data confirm each sign-in with a second factor (a TOTP code);
# superusers too. Front-line agents and analysts may enrol but are not asked.
ROLES_NEEDING_SECOND_FACTOR: frozenset[str] = frozenset(
    {Role.CASE_WORKER, Role.SUPERVISOR, Role.DPO, Role.ADMINISTRATOR}
)


class ApiKey(BaseModel):
    """A key of one integrating application, acting for one agency with a set of scopes.

    Only a SHA-256 digest of the secret is stored: keys are 256-bit random strings, so a slow
    password hash would add latency to every call and no protection.
    """

    name = models.CharField(max_length=100, verbose_name=_("name"))
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="api_keys", verbose_name=_("agency")
    )
    prefix = models.CharField(max_length=16, unique=True, verbose_name=_("prefix"))
    key_hash = models.CharField(max_length=64, unique=True, verbose_name=_("key digest"))
    scopes = models.JSONField(default=list, verbose_name=_("scopes"))
    revoked_at = models.DateTimeField(null=True, blank=True, verbose_name=_("revoked at"))
    rate_per_minute = models.PositiveIntegerField(
        _("calls per minute"),
        null=True,
        blank=True,
        help_text=_("This key's own limit; empty uses VENTANILLA_API_RATE_PER_MINUTE."),
    )
    last_used_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last used at"))

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
