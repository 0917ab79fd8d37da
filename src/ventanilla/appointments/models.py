"""Appointments (cita previa): the offices where services are given in person, their desks,
opening hours and slot lengths, and the appointments and walk-in tickets of each day.

A slot is held by at most ``desks`` live appointments: each takes a numbered seat of its slot,
and a partial unique index on (office, service, start, seat) over the appointments not
cancelled makes a second booking of the same seat impossible, whatever two requests race."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ventanilla.catalog.models import Agency, PublicService
from ventanilla.core.models import BaseModel
from ventanilla.parties.models import Party


class Office(BaseModel):
    """A place where an agency receives citizens in person."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="offices", verbose_name=_("agency")
    )
    code = models.SlugField(max_length=40, unique=True, verbose_name=_("code"))
    name = models.CharField(max_length=200, verbose_name=_("name"))
    address = models.CharField(max_length=300, verbose_name=_("address"))
    active = models.BooleanField(default=True, verbose_name=_("open to appointments"))

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Desk(BaseModel):
    """A counter in an office where a member of staff calls tickets."""

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="desks", verbose_name=_("office")
    )
    name = models.CharField(max_length=60, verbose_name=_("name"))

    class Meta:
        verbose_name = _("desk")
        verbose_name_plural = _("desks")
        ordering = ["office", "name"]
        constraints = [
            models.UniqueConstraint(fields=["office", "name"], name="desk_name_once_per_office")
        ]

    def __str__(self) -> str:
        return f"{self.office} · {self.name}"


class OfficeService(models.Model):
    """A service an office gives by appointment: how long a slot lasts and how many citizens
    one slot takes at once (the desks that give it)."""

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="services", verbose_name=_("office")
    )
    service = models.ForeignKey(
        PublicService, on_delete=models.CASCADE, related_name="+", verbose_name=_("service")
    )
    slot_minutes = models.PositiveSmallIntegerField(
        default=15, verbose_name=_("slot length in minutes")
    )
    capacity = models.PositiveSmallIntegerField(
        default=1,
        verbose_name=_("citizens per slot"),
        help_text=_("How many desks give this service at the same time."),
    )

    class Meta:
        verbose_name = _("service given at an office")
        verbose_name_plural = _("services given at offices")
        constraints = [
            models.UniqueConstraint(fields=["office", "service"], name="office_service_once"),
            models.CheckConstraint(
                condition=Q(slot_minutes__gte=5, slot_minutes__lte=240),
                name="office_service_slot_length",
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1, capacity__lte=50), name="office_service_capacity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.office}: {self.service}"

    @property
    def slot(self) -> timedelta:
        return timedelta(minutes=self.slot_minutes)


class OpeningHours(models.Model):
    """One opening period of an office on a day of the week (Monday is 0); an office open
    morning and afternoon has two rows for the day. Holidays of the office's agency (and of
    those above it) close it whatever these say."""

    office = models.ForeignKey(
        Office, on_delete=models.CASCADE, related_name="opening_hours", verbose_name=_("office")
    )
    weekday = models.PositiveSmallIntegerField(
        choices=[
            (0, _("Monday")),
            (1, _("Tuesday")),
            (2, _("Wednesday")),
            (3, _("Thursday")),
            (4, _("Friday")),
            (5, _("Saturday")),
            (6, _("Sunday")),
        ],
        verbose_name=_("day of the week"),
    )
    opens = models.TimeField(verbose_name=_("opens"))
    closes = models.TimeField(verbose_name=_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["office", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=models.F("opens")), name="opens_first"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="opening_hours_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class Appointment(BaseModel):
    """A citizen's appointment, or a walk-in's ticket, at an office for a service."""

    class Kind(models.TextChoices):
        BOOKED = "booked", _("Appointment")
        WALK_IN = "walk_in", _("Walk-in")

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")
        ATTENDED = "attended", _("Attended")
        NO_SHOW = "no_show", _("Did not come")

    reference = models.CharField(max_length=20, unique=True, verbose_name=_("reference"))
    kind = models.CharField(
        max_length=10, choices=Kind.choices, default=Kind.BOOKED, verbose_name=_("kind")
    )
    # Empty for a walk-in who gave no name.
    party = models.ForeignKey(
        Party,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("party"),
    )
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="appointments", verbose_name=_("office")
    )
    service = models.ForeignKey(
        PublicService, on_delete=models.PROTECT, related_name="+", verbose_name=_("service")
    )
    # The slot's start (for a walk-in, when the ticket was issued) and the seat of the slot it
    # holds, 1 to the slot's capacity; walk-ins hold no seat.
    start = models.DateTimeField(verbose_name=_("start"))
    seat = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("seat"))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.BOOKED, verbose_name=_("status")
    )
    # The day's ticket number at the office, given at check-in or to a walk-in.
    ticket_day = models.DateField(null=True, blank=True, verbose_name=_("ticket day"))
    ticket = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("ticket"))
    desk = models.ForeignKey(
        Desk,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("desk"),
    )
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("called by"),
    )
    checked_in_at = models.DateTimeField(null=True, blank=True, verbose_name=_("arrived at"))
    called_at = models.DateTimeField(null=True, blank=True, verbose_name=_("called at"))
    served_at = models.DateTimeField(null=True, blank=True, verbose_name=_("served from"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))
    reminded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("reminded at"))

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["start"]
        indexes = [
            models.Index(fields=["office", "start"], name="appointment_day_idx"),
            models.Index(fields=["party", "-start"], name="appointment_party_idx"),
        ]
        constraints = [
            # The invariant double booking would break: one live appointment per seat of a slot.
            models.UniqueConstraint(
                fields=["office", "service", "start", "seat"],
                condition=Q(seat__isnull=False) & ~Q(status="cancelled"),
                name="appointment_one_per_seat",
            ),
            models.UniqueConstraint(
                fields=["office", "ticket_day", "ticket"],
                condition=Q(ticket__isnull=False),
                name="appointment_ticket_once_a_day",
            ),
            models.CheckConstraint(
                condition=Q(kind="walk_in") | Q(seat__isnull=False),
                name="appointment_booked_has_seat",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def ticket_label(self) -> str:
        if self.ticket is None:
            return ""
        prefix = "W" if self.kind == self.Kind.WALK_IN else "A"
        return f"{prefix}{self.ticket:03d}"

    @property
    def waiting_seconds(self) -> int | None:
        """From arrival (or the appointment's time, if the citizen came early) to the call."""
        if self.called_at is None or self.checked_in_at is None:
            return None
        since = max(self.checked_in_at, self.start)
        return max(0, int((self.called_at - since).total_seconds()))

    @property
    def service_seconds(self) -> int | None:
        if self.served_at is None or self.finished_at is None:
            return None
        return max(0, int((self.finished_at - self.served_at).total_seconds()))
