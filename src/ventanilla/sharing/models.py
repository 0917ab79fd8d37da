"""A data-sharing request between agencies ("once-only"): who asked whom, for what, on which basis,
and the answer. The data given is never kept here."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.catalog.models import Agency
from ventanilla.consent.models import Consent, LegalBasis
from ventanilla.core.models import BaseModel
from ventanilla.parties.models import Party


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
        # The table keeps the name it had when these requests lived with the consents.
        db_table = "consent_sharingrequest"
        indexes = [models.Index(fields=["party", "-answered_at"], name="sharing_party_idx")]

    def __str__(self) -> str:
        return f"{self.requester_id} → {self.holder_id}: {self.outcome}"
