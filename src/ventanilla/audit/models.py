"""The tamper-evident log of every read and change of personal data.

Each entry carries the SHA-256 of the previous entry's hash and its own content, so changing or
removing an entry breaks every hash after it, and a seal (an HMAC with a key kept outside the
database) that only the application can make again. ``AuditHead`` holds the last hash (and
serialises writers, so the chain never forks); ``AuditCheckpoint`` rows carry an HMAC of the head,
and a copy of each goes to a sink outside the database, so a cut-off tail is caught too.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.audit.actions import Action


class AuditEntry(models.Model):
    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField()
    actor = models.CharField(max_length=150, help_text=_("User name, or api:<key name>."))
    user_id = models.IntegerField(null=True, blank=True)
    api_key_id = models.UUIDField(null=True, blank=True)
    roles = models.CharField(max_length=200, blank=True)
    agencies = models.CharField(max_length=400, blank=True)
    action = models.CharField(max_length=40, choices=Action.choices)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # Not a foreign key: the log must outlive the party (erasure pseudonymises, never deletes).
    party_id = models.UUIDField(null=True, blank=True)
    purpose = models.CharField(max_length=300, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # HMAC of ``hash`` with the audit key: whoever edits an entry and recomputes the chain without
    # the key cannot seal it again, so verification names the entry. Null on entries written
    # before seals existed; a null rather than a blank default lets SQLite add the column in
    # place, keeping the table's append-only trigger.
    seal = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["party_id", "-id"], name="audit_party_idx"),
            models.Index(fields=["actor", "-id"], name="audit_actor_idx"),
            models.Index(fields=["api_key_id", "-id"], name="audit_key_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.id} {self.actor} {self.action}"


class AuditHead(models.Model):
    """The single row holding the end of the chain; locking it orders concurrent writers."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_entry_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)
    # The entry the newest checkpoint signed: when the next one is due, by count or by time.
    checkpoint_entry_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"head #{self.last_entry_id}"


class AuditCheckpoint(models.Model):
    """A signed statement that the chain reached ``entry_id`` with ``entry_hash`` at ``at``."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField()
    entry_id = models.BigIntegerField()
    entry_hash = models.CharField(max_length=64)
    signature = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"checkpoint #{self.entry_id}"
