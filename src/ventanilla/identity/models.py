"""Records of a party as one agency or channel knows it, to be matched into golden parties."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.catalog.models import Agency
from ventanilla.core.models import BaseModel
from ventanilla.parties.models import Party


class SourceRecord(BaseModel):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="source_records")
    source_key = models.CharField(max_length=60, help_text=_("The record's id in its system."))
    given_name = models.CharField(max_length=100, blank=True)
    family_name_1 = models.CharField(max_length=100, blank=True)
    family_name_2 = models.CharField(max_length=100, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    identifier = models.CharField(max_length=40, blank=True)
    address = models.CharField(max_length=300, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    email = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    # The golden party this record is linked to, once matching (or a person) decided it.
    party = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.SET_NULL, related_name="source_records"
    )
    match_score = models.FloatField(null=True, blank=True)
    decided_by = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("source record")
        verbose_name_plural = _("source records")
        constraints = [
            models.UniqueConstraint(fields=["agency", "source_key"], name="source_record_unique")
        ]
