"""Every write of participatory budgets: the phase moved on by staff, district money, projects
proposed by residents and reviewed by staff, supports, the secret vote, and the follow-up of
the projects carried out.

Each act has its phase (``ACT_PHASES``): a proposal in the proposals phase, a support in the
supports phase, a vote in the voting phase. Where the budget is for registered residents only,
the municipal register says who takes part and in which district
(``ventanilla.parties.residence``); the vote is always cast in the voter's own district.

The secret vote: ``budget_vote`` writes, in one transaction, a ``Voter`` holding a keyed hash
of the person, unique per budget, so a second vote is refused by the database however the
requests race, the person's contact ("took part in the vote", no choice in it), and a
``SealedBallot`` holding the district and the chosen projects only. A sealed ballot is not yet
counted among the others: written with its voter's rows, the database's own bookkeeping
(PostgreSQL's transaction id on each row, SQLite's row order) would pair it with them. Once
``VENTANILLA_SEALED_MIX_SIZE`` are waiting, ``ballots_mix`` takes them out of the box in one
transaction of its own and writes them as ``Ballot`` rows in shuffled order: each counted
ballot was written by a transaction no voter wrote, among as many others, in an order that is
not the order of the votes. Moving the budget to its results mixes whatever is left. Neither
table has a time or points at the other, and the keys are random. Who can read the tables
sees who voted, never what."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor
from ventanilla.access.guards import refuse, require
from ventanilla.access.models import Scope
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_held, audit_record
from ventanilla.budgets.models import (
    MAX_TEXT,
    MAX_TITLE,
    Ballot,
    Budget,
    DistrictBudget,
    Phase,
    Project,
    ProjectSupport,
    SealedBallot,
    Voter,
    next_phase,
)
from ventanilla.catalog.models import Agency
from ventanilla.core.bulk import insert_one, rows_held
from ventanilla.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from ventanilla.core.statements import (
    columns_of,
    db_value,
    fields_of,
    fields_of_all,
    instance_of,
    read_all,
    read_one,
)
from ventanilla.interactions.models import Interaction
from ventanilla.interactions.services import interaction_record_for_case
from ventanilla.notifications.models import NotificationEvent
from ventanilla.notifications.outbox import notify_party
from ventanilla.parties.models import Party
from ventanilla.parties.residence import (
    NotEligible,
    participant_check,
    party_with_residence,
    residence_of,
)

logger = logging.getLogger(__name__)

# The key of the voter's hash: derived from the installation's secret, so the hash of a known
# party cannot be worked out without it; apart from the surveys' key, so the two never match.
_VOTER_SALT = b"ventanilla.budgets.voter"

# What residents may do in each phase; staff may propose projects in the review phase too.
ACT_PHASES: dict[str, str] = {
    "propose": Phase.PROPOSALS,
    "support": Phase.SUPPORTS,
    "vote": Phase.VOTING,
}


def voter_hash(*, budget_id: Any, party_id: Any) -> str:
    """Who voted in a budget, as a keyed hash that only tells a second vote from the same
    person apart: it differs from budget to budget and names no one."""
    key = hmac.new(settings.SECRET_KEY.encode(), _VOTER_SALT, hashlib.sha256).digest()
    message = f"{budget_id}:{party_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


# Every vote asks it: one statement, written once. A row with no id: this record voted; the
# ids: the records merged into it since, whose votes count as this person's.
_VOTED_OR_MERGED = """
SELECT NULL FROM budgets_voter AS voter WHERE voter.budget_id = %s AND voter.voter = %s
UNION ALL
SELECT party.id FROM parties_party AS party WHERE party.merged_into_id = %s
"""


def voted_in(*, budget_id: Any, party_id: Any) -> bool:
    """Whether the person has voted in the budget: as this record, or as a record merged into
    it since (the same person, whose vote was counted under the other record's hash)."""
    budget_key = db_value(Budget._meta.pk, budget_id)
    rows = read_all(
        _VOTED_OR_MERGED,
        [
            budget_key,
            voter_hash(budget_id=budget_id, party_id=party_id),
            db_value(Party._meta.pk, party_id),
        ],
        [Party._meta.pk],
    )
    merged = [key for (key,) in rows]
    if None in merged:
        return True
    hashes = [voter_hash(budget_id=budget_id, party_id=pk) for pk in merged]
    return bool(hashes) and Voter.objects.filter(budget_id=budget_id, voter__in=hashes).exists()


def _budget(budget_id: Any, *, lock: bool = False) -> Budget:
    rows = Budget.objects.select_related("agency")
    if lock:
        rows = rows.select_for_update(of=("self",))
    budget = rows.filter(pk=budget_id).first()
    if budget is None:
        raise NotFound(_("No such participatory budget."))
    return budget


# Every vote reads it: a statement written once. With the budget, the sealed ballots waiting to
# be mixed, so that a vote asks no more than that after its own is cast.
_BUDGET_TO_VOTE = f"""
SELECT {columns_of(Budget, "budget")}, agency.code, (
    SELECT count(*) FROM budgets_sealedballot AS sealed WHERE sealed.budget_id = budget.id
) FROM budgets_budget AS budget
JOIN catalog_agency AS agency ON agency.id = budget.agency_id
WHERE budget.id = %s
"""  # noqa: S608 - made of the model's columns; the values are parameters


def _budget_to_vote(budget_id: Any) -> tuple[Budget, int]:
    """The budget as ``_budget`` reads it, its agency's code with it (for the vote's event),
    and how many sealed ballots wait to be mixed."""
    try:
        key = db_value(Budget._meta.pk, budget_id)
    except ValidationError as wrong:
        raise NotFound(_("No such participatory budget.")) from wrong
    row = read_one(_BUDGET_TO_VOTE, [key], [*fields_of_all(Budget), None, None])
    if row is None:
        raise NotFound(_("No such participatory budget."))
    budget = instance_of(Budget, row[:-2])
    budget.agency = Agency.from_db(DEFAULT_DB_ALIAS, ["id", "code"], [budget.agency_id, row[-2]])
    return budget, row[-1]


def _project(project_id: Any, *, lock: bool = False) -> Project:
    rows = Project.objects.select_related("budget__agency", "district")
    if lock:
        rows = rows.select_for_update(of=("self",))
    project = rows.filter(pk=project_id).first()
    if project is None:
        raise NotFound(_("No such project."))
    return project


def _in_phase(budget: Budget, *phases: str) -> None:
    if budget.phase not in phases:
        names = ", ".join(str(Phase(p).label) for p in phases)
        raise ValidationFailed(
            {"budget": _("This budget is not in that phase now (it takes this in: %(phases)s).")
             % {"phases": names}}
        )  # fmt: skip


def _manages(actor: Actor, budget: Budget) -> None:
    require(actor, Scope.PARTICIPATION_MANAGE)
    if not actor.sees_agency(budget.agency_id):
        refuse(actor, detail={"budget": str(budget.pk)})


def _citizen(actor: Actor, budget: Budget) -> Party:
    if not actor.is_citizen:
        refuse(actor, detail={"budget": str(budget.pk)}, message=_("Sign in to take part."))
    # With their residence, which every vote and support asks next.
    party = party_with_residence(actor.party_id)
    if party is None:
        raise ValidationFailed({"budget": _("Sign in again to take part.")})
    return party


def _district_of(party: Party, budget: Budget, *, district: str = "") -> str:
    """The district the person takes part in: where the register has them living. Checked
    against the administration's rule (residents of age) when the budget says so."""
    if budget.residents_only:
        try:
            return participant_check(party, district=district).district
        except NotEligible as refused:
            raise ValidationFailed({"budget": refused.message}) from refused
    residence = residence_of(party)
    if residence is None:
        raise ValidationFailed(
            {"budget": _("The register has no district for you; ask at any service desk.")}
        )
    if district and residence.district.casefold() != district.casefold():
        raise ValidationFailed(
            {"budget": _("Only residents of %(district)s may take part here.")
             % {"district": district}}
        )  # fmt: skip
    return residence.district


def _participation(
    actor: Actor, party_id: Any, budget: Budget, summary: str, kind: str = "suggestion"
) -> None:
    interaction_record_for_case(
        actor=actor,
        case_id=None,
        party_id=party_id,
        agency_id=budget.agency_id,
        service_id=None,
        channel="web",
        direction=Interaction.Direction.INBOUND,
        kind=kind,
        relationship=Interaction.Relationship.PARTICIPATION,
        summary=summary,
        occurred_at=timezone.now(),
        agency=budget.agency,
    )


# --- Staff: the budget itself ---


def budget_phase_advance(*, actor: Actor, budget_id: Any, to_phase: str) -> Budget:
    """Move the budget to the phase after its own (only forward, one step at a time), audited.
    ``to_phase`` is the phase the member of staff saw as next: a second click, or a colleague
    who moved it meanwhile, is refused rather than moving it twice."""
    with transaction.atomic():
        budget = _budget(budget_id, lock=True)
        _manages(actor, budget)
        following = next_phase(budget.phase)
        if following is None or following != to_phase:
            raise InvalidTransition(
                _("The budget cannot move from “%(from)s” to that phase.")
                % {"from": Phase(budget.phase).label}
            )
        if (
            following == Phase.VOTING
            and not budget.projects.filter(review=Project.Review.FEASIBLE).exists()
        ):
            raise ValidationFailed({"phase": _("No project is feasible yet: review them first.")})
        previous = budget.phase
        budget.phase = following
        budget.save(update_fields=["phase", "updated_at"])
        if previous == Phase.VOTING:
            # The vote is over: what waits in the box joins the count, however few.
            ballots_mix(budget_id=budget.pk, everything=True)
        audit_record(
            actor=actor,
            action=Action.BUDGET_CHANGE,
            object_type="budget",
            object_id=budget.pk,
            detail={"change": "phase", "from": previous, "to": following},
        )
    return budget


def district_amount_set(
    *, actor: Actor, budget_id: Any, district: str, amount_cents: int
) -> DistrictBudget:
    """Set the money of a district (adding the district when new). Fixed once voting opens,
    since the ballots are cast against it."""
    name = district.strip()
    if not name or len(name) > 100:
        raise ValidationFailed({"district": _("Write the district's name.")})
    if not isinstance(amount_cents, int) or amount_cents <= 0:
        raise ValidationFailed({"amount": _("Give an amount greater than zero.")})
    with transaction.atomic():
        budget = _budget(budget_id, lock=True)
        _manages(actor, budget)
        _in_phase(budget, Phase.PROPOSALS, Phase.REVIEW, Phase.SUPPORTS)
        row = budget.districts.filter(district__iexact=name).first()
        if row is None:
            row = DistrictBudget.objects.create(
                budget=budget, district=name, amount_cents=amount_cents
            )
        else:
            row.amount_cents = amount_cents
            row.save(update_fields=["amount_cents", "updated_at"])
        audit_record(
            actor=actor,
            action=Action.BUDGET_CHANGE,
            object_type="budget",
            object_id=budget.pk,
            detail={"change": "district", "district": name, "amount_cents": amount_cents},
        )
    return row


# --- Projects ---


def project_propose(
    *, actor: Actor, budget_id: Any, district: str, title: str, description: str
) -> Project:
    """A resident proposes a project for their own district in the proposals phase (it goes
    on their contact history); staff who run the budget may put one forward for any district
    in the proposals or review phase, with no one as its proposer."""
    budget = _budget(budget_id)
    title, description = title.strip(), description.strip()
    errors: dict[str, str] = {}
    if not title or len(title) > MAX_TITLE:
        errors["title"] = _("Give the project a title of at most %(n)d characters.") % {
            "n": MAX_TITLE
        }
    if not description or len(description) > MAX_TEXT:
        errors["description"] = _("Describe the project in at most %(n)d characters.") % {
            "n": MAX_TEXT
        }
    party: Party | None = None
    if actor.is_citizen:
        _in_phase(budget, ACT_PHASES["propose"])
        party = _citizen(actor, budget)
        district = _district_of(party, budget, district=district)
    else:
        _manages(actor, budget)
        _in_phase(budget, Phase.PROPOSALS, Phase.REVIEW)
    row, _costs = _district_and_costs(budget, district, set())
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        project = Project.objects.create(
            budget=budget, district=row, title=title, description=description, proposed_by=party
        )
        if party is not None:
            _participation(
                actor,
                party.pk,
                budget,
                _("Proposed the project “%(title)s” to the participatory budget “%(budget)s”.")
                % {"title": title, "budget": budget.title_es},
            )
        else:
            audit_record(
                actor=actor,
                action=Action.BUDGET_CHANGE,
                object_type="budget",
                object_id=budget.pk,
                detail={"change": "project", "project": str(project.pk)},
            )
    return project


def project_review(
    *,
    actor: Actor,
    project_id: Any,
    feasible: bool,
    cost_cents: int | None = None,
    reason: str = "",
) -> Project:
    """Staff's technical review: feasible with its cost, or not feasible with the reason said
    to the proposer. Possible until voting opens, since ballots are cast on these costs."""
    reason = reason.strip()
    if feasible and (not isinstance(cost_cents, int) or cost_cents <= 0):
        raise ValidationFailed({"cost": _("Give the cost of a feasible project.")})
    if not feasible and not reason:
        raise ValidationFailed({"reason": _("Say why the project is not feasible.")})
    if len(reason) > MAX_TEXT:
        raise ValidationFailed({"reason": _("Write at most %(n)d characters.") % {"n": MAX_TEXT}})
    with transaction.atomic():
        project = _project(project_id, lock=True)
        budget = project.budget
        _manages(actor, budget)
        _in_phase(budget, Phase.PROPOSALS, Phase.REVIEW, Phase.SUPPORTS)
        project.review = Project.Review.FEASIBLE if feasible else Project.Review.NOT_FEASIBLE
        project.cost_cents = cost_cents if feasible else project.cost_cents
        project.review_reason = reason
        project.save(update_fields=["review", "cost_cents", "review_reason", "updated_at"])
        audit_record(
            actor=actor,
            action=Action.BUDGET_CHANGE,
            object_type="budget",
            object_id=budget.pk,
            detail={"change": "review", "project": str(project.pk), "review": project.review},
        )
        if project.proposed_by_id is not None:
            verdict = (
                _("Your project “%(title)s” is feasible and will go to the vote.")
                if feasible
                else _("Your project “%(title)s” is not feasible: %(reason)s")
            )
            notify_party(
                party_id=project.proposed_by_id,
                event=NotificationEvent.PARTICIPATION,
                text=verdict % {"title": project.title, "reason": reason},
                subject=budget.title_es,
            )
    return project


def project_support(*, actor: Actor, project_id: Any) -> ProjectSupport:
    """A resident of the project's district supports a feasible project, once (the database
    refuses a second support, however the clicks race), in the supports phase."""
    project = _project(project_id)
    budget = project.budget
    _in_phase(budget, ACT_PHASES["support"])
    party = _citizen(actor, budget)
    _district_of(party, budget, district=project.district.district)
    if project.review != Project.Review.FEASIBLE:
        raise ValidationFailed({"project": _("Only feasible projects take supports.")})
    try:
        with transaction.atomic():
            support = ProjectSupport.objects.create(project=project, party=party)
            Project.objects.filter(pk=project.pk).update(supports=F("supports") + 1)
            _participation(
                actor,
                party.pk,
                budget,
                _("Supported the project “%(title)s” of the participatory budget “%(budget)s”.")
                % {"title": project.title, "budget": budget.title_es},
            )
    except IntegrityError as clash:
        raise Conflict(_("You already support this project.")) from clash
    return support


def project_execution_update(
    *, actor: Actor, project_id: Any, execution: str, note: str = ""
) -> Project:
    """Staff's follow-up of a project carried out: its state and a note for the public."""
    if execution not in Project.Execution.values:
        raise ValidationFailed({"execution": _("Choose one of the states.")})
    note = note.strip()
    if len(note) > MAX_TEXT:
        raise ValidationFailed({"note": _("Write at most %(n)d characters.") % {"n": MAX_TEXT}})
    with transaction.atomic():
        project = _project(project_id, lock=True)
        budget = project.budget
        _manages(actor, budget)
        _in_phase(budget, Phase.RESULTS, Phase.EXECUTION)
        project.execution = execution
        project.execution_note = note
        project.save(update_fields=["execution", "execution_note", "updated_at"])
        audit_record(
            actor=actor,
            action=Action.BUDGET_CHANGE,
            object_type="budget",
            object_id=budget.pk,
            detail={"change": "execution", "project": str(project.pk), "execution": execution},
        )
    return project


# --- The vote ---


# Every vote reads it: a statement written once (per number of projects chosen). The district's
# money, and beside it each chosen project that is a feasible one of that district, with its cost
# (none: a row with no project).
_DISTRICT_AND_COSTS = f"""
SELECT {columns_of(DistrictBudget, "district")}, project.id, project.cost_cents
FROM budgets_districtbudget AS district
LEFT JOIN budgets_project AS project ON project.district_id = district.id
    AND project.budget_id = district.budget_id AND project.review = %s
    AND project.id IN ({{chosen}})
WHERE district.budget_id = %s AND UPPER(district.district) = UPPER(%s)
ORDER BY district.id
"""  # noqa: S608 - made of the model's columns; the values are parameters


def _project_keys(project_ids: list[Any]) -> set[str] | None:
    """The projects of a ballot as ids (text), each once; None when one is not a project's."""
    chosen: set[str] = set()
    for raw in project_ids:
        try:
            chosen.add(str(uuid.UUID(str(raw))))
        except ValueError:
            return None
    return chosen


def _district_and_costs(
    budget: Budget, district: str, chosen: set[str]
) -> tuple[DistrictBudget, dict[str, int | None]]:
    """The budget's money for ``district`` (the register's name in any letter case), and the
    cost of each of ``chosen`` that is a feasible project of it, in one statement."""
    key = Project._meta.pk
    fields = fields_of_all(DistrictBudget)
    rows = read_all(
        _DISTRICT_AND_COSTS.format(chosen=", ".join(["%s"] * len(chosen)) or "NULL"),
        [
            Project.Review.FEASIBLE,
            *(db_value(key, project) for project in chosen),
            db_value(Budget._meta.pk, budget.pk),
            district,
        ],
        [*fields, key, *fields_of(Project, "cost_cents")],
    )
    if not rows:
        raise ValidationFailed(
            {"budget": _("This budget has no money for %(district)s.") % {"district": district}}
        )
    found = instance_of(DistrictBudget, rows[0][: len(fields)])
    costs = {
        str(row[-2]): row[-1]
        for row in rows
        if row[-2] is not None and row[0] == found.pk  # the first district only, as read_one
    }
    return found, costs


def ballot_checked(
    district: DistrictBudget, chosen: set[str] | None, costs: dict[str, int | None]
) -> list[str]:
    """The projects of a ballot as kept (ids as text, sorted), or ``ValidationFailed``: only
    feasible projects of the district (``costs``: those of ``chosen`` that are), each once, at
    least one, costing no more in all than the district's money."""
    if chosen is None:
        raise ValidationFailed({"projects": _("Choose among the projects shown.")})
    if not chosen:
        raise ValidationFailed({"projects": _("Choose at least one project.")})
    if len(costs) != len(chosen):
        raise ValidationFailed(
            {"projects": _("Choose only feasible projects of your district, %(district)s.")
             % {"district": district.district}}
        )  # fmt: skip
    total = sum(cost or 0 for cost in costs.values())
    if total > district.amount_cents:
        raise ValidationFailed(
            {"projects": _(
                "Your choice costs %(total)s €, more than the %(amount)s € of %(district)s. "
                "Leave out a project or choose cheaper ones."
            ) % {
                "total": euros(total),
                "amount": euros(district.amount_cents),
                "district": district.district,
            }}
        )  # fmt: skip
    return sorted(chosen)


def euros(cents: int) -> str:
    """An amount in euros as the reader's language writes it (60.000,50 in Spanish, 60,000.50
    in English), cents shown only when there are some."""
    return number_format(
        Decimal(cents) / 100, decimal_pos=2 if cents % 100 else 0, force_grouping=True
    )


def budget_vote(*, actor: Actor, budget_id: Any, project_ids: list[Any]) -> SealedBallot:
    """A resident's secret vote in their district (see the module): checked, then the voter's
    hash, their contact and the sealed ballot written in one transaction (a second vote is
    refused with ``Conflict`` by the database's unique constraint); then, apart, the ballots
    waiting are mixed into the count if there are enough of them."""
    budget, waiting = _budget_to_vote(budget_id)
    _in_phase(budget, ACT_PHASES["vote"])
    party = _citizen(actor, budget)
    asked = _project_keys(project_ids)
    district, costs = _district_and_costs(budget, _district_of(party, budget), asked or set())
    if voted_in(budget_id=budget.pk, party_id=party.pk):
        raise Conflict(_("You have already voted in this budget."))
    voter = voter_hash(budget_id=budget.pk, party_id=party.pk)
    chosen = ballot_checked(district, asked, costs)
    try:
        # The voter, the sealed ballot, the contact and its event in one statement on
        # PostgreSQL; then the audit entry.
        with transaction.atomic(), audit_held(), rows_held():
            insert_one(Voter(budget=budget, voter=voter))
            ballot = SealedBallot(budget=budget, district=district, project_ids=chosen)
            insert_one(ballot)
            _participation(
                actor,
                party.pk,
                budget,
                _("Took part in the vote of the participatory budget “%(budget)s”.")
                % {"budget": budget.title_es},
                kind=Interaction.Kind.TRANSACTION,
            )
    except IntegrityError as clash:
        raise Conflict(_("You have already voted in this budget.")) from clash
    # Counted before this vote: votes cast at the same instant may each count one short, and
    # the mix then waits for the next vote (or the results, which mix whatever waits).
    if waiting + 1 >= settings.VENTANILLA_SEALED_MIX_SIZE:
        try:
            ballots_mix(budget_id=budget.pk)
        except DatabaseError:
            # The vote is kept, sealed and counted; the next vote or the results will mix it.
            logger.exception("Ballots of budget %s could not be mixed now", budget.pk)
    return ballot


# A mix asks it first: a statement written once.
_WAITING = """
SELECT budget.phase, (
    SELECT count(*) FROM budgets_sealedballot AS sealed WHERE sealed.budget_id = budget.id
) FROM budgets_budget AS budget WHERE budget.id = %s
"""
_WAITING_FIELDS = [*fields_of(Budget, "phase"), None]


def ballots_mix(*, budget_id: Any, everything: bool = False) -> int:
    """Move the budget's sealed ballots into the count (``Ballot``), in shuffled order, in a
    transaction of their own: when ``VENTANILLA_SEALED_MIX_SIZE`` are waiting, or any
    number with ``everything`` or once the vote is over. Each sealed ballot is taken by one
    mix only, however many run at once. Returns how many were mixed (0: too few waiting)."""
    fewest = settings.VENTANILLA_SEALED_MIX_SIZE
    if not everything:
        # One read, no lock, for the common case of a vote under way and too few waiting.
        state = read_one(_WAITING, [db_value(Budget._meta.pk, budget_id)], _WAITING_FIELDS)
        if state is None or (state[0] == Phase.VOTING and state[1] < fewest):
            return 0
    with transaction.atomic():
        waiting = list(
            SealedBallot.objects.select_for_update(skip_locked=True)
            .filter(budget_id=budget_id)
            .values_list("pk", "district_id", "project_ids")
        )
        if not waiting:
            return 0
        if (
            len(waiting) < fewest
            and not everything
            and Budget.objects.filter(pk=budget_id, phase=Phase.VOTING).exists()
        ):
            return 0
        secrets.SystemRandom().shuffle(waiting)
        Ballot.objects.bulk_create(
            (
                Ballot(budget_id=budget_id, district_id=district_id, project_ids=chosen)
                for _key, district_id, chosen in waiting
            ),
            batch_size=1000,
        )
        keys = [key for key, _district_id, _chosen in waiting]
        for start in range(0, len(keys), 500):
            SealedBallot.objects.filter(pk__in=keys[start : start + 500]).delete()
    return len(waiting)
