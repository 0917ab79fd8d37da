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
    city = models.CharField(max_length=100, blank=True)
    email = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    # The golden party this record is linked to, once matching (or a person) decided it.
    party = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.SET_NULL, related_name="source_records"
    )
    match_score = models.FloatField(null=True, blank=True)
    decided_by = models.CharField(max_length=100, blank=True)
    # Fields kept as the registry wrote them although they failed validation: {field: reason}.
    # A flagged field is still evidence, but matching does not trust it as if it were valid.
    flags = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("source record")
        verbose_name_plural = _("source records")
        constraints = [
            models.UniqueConstraint(fields=["agency", "source_key"], name="source_record_unique")
        ]


class MatchModel(BaseModel):
    """One trained matching model: Splink's settings with the parameters learnt by EM, saved as
    Splink writes them, with the version that decisions name ("model v3"). The newest active
    one scores new records and real-time candidates."""

    version = models.PositiveIntegerField(unique=True)
    settings = models.JSONField(help_text=_("The Splink model, as saved by Splink."))
    # Match probabilities at or above ``link_threshold`` are linked automatically; from
    # ``review_threshold`` up to it, a person decides; below, the records are kept apart.
    link_threshold = models.FloatField(default=0.99)
    review_threshold = models.FloatField(default=0.5)
    trained_on = models.PositiveIntegerField(
        default=0, help_text=_("How many source records the model was trained on.")
    )
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("matching model")
        verbose_name_plural = _("matching models")
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(review_threshold__lte=models.F("link_threshold")),
                name="match_model_thresholds_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"v{self.version}"


class MatchReview(BaseModel):
    """A pair the model found likely but not certain (its probability in the review band): a
    source record and another record, or a record and a party, left for a person to decide.

    ``comparisons`` keeps, for each comparison of the model, the level the pair fell in with its
    Bayes factor and weight (log2 of the factor), so the reviewer sees what spoke for the link
    and what against it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for review")
        LINKED = "linked", _("Same person")
        NOT_SAME = "not_same", _("Not the same person")

    record = models.ForeignKey(SourceRecord, on_delete=models.CASCADE, related_name="+")
    other_record = models.ForeignKey(
        SourceRecord, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    party = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.CASCADE, related_name="match_reviews"
    )
    model = models.ForeignKey(MatchModel, on_delete=models.PROTECT, related_name="reviews")
    probability = models.FloatField()
    comparisons = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("match to review")
        verbose_name_plural = _("matches to review")
        ordering = ["-probability"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(other_record__isnull=True, party__isnull=False)
                | models.Q(other_record__isnull=False, party__isnull=True),
                name="match_review_one_counterpart",
            ),
            # A pair is put to people once: a decision taken stays taken on the next run.
            models.UniqueConstraint(
                fields=["record", "other_record"],
                condition=models.Q(other_record__isnull=False),
                name="match_review_unique_record_pair",
            ),
            models.UniqueConstraint(
                fields=["record", "party"],
                condition=models.Q(party__isnull=False),
                name="match_review_unique_record_party",
            ),
        ]
