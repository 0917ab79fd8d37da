"""Email as it arrived: every message kept whole, byte for byte, with what became of it. A
message is stored before anything is read from it, so one that cannot be parsed or handled is
still here, waiting for a person."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ventanilla.core.models import BaseModel


class InboundMessage(BaseModel):
    class Source(models.TextChoices):
        IMAP = "imap", _("Mailbox (IMAP)")
        GATEWAY = "gateway", _("Mail gateway")

    class State(models.TextChoices):
        RECEIVED = "received", _("Received, not handled yet")
        RECORDED = "recorded", _("Recorded on the sender's history")
        NEEDS_PERSON = "needs_person", _("Waiting for a person")
        AUTOMATIC = "automatic", _("Automatic message, not a contact")
        DEALT_WITH = "dealt_with", _("Dealt with by a person")

    # The same bytes delivered twice (a mailbox read again, a gateway retrying) are one message.
    sha256 = models.CharField(max_length=64, unique=True)
    raw = models.BinaryField()
    source = models.CharField(max_length=10, choices=Source.choices)
    delivered_by = models.CharField(max_length=150, blank=True)
    state = models.CharField(
        max_length=15, choices=State.choices, default=State.RECEIVED, db_index=True
    )
    # What a person must look at (NEEDS_PERSON), or why it is automatic (AUTOMATIC): in the
    # language it was handled in, and in each language of the console, so each reader reads it
    # in theirs (``reason_to_read``).
    reason = models.TextField(blank=True, max_length=2000)
    reasons = models.JSONField(default=dict, blank=True)
    message_id = models.CharField(max_length=300, blank=True, db_index=True)
    sender = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    # What it says, as read: the plain text, and the HTML with only safe markup left (nh3).
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    interaction = models.ForeignKey(
        "interactions.Interaction",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")
        indexes = [models.Index(fields=["sender", "replied_at"], name="mail_sender_replied_idx")]

    def __str__(self) -> str:
        return f"{self.sender} {self.subject}"[:100]

    def reason_to_read(self) -> str:
        """The reason in the reader's language; as it was written when it has no such copy."""
        return str(self.reasons.get(get_language() or "", "")) or self.reason

    @property
    def reference(self) -> str:
        """How the sender is told of a message that opened no case: short, stable, unique enough
        for a person to find it."""
        return f"EM-{str(self.pk)[:8].upper()}"
