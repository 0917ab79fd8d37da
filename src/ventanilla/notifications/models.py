"""The outbox of messages to citizens: the templates staff edit (one per event, language and
medium) and the messages written from them, kept until sent. Cases and consents write here; the
outbox knows nothing of them."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.core.models import BaseModel
from ventanilla.parties.models import Party


class NotificationEvent(models.TextChoices):
    """The moments a citizen is told of: about their case, or about their data."""

    OPENED = "opened", _("Case opened")
    ACCEPTED = "accepted", _("Case accepted")
    WAITING_CITIZEN = "waiting_citizen", _("Waiting for the citizen")
    RESOLVED = "resolved", _("Case resolved")
    CLOSED = "closed", _("Case closed (with the satisfaction question)")
    REJECTED = "rejected", _("Case rejected")
    CANCELLED = "cancelled", _("Case cancelled")
    REOPENED = "reopened", _("Case reopened")
    REPLY = "reply", _("Reply from staff")
    # One message for a life-event request, listing its cases; they send no "opened" each.
    LIFE_EVENT_OPENED = "life_event_opened", _("Life-event request received (its cases listed)")
    # Not about a case: the person hears of every consent recorded or withdrawn in their name.
    CONSENT_RECORDED = "consent_recorded", _("Consent recorded in the person's name")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
    # Not about a case either: the day before an appointment at an office.
    APPOINTMENT_REMINDER = "appointment_reminder", _("Appointment reminder (the day before)")
    # An email received that opened no case (its answer to a case, or one waiting for a person).
    MAIL_RECEIVED = "mail_received", _("Email received (its reference given)")
    # After a desk visit or a call: the satisfaction question, by a link that needs no sign-in.
    SATISFACTION = "satisfaction", _("Satisfaction question (after a visit or a call)")
    # Written by the notices app, not from a template: a published notice to its subscribers,
    # and the link that confirms a subscription made without signing in.
    NOTICE = "notice", _("Notice to its subscribers")
    SUBSCRIPTION_CONFIRM = "subscription_confirm", _("Confirm an email subscription")
    # Not to a citizen: a new emerging problem, to the supervisors who answer for the service.
    EMERGING_PROBLEM = "emerging_problem", _("Emerging problem (to supervisors)")
    # Taking part: a proposal answered, a consultation opened on what the person complained of,
    # the outcome of one; ``{service}`` names it and ``{text}`` says what happened.
    PARTICIPATION = "participation", _("Participation (proposals, consultations, outcomes)")


class Medium(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class NotificationTemplate(BaseModel):
    """What the citizen is told at one moment, in one language, by one medium. Staff edit these;
    ``{reference}``, ``{service}``, ``{status}``, ``{text}``, ``{due_date}`` and ``{link}`` are
    filled in."""

    event = models.CharField(
        max_length=20, choices=NotificationEvent.choices, verbose_name=_("moment")
    )
    language = models.CharField(
        max_length=2, choices=[("es", "Español"), ("en", "English")], verbose_name=_("language")
    )
    medium = models.CharField(
        max_length=5, choices=Medium.choices, default=Medium.EMAIL, verbose_name=_("medium")
    )
    subject = models.CharField(max_length=200, blank=True, verbose_name=_("subject"))
    body = models.TextField(max_length=4000, verbose_name=_("text"))
    active = models.BooleanField(default=True, verbose_name=_("in use"))

    class Meta:
        verbose_name = _("notification template")
        verbose_name_plural = _("notification templates")
        # The table keeps the name it had when the outbox lived with the cases.
        db_table = "cases_notificationtemplate"
        ordering = ["event", "language", "medium"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "language", "medium"], name="notification_template_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} ({self.language}, {self.medium})"


class Notification(BaseModel):
    """A message to a citizen, written to this outbox in the same transaction as what caused it
    and sent by the worker, so a message is never lost when the mail server is down: a failed
    try is retried at ``next_attempt_at`` for days, and one given up waits for staff to send it
    again."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    class Failure(models.TextChoices):
        """What went wrong on the last try, in words staff understand."""

        UNREACHABLE = "unreachable", _("The mail server or SMS gateway could not be reached")
        RECIPIENT_REFUSED = "recipient_refused", _("The address or number was refused")
        LOGIN_REFUSED = "login_refused", _("The mail server refused Ventanilla's user or password")
        REFUSED = "refused", _("The mail server or SMS gateway refused the message")
        SOFTWARE = "software", _("The sending software failed with an unexpected error")

    # Empty only for an address that is nobody's record: a subscriber to notices who never
    # signed in (``recipient`` is then all we hold of them).
    party = models.ForeignKey(
        Party,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("party"),
    )
    # Named, not imported: cases write to this outbox, the outbox knows nothing of cases.
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("case"),
    )
    event = models.CharField(
        max_length=20, choices=NotificationEvent.choices, verbose_name=_("moment")
    )
    medium = models.CharField(max_length=5, choices=Medium.choices, verbose_name=_("medium"))
    recipient = models.CharField(max_length=254, verbose_name=_("recipient"))
    language = models.CharField(max_length=2, verbose_name=_("language"))
    subject = models.CharField(max_length=200, blank=True, verbose_name=_("subject"))
    body = models.TextField(max_length=8000, verbose_name=_("text"))
    # Extra email headers for this message (RFC 8058 List-Unsubscribe, say), added to those
    # every message carries.
    headers = models.JSONField(default=dict, blank=True, verbose_name=_("headers"))
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED, verbose_name=_("status")
    )
    attempts = models.PositiveSmallIntegerField(default=0, verbose_name=_("attempts"))
    # The sending run takes a queued message only once this moment has come.
    next_attempt_at = models.DateTimeField(default=timezone.now, verbose_name=_("next attempt at"))
    failure = models.CharField(
        max_length=20, choices=Failure.choices, blank=True, verbose_name=_("failure")
    )
    # The exception's type and message, for the operator.
    last_error = models.CharField(max_length=500, blank=True, verbose_name=_("last error"))
    sent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent at"))
    # When staff last sent a given-up message again; the days of retrying count from here.
    resent_at = models.DateTimeField(null=True, blank=True, verbose_name=_("sent again at"))

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        db_table = "cases_notification"
        indexes = [
            models.Index(fields=["status", "created_at"], name="notification_outbox_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="notification_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event} -> {self.recipient}"
