"""The contact history: every contact on every channel (paper: "datos de contacto" and
"datos de acción")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.catalog.models import Agency, Channel, PublicService
from ventanilla.core import dates
from ventanilla.core.models import BaseModel
from ventanilla.parties.models import Party


class Interaction(BaseModel):
    class Direction(models.TextChoices):
        INBOUND = "inbound", _("From the citizen")
        OUTBOUND = "outbound", _("To the citizen")

    class Relationship(models.TextChoices):
        """The paper's three relationships between administration and citizen."""

        INFORMATION = "information", _("Information")
        CONSULTATION = "consultation", _("Consultation")
        PARTICIPATION = "participation", _("Participation")

    class Kind(models.TextChoices):
        QUESTION = "question", _("Question")
        COMPLAINT = "complaint", _("Complaint")
        SUGGESTION = "suggestion", _("Suggestion")
        REQUEST = "request", _("Request")
        TRANSACTION = "transaction", _("Transaction")

    class Outcome(models.TextChoices):
        """How the contact ended, as a contact centre reports it."""

        ANSWERED = "answered", _("Answered")
        CASE_OPENED = "case_opened", _("Case opened")
        APPOINTMENT = "appointment", _("Appointment given")
        CALL_BACK = "call_back", _("To call back")
        TRANSFERRED = "transferred", _("Transferred")
        NO_ANSWER = "no_answer", _("No answer")

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="interactions")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="interactions")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="interactions")
    direction = models.CharField(
        max_length=10, choices=Direction.choices, default=Direction.INBOUND
    )
    relationship = models.CharField(
        max_length=15, choices=Relationship.choices, default=Relationship.INFORMATION
    )
    kind = models.CharField(max_length=15, choices=Kind.choices, default=Kind.QUESTION)
    service = models.ForeignKey(
        PublicService, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="interactions"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    occurred_at = models.DateTimeField(validators=[dates.validate_event_time])
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    summary = models.TextField(max_length=4000)
    # Empty when the channel does not say (web forms, email, the history before outcomes).
    outcome = models.CharField(
        max_length=15, choices=Outcome.choices, blank=True, default="", db_default=""
    )
    # A contact that ends "to call back" waits in the call-back queue until it is returned: by
    # when, on which number (empty: the person's own), how many tries went unanswered, and when
    # it was returned (the return call is a contact of its own, ``call_back_answer``).
    call_back_due = models.DateTimeField(null=True, blank=True)
    call_back_phone = models.CharField(max_length=32, blank=True, default="", db_default="")
    call_back_attempts = models.PositiveSmallIntegerField(default=0, db_default=0)
    call_back_done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [
            models.Index(fields=["party", "-occurred_at", "-id"], name="interaction_timeline_idx"),
            models.Index(fields=["agency", "-occurred_at"], name="interaction_agency_idx"),
            # The warehouse's refresh reads the rows changed since its last build.
            models.Index(fields=["updated_at"], name="interaction_updated_idx"),
            models.Index(
                fields=["call_back_due"],
                name="interaction_call_back_idx",
                condition=models.Q(call_back_due__isnull=False, call_back_done_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=dates.event_time_storable("occurred_at"),
                name="interaction_occurred_at_plausible",
            )
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d} {self.channel_id} {self.kind}"


class InteractionAttachment(BaseModel):
    """A document brought with a contact, stored under MEDIA_ROOT with a random name.

    The content type is the one detected from the bytes, never the one the sender declared.
    """

    interaction = models.ForeignKey(
        Interaction, on_delete=models.CASCADE, related_name="attachments"
    )
    # The stored name is random (see services.attachment_add); the sender's name is file_name.
    file = models.FileField(upload_to="attachments/", max_length=200)
    file_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    description = models.TextField(blank=True, max_length=4000)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_by_label = models.CharField(max_length=150)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gt=0), name="attachment_not_empty")
        ]

    def __str__(self) -> str:
        return self.file_name


class SatisfactionAnswer(BaseModel):
    """ "How did we do?", asked the same way on every door: after a closed case (answered in the
    portal), after a desk visit or a logged call (by an email or SMS link that needs no sign-in).
    One row per question asked; the answer fills ``score`` once. ``channel`` is the door the
    person came through and ``about`` says, in words, what they are asked about, so the answers
    of every door are one set."""

    party = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        related_name="satisfaction_answers",
        verbose_name=_("party"),
    )
    channel = models.ForeignKey(
        Channel, on_delete=models.PROTECT, related_name="+", verbose_name=_("channel")
    )
    about = models.CharField(max_length=200, verbose_name=_("about"))
    # The contact asked about (a call, the end of a desk visit), or the case.
    interaction = models.ForeignKey(
        Interaction,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("contact"),
    )
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("case"),
    )
    asked_at = models.DateTimeField(verbose_name=_("asked at"))
    # The link in the message works until then.
    expires_at = models.DateTimeField(verbose_name=_("link valid until"))
    score = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("score"))
    comment = models.TextField(max_length=2000, blank=True, default="", verbose_name=_("comment"))
    answered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("answered at"))
    # The link's short code (``/s/CODE``), short enough for a text message; questions asked
    # before it existed keep their signed link.
    code = models.CharField(
        max_length=12,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("code of the link"),
    )

    class Meta:
        verbose_name = _("satisfaction answer")
        verbose_name_plural = _("satisfaction answers")
        indexes = [
            models.Index(fields=["channel", "answered_at"], name="satisfaction_channel_idx"),
            models.Index(fields=["party", "-asked_at"], name="satisfaction_party_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=5),
                name="satisfaction_answer_1_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True, answered_at__isnull=True)
                | models.Q(score__isnull=False, answered_at__isnull=False),
                name="satisfaction_answer_with_time",
            ),
            # A case is rated once, whatever two requests race.
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(case__isnull=False),
                name="satisfaction_once_a_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel_id}: {self.about}"


class ContactKey(models.Model):
    """The sending system's own key of a contact it sent in a batch, per agency: the same key
    sent again gives back the contact recorded the first time, never a second one."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(max_length=100)
    interaction = models.OneToOneField(
        Interaction, on_delete=models.CASCADE, related_name="external_key"
    )

    class Meta:
        verbose_name = _("contact key of another system")
        verbose_name_plural = _("contact keys of other systems")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "external_id"], name="contact_key_unique_per_agency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}:{self.external_id}"
