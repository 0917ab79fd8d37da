"""Consents: a party's permission, or another legal basis, for one agency to use some of their
data for one purpose, until it expires or is withdrawn.

An agency never opens another's data on its own word: only a consent given by the person (in the
portal after sign-in, or at a desk with the signed document kept and the clerk named) shares data
across agencies, and health or disability data only when that consent is explicit. Other legal
bases are recorded for the agency's own processing and open nothing held elsewhere."""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.catalog.models import Agency, Channel
from ventanilla.core.models import BaseModel
from ventanilla.parties.labels import data_category
from ventanilla.parties.models import SPECIAL_CATEGORIES, Party


class LegalBasis(models.TextChoices):
    """GDPR article 6(1) bases an administration uses."""

    CONSENT = "consent", _("Consent of the person")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")
    PUBLIC_TASK = "public_task", _("Public task")
    VITAL_INTEREST = "vital_interest", _("Vital interest")
    CONTRACT = "contract", _("Contract")


# The latest expiry a consent may carry: later values are refused at every door (and the
# database refuses anything past the constraint's year, which no page could show).
MAX_CONSENT_YEARS = 10


class GivenBy(models.TextChoices):
    """Who gave the consent, which decides whether it may open anything."""

    PERSON = "person", _("Given in the portal")
    DESK = "desk", _("Given at a desk, signed form kept")
    # Another legal basis, or a consent recorded before the person's word was required: kept
    # as the agency's record of its own processing, it opens nothing held elsewhere.
    AGENCY = "agency", _("Recorded by the agency")


class Consent(BaseModel):
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=200)
    recipient = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="consents")
    data_categories = models.JSONField(default=list)
    legal_basis = models.CharField(max_length=20, choices=LegalBasis.choices)
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Evidence: how and by whom it was given.
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by_label = models.CharField(max_length=150)
    given_by = models.CharField(max_length=10, choices=GivenBy.choices, default=GivenBy.AGENCY)
    # Health and disability are shared only when the person said so in so many words.
    explicit = models.BooleanField(default=False)
    # The signed document of a desk consent, checked like every document.
    evidence_file = models.FileField(upload_to="consents/", max_length=200, blank=True)
    evidence_name = models.CharField(max_length=200, blank=True)
    evidence_content_type = models.CharField(max_length=100, blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    # Staff withdraw only on the person's instruction, recorded here.
    withdrawn_by_label = models.CharField(max_length=150, blank=True)
    withdrawal_evidence = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["party", "-granted_at"], name="consent_party_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__isnull=True)
                | models.Q(expires_at__gt=models.F("granted_at")),
                name="consent_expires_after_grant",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_at__isnull=True)
                | models.Q(expires_at__lt=datetime(2200, 1, 1, tzinfo=UTC)),
                name="consent_expires_plausible",
            ),
            # A desk consent keeps its signed document (its digest stays after an erasure).
            models.CheckConstraint(
                condition=~models.Q(given_by="desk") | ~models.Q(evidence_sha256=""),
                name="consent_desk_has_evidence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} → {self.recipient_id}"

    def in_force(self, at: datetime) -> bool:
        if self.withdrawn_at is not None and self.withdrawn_at <= at:
            return False
        return self.expires_at is None or self.expires_at > at

    @property
    def category_labels(self) -> list[tuple[str, str]]:
        """The categories as a person reads them, in the active language."""
        return [(code, data_category(code)) for code in self.data_categories]

    @property
    def opens_data(self) -> bool:
        """Whether this consent may share data held by other agencies with its recipient."""
        return self.legal_basis == LegalBasis.CONSENT and self.given_by in (
            GivenBy.PERSON,
            GivenBy.DESK,
        )

    @property
    def shared_categories(self) -> frozenset[str]:
        """The categories it opens: none for an agency's own record; the special categories only
        when the person consented to them explicitly."""
        if not self.opens_data:
            return frozenset()
        categories = frozenset(self.data_categories)
        return categories if self.explicit else categories - SPECIAL_CATEGORIES
