"""A participatory budget: the money an agency sets aside for each district, the projects
residents propose for it, their technical review and cost, the supports that carry them to the
vote, the secret vote itself and the follow-up of what won.

The vote is kept in two tables that share nothing but the budget: ``Ballot`` (what was chosen,
in which district, with no person, no time and a random key) and ``Voter`` (a keyed hash of the
person that says only that they voted, unique per budget so the database refuses a second
vote). Both rows are written in one transaction; neither points at the other."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ventanilla.catalog.models import Agency
from ventanilla.core.i18n import localized
from ventanilla.core.models import BaseModel
from ventanilla.parties.models import Party

MAX_TITLE = 200
MAX_TEXT = 4000


class Phase(models.TextChoices):
    """The budget's phases, in the order they follow one another (see ``PHASE_ORDER``)."""

    PROPOSALS = "proposals", _("Proposals")
    REVIEW = "review", _("Technical review")
    SUPPORTS = "supports", _("Supports")
    VOTING = "voting", _("Voting")
    RESULTS = "results", _("Results")
    EXECUTION = "execution", _("Execution")
    CLOSED = "closed", _("Closed")


# The one table of the workflow: a budget only moves to the phase after its own.
PHASE_ORDER: list[str] = [
    Phase.PROPOSALS,
    Phase.REVIEW,
    Phase.SUPPORTS,
    Phase.VOTING,
    Phase.RESULTS,
    Phase.EXECUTION,
    Phase.CLOSED,
]

# Once the vote is over: the results are told (in the portal and the console alike), never
# while it is open.
SHOWS_RESULTS = (Phase.RESULTS, Phase.EXECUTION, Phase.CLOSED)


def next_phase(phase: str) -> str | None:
    index = PHASE_ORDER.index(phase)
    return PHASE_ORDER[index + 1] if index + 1 < len(PHASE_ORDER) else None


class Budget(BaseModel):
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="budgets", verbose_name=_("agency")
    )
    title_es = models.CharField(max_length=MAX_TITLE, verbose_name=_("title in Spanish"))
    title_en = models.CharField(
        max_length=MAX_TITLE, blank=True, verbose_name=_("title in English")
    )
    description_es = models.TextField(
        max_length=MAX_TEXT, blank=True, verbose_name=_("description in Spanish")
    )
    description_en = models.TextField(
        max_length=MAX_TEXT, blank=True, verbose_name=_("description in English")
    )
    year = models.PositiveSmallIntegerField(verbose_name=_("year"))
    phase = models.CharField(
        max_length=12, choices=Phase.choices, default=Phase.PROPOSALS, verbose_name=_("phase")
    )
    residents_only = models.BooleanField(
        default=True,
        verbose_name=_("registered residents only"),
        help_text=_(
            "Only people the municipal register has living in a district, of the age set for "
            "taking part, may propose, support and vote there."
        ),
    )

    class Meta:
        verbose_name = _("participatory budget")
        verbose_name_plural = _("participatory budgets")
        ordering = ["-year", "title_es"]

    def __str__(self) -> str:
        return f"{self.title_es} ({self.year})"

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def description(self) -> str:
        return localized(self, "description")

    @property
    def next_phase(self) -> str | None:
        return next_phase(self.phase)

    @property
    def next_phase_label(self) -> str:
        following = self.next_phase
        return str(Phase(following).label) if following else ""


