"""Consents: a party's permission, or another legal basis, for one agency to use some of their
data for one purpose, until it expires or is withdrawn."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.catalog.models import Agency, Channel
from ventanilla.core.models import BaseModel
from ventanilla.parties.models import Party


class LegalBasis(models.TextChoices):
    """GDPR article 6(1) bases an administration uses."""

    CONSENT = "consent", _("Consent of the person")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")
    PUBLIC_TASK = "public_task", _("Public task")
    VITAL_INTEREST = "vital_interest", _("Vital interest")
    CONTRACT = "contract", _("Contract")


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

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["party", "-granted_at"], name="consent_party_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__isnull=True)
                | models.Q(expires_at__gt=models.F("granted_at")),
                name="consent_expires_after_grant",
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose} → {self.recipient_id}"

    def in_force(self, at: datetime) -> bool:
        if self.withdrawn_at is not None and self.withdrawn_at <= at:
            return False
        return self.expires_at is None or self.expires_at > at


class SharingRequest(BaseModel):
    """One agency asking another for data it already holds on a party ("once-only"), with the
    purpose, the basis it relied on, and the answer. The data itself is not kept here."""

    class Outcome(models.TextChoices):
        GRANTED = "granted", _("Granted")
        REFUSED = "refused", _("Refused")

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="sharing_requests")
    requester = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    holder = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=300)
    data_categories = models.JSONField(default=list)
    legal_basis = models.CharField(max_length=20, choices=LegalBasis.choices)
    legal_reference = models.CharField(max_length=200, blank=True)
    consents = models.ManyToManyField(Consent, blank=True, related_name="sharing_requests")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    refusal = models.CharField(max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_label = models.CharField(max_length=150)
    answered_at = models.DateTimeField()

    class Meta:
        verbose_name = _("data-sharing request")
        verbose_name_plural = _("data-sharing requests")
        indexes = [models.Index(fields=["party", "-answered_at"], name="sharing_party_idx")]

    def __str__(self) -> str:
        return f"{self.requester_id} → {self.holder_id}: {self.outcome}"
