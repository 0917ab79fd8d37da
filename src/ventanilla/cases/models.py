"""Cases (service requests): what a party asked for, who owns it and by when (paper: "datos de
servicio"); every step of their life (CaseEvent), the work asked of other departments (CaseTask),
the rules that route them, the life-event requests that open several at once, and what the
citizen is told (NotificationTemplate, Notification)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ventanilla.catalog.models import Agency, Channel, LifeEvent, PublicService
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


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class LifeEventRequest(BaseModel):
    """One request for a life event ("we had a baby") that opened a case in every agency concerned;
    the citizen follows them as one."""

    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="life_event_requests")
    life_event = models.ForeignKey(LifeEvent, on_delete=models.PROTECT, related_name="requests")
    channel = models.ForeignKey(Channel, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    requested_by_label = models.CharField(max_length=150)
    description = models.TextField(max_length=4000, blank=True)

    class Meta:
        verbose_name = _("life-event request")
        verbose_name_plural = _("life-event requests")
        indexes = [models.Index(fields=["party", "-requested_at"], name="lifeevent_request_party")]

    def __str__(self) -> str:
        return f"{self.life_event_id} @ {self.requested_at:%Y-%m-%d}"


class RoutingRule(BaseModel):
    """Which department owns a new case and at what priority. Rules are tried in ``position``
    order; every condition left empty matches anything; the first rule that matches wins."""

    class PartyCondition(models.TextChoices):
        ANY = "", _("Anyone")
        MINOR = "minor", _("A minor")
        SENIOR = "senior", _("Aged 65 or over")
        ORGANISATION = "organisation", _("An organisation")
        ACCESSIBILITY = "accessibility", _("Someone with accessibility needs")

    name = models.CharField(max_length=150, verbose_name=_("name"))
    position = models.PositiveIntegerField(default=100, verbose_name=_("position"))
    active = models.BooleanField(default=True, verbose_name=_("in use"))
    service = models.ForeignKey(
        PublicService,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("service"),
    )
    district = models.CharField(max_length=100, blank=True, verbose_name=_("district"))
    channel = models.ForeignKey(
        Channel,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("channel"),
    )
    keywords = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("Comma-separated; matches when the description contains any of them."),
        verbose_name=_("keywords"),
    )
    party_condition = models.CharField(
        max_length=20,
        choices=PartyCondition.choices,
        blank=True,
        default=PartyCondition.ANY,
        verbose_name=_("who asks"),
    )
    department = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("department")
    )
    priority = models.CharField(
        max_length=10,
        choices=Priority.choices,
        blank=True,
        help_text=_("Empty keeps the priority the case was opened with."),
        verbose_name=_("priority"),
    )

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Case(BaseModel):
    Priority = Priority

    class RoutedBy(models.TextChoices):
        RULE = "rule", _("A routing rule")
        SERVICE = "service", _("The service's department")
        TRIAGE = "triage", _("Triage (no rule matched)")
        TRANSFER = "transfer", _("A transfer")

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
    # Most urgent first (0) to least (3), kept by the database so a queue sorted by priority
    # walks an index instead of sorting every open case.
    priority_rank = models.GeneratedField(
        expression=models.Case(
            models.When(priority=Priority.URGENT, then=models.Value(0)),
            models.When(priority=Priority.HIGH, then=models.Value(1)),
            models.When(priority=Priority.NORMAL, then=models.Value(2)),
            default=models.Value(3),
        ),
        output_field=models.PositiveSmallIntegerField(),
        db_persist=True,
    )
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
    # Database defaults too, so bulk loaders (the synthetic town) that name only some columns work.
    satisfaction_comment = models.TextField(max_length=2000, blank=True, default="", db_default="")
    satisfaction_at = models.DateTimeField(null=True, blank=True)
    # Optimistic locking: every write of a case checks and increments it, so two people editing
    # the same case never overwrite each other silently.
    version = models.PositiveIntegerField(default=1, db_default=1)
    routing_rule = models.ForeignKey(
        RoutingRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="cases"
    )
    routed_by = models.CharField(
        max_length=10, choices=RoutedBy.choices, default=RoutedBy.SERVICE, db_default="service"
    )
    triage = models.BooleanField(default=False, db_default=False)
    # While waiting for the citizen the clock stops; the due date moves on by the days waited.
    waiting_since = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # Almost every case has neither; their indexes hold only the cases that do (see Meta), which
    # also keeps SQLite's planner from judging them useless and scanning every case.
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
        db_index=False,
    )
    life_event_request = models.ForeignKey(
        LifeEventRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        db_index=False,
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["party", "is_open", "-opened_at"], name="case_party_idx"),
            # The warehouse's refresh reads the rows changed since its last build.
            models.Index(fields=["updated_at"], name="case_updated_idx"),
            # The work queues read open cases only: partial indexes on them, each ending with the
            # keyset's tie-breaker, so a page of the oldest due (or most urgent) cases is read
            # straight from an index in order, never sorted.
            models.Index(
                fields=["department", "due_date", "id"],
                condition=models.Q(is_open=True),
                name="case_queue_idx",
            ),
            models.Index(
                fields=["assignee", "due_date", "id"],
                condition=models.Q(is_open=True),
                name="case_assignee_idx",
            ),
            models.Index(
                fields=["due_date", "id"], condition=models.Q(is_open=True), name="case_due_idx"
            ),
            models.Index(
                fields=["priority_rank", "due_date", "id"],
                condition=models.Q(is_open=True),
                name="case_priority_idx",
            ),
            models.Index(
                fields=["department", "priority_rank", "due_date", "id"],
                condition=models.Q(is_open=True),
                name="case_queue_priority_idx",
            ),
            models.Index(
                fields=["department", "opened_at", "id"],
                condition=models.Q(is_open=True),
                name="case_queue_opened_idx",
            ),
            # The tab counts: each read from an index alone.
            models.Index(
                fields=["department", "status"],
                condition=models.Q(is_open=True),
                name="case_queue_status_idx",
            ),
            models.Index(
                fields=["department"],
                condition=models.Q(is_open=True, triage=True),
                name="case_triage_idx",
            ),
            models.Index(fields=["service", "opened_at"], name="case_service_recent_idx"),
            models.Index(
                fields=["duplicate_of"],
                condition=models.Q(duplicate_of__isnull=False),
                name="case_duplicate_of_idx",
            ),
            models.Index(
                fields=["life_event_request"],
                condition=models.Q(life_event_request__isnull=False),
                name="case_life_event_request_idx",
            ),
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


# The steps an event records besides a change of status (those are named by the lifecycle).
EVENT_ACTIONS = {
    "create": _("Asked"),
    "document": _("Document added"),
    "attach": _("Closed as a duplicate"),
    "receive": _("A duplicate was joined to it"),
}


class CaseEvent(BaseModel):
    """One step in a case's life: a transition, a note or public reply, an assignment, a transfer
    between departments, a task, a deadline warning or escalation. Never changed once written."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        TRANSITION = "transition", _("Status change")
        NOTE = "note", _("Internal note")
        REPLY = "reply", _("Reply to the citizen")
        CITIZEN_REPLY = "citizen_reply", _("The citizen replied")
        ASSIGNMENT = "assignment", _("Assignment")
        TRANSFER = "transfer", _("Transfer")
        TASK = "task", _("Task")
        DUPLICATE = "duplicate", _("Duplicate")
        SATISFACTION = "satisfaction", _("Satisfaction answer")
        WARNING = "warning", _("Deadline warning")
        ESCALATION = "escalation", _("Escalation")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=15, choices=Kind.choices)
    action = models.CharField(max_length=20, blank=True)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    text = models.TextField(max_length=4000, blank=True)
    # Seen by the citizen (portal, notifications) or by staff only.
    public = models.BooleanField(default=False)
    from_department = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_department = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    interaction = models.ForeignKey(
        "interactions.Interaction",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    task = models.ForeignKey(
        "CaseTask", null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    occurred_at = models.DateTimeField()

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        indexes = [
            models.Index(fields=["case", "occurred_at"], name="case_event_case_idx"),
            # The warehouse's refresh reads the rows changed since its last build.
            models.Index(fields=["updated_at"], name="case_event_updated_idx"),
            # The staff inbox reads the recent events of a few kinds only.
            models.Index(
                fields=["occurred_at"],
                condition=models.Q(kind__in=["citizen_reply", "task", "escalation", "transfer"]),
                name="case_event_news_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.action}".strip()

    @property
    def action_label(self) -> str:
        """What the step did, in words ("Asked", "Done"); the code stays in ``action``."""
        if self.kind == self.Kind.TASK:
            for value, label in CaseTask.Status.choices:
                if value == self.action:
                    return str(label)
        named = EVENT_ACTIONS.get(self.action)
        if named is not None:
            return str(named)
        return self.action.replace("_", " ").capitalize()


class CaseTask(BaseModel):
    """Work one department or agency asks of another for a case, with its own deadline."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    from_department = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    to_department = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=4000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    due_date = models.DateField()
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_label = models.CharField(max_length=150)
    completed_at = models.DateTimeField(null=True, blank=True)
    result = models.TextField(max_length=4000, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            models.Index(fields=["to_department", "status", "due_date"], name="case_task_queue_idx")
        ]

    def __str__(self) -> str:
        return self.title


class CaseSeen(BaseModel):
    """When a member of staff last opened a case: what happened on it after that is news to them
    (the queue's sign, the inbox). One row per person and case, moved on at each visit."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()

    class Meta:
        verbose_name = _("case seen by staff")
        verbose_name_plural = _("cases seen by staff")
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="case_seen_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} @ {self.seen_at:%Y-%m-%d %H:%M}"


class CaseSequence(models.Model):
    """The last reference number given out in a year, so references never repeat."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class CaseKey(models.Model):
    """The sending system's own key of a case it sent in a batch, per agency: the same key sent
    again gives back the case opened the first time, never a second one."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField(max_length=100)
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="external_key")

    class Meta:
        verbose_name = _("case key of another system")
        verbose_name_plural = _("case keys of other systems")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "external_id"], name="case_key_unique_per_agency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id}:{self.external_id}"