class DistrictBudget(BaseModel):
    """The money of one district, in euro cents (integers, so sums are exact)."""

    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="districts", verbose_name=_("budget")
    )
    district = models.CharField(max_length=100, verbose_name=_("district"))
    amount_cents = models.BigIntegerField(verbose_name=_("amount (euro cents)"))

    class Meta:
        verbose_name = _("district budget")
        verbose_name_plural = _("district budgets")
        ordering = ["budget", "district"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "district"], name="budget_district_once"),
            models.CheckConstraint(
                condition=Q(amount_cents__gte=0), name="budget_district_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.district}: {self.amount_cents / 100:.2f} €"


class Project(BaseModel):
    class Review(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        FEASIBLE = "feasible", _("Feasible")
        NOT_FEASIBLE = "not_feasible", _("Not feasible")

    class Execution(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="projects", verbose_name=_("budget")
    )
    district = models.ForeignKey(
        DistrictBudget,
        on_delete=models.PROTECT,
        related_name="projects",
        verbose_name=_("district"),
    )
    title = models.CharField(max_length=MAX_TITLE, verbose_name=_("title"))
    description = models.TextField(max_length=MAX_TEXT, verbose_name=_("description"))
    # Null for the projects staff put forward themselves.
    proposed_by = models.ForeignKey(
        Party,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="budget_projects",
        verbose_name=_("proposed by"),
    )
    review = models.CharField(
        max_length=12, choices=Review.choices, default=Review.PENDING, verbose_name=_("review")
    )
    review_reason = models.TextField(
        max_length=MAX_TEXT, blank=True, verbose_name=_("reason of the review")
    )
    cost_cents = models.BigIntegerField(null=True, blank=True, verbose_name=_("cost (euro cents)"))
    execution = models.CharField(
        max_length=12,
        choices=Execution.choices,
        default=Execution.NOT_STARTED,
        verbose_name=_("execution"),
    )
    execution_note = models.TextField(
        max_length=MAX_TEXT, blank=True, verbose_name=_("note on the execution")
    )
    supports = models.PositiveIntegerField(default=0, verbose_name=_("supports"))

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["budget", "district", "title"]
        constraints = [
            # A feasible project has its cost; one found not feasible says why.
            models.CheckConstraint(
                condition=~Q(review="feasible") | Q(cost_cents__gt=0),
                name="budget_project_feasible_has_cost",
            ),
            models.CheckConstraint(
                condition=~Q(review="not_feasible") | ~Q(review_reason=""),
                name="budget_project_not_feasible_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ProjectSupport(models.Model):
    """A resident's support for a project, once each (the database refuses a second)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="support_rows", verbose_name=_("project")
    )
    party = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        related_name="budget_supports",
        verbose_name=_("party"),
    )

    class Meta:
        verbose_name = _("support")
        verbose_name_plural = _("supports")
        constraints = [
            models.UniqueConstraint(fields=["project", "party"], name="budget_support_once")
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.party_id}"


class Ballot(models.Model):
    """One secret vote: the district and the projects chosen, nothing else. No party, no time,
    a random key, so no row of any table leads from a ballot to a person or back."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    budget = models.ForeignKey(
        Budget, on_delete=models.PROTECT, related_name="ballots", verbose_name=_("budget")
    )
    district = models.ForeignKey(
        DistrictBudget, on_delete=models.PROTECT, related_name="ballots", verbose_name=_("district")
    )
    # The chosen projects' ids as text, sorted, so a ballot's content says nothing of the order
    # the person ticked them in.
    project_ids = models.JSONField(default=list, verbose_name=_("projects chosen"))

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")

    def __str__(self) -> str:
        return f"{self.budget_id} {self.district_id}"


class SealedBallot(models.Model):
    """A ballot cast and not yet counted among the others: what ``Ballot`` holds, waiting in the
    box until enough others arrive to be mixed with (``services.ballots_mix``). It is written
    with its voter's rows, so until then its place and its transaction could name its voter;
    mixing moves it into ``Ballot`` among the others, in shuffled order, and deletes it here."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    budget = models.ForeignKey(
        Budget, on_delete=models.PROTECT, related_name="sealed_ballots", verbose_name=_("budget")
    )
    district = models.ForeignKey(
        DistrictBudget,
        on_delete=models.PROTECT,
        related_name="sealed_ballots",
        verbose_name=_("district"),
    )
    project_ids = models.JSONField(default=list, verbose_name=_("projects chosen"))

    class Meta:
        verbose_name = _("sealed ballot")
        verbose_name_plural = _("sealed ballots")

    def __str__(self) -> str:
        return f"{self.budget_id} {self.district_id}"


class Voter(models.Model):
    """That someone voted in a budget: a keyed hash of their party (``services.voter_hash``),
    unique per budget, with no time and nothing of the ballot."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    budget = models.ForeignKey(
        Budget, on_delete=models.PROTECT, related_name="voters", verbose_name=_("budget")
    )
    voter = models.CharField(max_length=64, verbose_name=_("voter"))

    class Meta:
        verbose_name = _("voter")
        verbose_name_plural = _("voters")
        constraints = [models.UniqueConstraint(fields=["budget", "voter"], name="budget_vote_once")]

    def __str__(self) -> str:
        return f"{self.budget_id} {self.voter[:8]}"
