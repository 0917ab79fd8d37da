"""Cases (service requests): what a party asked for, who owns it and by when (paper: "datos de
servicio"). The full lifecycle and routing arrive with the cases issue; this is the first cut."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.catalog.models import Agency, Channel, PublicService
from ventanilla.core.models import BaseModel
from ventanilla.parties.models import Party


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_CITIZEN = "waiting_citizen", _("Waiting for the citizen")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = frozenset(
    {CaseStatus.NEW, CaseStatus.ACCEPTED, CaseStatus.IN_PROGRESS, CaseStatus.WAITING_CITIZEN}
)


OPEN_STATUS_VALUES = sorted(str(status) for status in OPEN_STATUSES)


class Case(BaseModel):
    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    reference = models.CharField(max_length=20, unique=True)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="cases")
    service = models.ForeignKey(PublicService, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW)
    # Derived from status by the database itself, so it can never disagree with it.
    is_open = models.GeneratedField(
        expression=models.Case(
            models.When(status__in=OPEN_STATUS_VALUES, then=models.Value(True)),
            default=models.Value(False),
        ),
        output_field=models.BooleanField(),
        db_persist=True,
    )
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="cases")
    department = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="cases")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField()
    due_date = models.DateField()
    closed_at = models.DateTimeField(null=True, blank=True)
    description = models.TextField(max_length=4000, blank=True)
    form_data = models.JSONField(default=dict, blank=True)
    location_text = models.CharField(max_length=300, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    district = models.CharField(max_length=100, blank=True)
    satisfaction = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["party", "is_open", "-opened_at"], name="case_party_idx"),
            models.Index(fields=["department", "is_open", "due_date"], name="case_queue_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True)
                | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="case_satisfaction_1_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True)
                | models.Q(latitude__gte=-90, latitude__lte=90),
                name="case_latitude_range",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class CaseSequence(models.Model):
    """The last reference number given out in a year, so references never repeat."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"
