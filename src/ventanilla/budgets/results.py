"""The results of a budget's vote, computed from its ballots only, so anyone holding the
anonymised ballots (``ventanilla budgets results BUDGET_ID --csv``), the projects' costs and the
districts' money can compute them again and find the same.

The rule, district by district:
1. Count, for each feasible project of the district, the ballots of that district naming it (a
   ballot names a project once at most; a name that is not such a project counts for nothing).
2. Order the projects by votes, most first; ties by lower cost first, then by title, then by id.
3. Go down that list with the district's money: a project is selected when its cost fits in
   what is left, and what is left shrinks by it; one that does not fit is passed over and the
   next ones are still tried (so money left over goes to the next project that fits). A
   project no ballot named is never selected."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from ventanilla.budgets.models import Ballot, Budget, DistrictBudget, Project, SealedBallot


@dataclass
class ProjectResult:
    project_id: str
    title: str
    cost_cents: int
    votes: int
    selected: bool = False
    project: Project | None = None


@dataclass
class DistrictResult:
    district: str
    amount_cents: int
    ballots: int
    projects: list[ProjectResult] = field(default_factory=list)

    @property
    def spent_cents(self) -> int:
        return sum(p.cost_cents for p in self.projects if p.selected)

    def percent(self, row: ProjectResult) -> int:
        """Votes as a share of the district's ballots, for the bar on the page."""
        return round(100 * row.votes / self.ballots) if self.ballots else 0


def tally(
    districts: Iterable[tuple[Any, str, int]],
    projects: Iterable[tuple[Any, Any, str, int]],
    ballots: Iterable[tuple[Any, list[Any]]],
) -> list[DistrictResult]:
    """The results by the module's rule. ``districts``: (id, name, amount in cents);
    ``projects``: feasible ones as (id, district id, title, cost in cents); ``ballots``:
    (district id, chosen project ids). Ids are compared as text."""
    votes: Counter[tuple[str, str]] = Counter()
    ballots_in: Counter[str] = Counter()
    for district_id, chosen in ballots:
        key = str(district_id)
        ballots_in[key] += 1
        votes.update((key, str(c)) for c in set(chosen))
    return selected(districts, projects, votes, ballots_in)


def selected(
    districts: Iterable[tuple[Any, str, int]],
    projects: Iterable[tuple[Any, Any, str, int]],
    votes: Counter[tuple[str, str]],
    ballots_in: Counter[str],
) -> list[DistrictResult]:
    """Steps 2 and 3 of the module's rule, given the votes of each (district, project) and the
    number of ballots of each district (ids as text)."""
    by_district: dict[str, DistrictResult] = {}
    for district_id, name, amount in districts:
        by_district[str(district_id)] = DistrictResult(
            district=name, amount_cents=amount, ballots=0
        )
    of_district: dict[str, list[ProjectResult]] = {key: [] for key in by_district}
    for project_id, district_id, title, cost in projects:
        key = str(district_id)
        of_district[key].append(
            ProjectResult(
                project_id=str(project_id),
                title=title,
                cost_cents=cost,
                votes=votes[(key, str(project_id))],
            )
        )
    results: list[DistrictResult] = []
    for key, result in sorted(by_district.items(), key=lambda item: item[1].district):
        result.ballots = ballots_in[key]
        rows = of_district[key]
        rows.sort(key=lambda r: (-r.votes, r.cost_cents, r.title, r.project_id))
        left = result.amount_cents
        for row in rows:
            if row.votes > 0 and row.cost_cents <= left:
                row.selected = True
                left -= row.cost_cents
        result.projects = rows
        results.append(result)
    return results


def counted(budget: Budget) -> tuple[Counter[tuple[str, str]], Counter[str]]:
    """Step 1 of the rule done by the database over the budget's ballots: the ballots naming
    each (district, project), each ballot once, and the ballots of each district. The same
    count as ``tally``'s (the tests compare them), a hundred thousand ballots in well under a
    second. A ballot still sealed (cast as the vote closed, not yet mixed) counts too."""
    table = (
        f"(SELECT id, district_id, project_ids FROM {Ballot._meta.db_table} "  # noqa: S608
        f"WHERE budget_id = %s UNION ALL SELECT id, district_id, project_ids FROM "
        f"{SealedBallot._meta.db_table} WHERE budget_id = %s)"
    )
    each = (
        "jsonb_array_elements_text(b.project_ids) AS e(value)"
        if connection.vendor == "postgresql"
        else "json_each(b.project_ids) AS e"
    )
    budget_key = Ballot._meta.get_field("budget").get_db_prep_value(budget.pk, connection)
    votes: Counter[tuple[str, str]] = Counter()
    ballots_in: Counter[str] = Counter()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT b.district_id, e.value, COUNT(DISTINCT b.id) FROM {table} b, {each} "  # noqa: S608
            "GROUP BY b.district_id, e.value",
            [budget_key, budget_key],
        )
        for district_id, project_id, n in cursor.fetchall():
            votes[(str(uuid.UUID(str(district_id))), str(project_id))] = n
        cursor.execute(
            f"SELECT district_id, COUNT(*) FROM {table} b GROUP BY district_id",  # noqa: S608
            [budget_key, budget_key],
        )
        for district_id, n in cursor.fetchall():
            ballots_in[str(uuid.UUID(str(district_id)))] = n
    return votes, ballots_in


def budget_results(budget: Budget) -> list[DistrictResult]:
    """The results of ``budget``'s vote, from its ballots (see the module), with each row's
    project attached for the pages."""
    districts = list(
        DistrictBudget.objects.filter(budget=budget).values_list("pk", "district", "amount_cents")
    )
    feasible = {
        str(p.pk): p for p in Project.objects.filter(budget=budget, review=Project.Review.FEASIBLE)
    }
    votes, ballots_in = counted(budget)
    results = selected(
        districts,
        [(key, p.district_id, p.title, p.cost_cents or 0) for key, p in feasible.items()],
        votes,
        ballots_in,
    )
    for result in results:
        for row in result.projects:
            row.project = feasible[row.project_id]
    return results


BALLOT_COLUMNS = ("district", "projects", "titles")


def ballot_rows(budget: Budget) -> Iterable[list[str]]:
    """The anonymised ballots, one row each after a header: the district, the chosen projects'
    ids (space separated; what ``tally`` counts) and their titles (" | " separated, for the
    reader). In the order of their random keys, which says nothing of who voted when."""
    titles = dict(Project.objects.filter(budget=budget).values_list("pk", "title"))
    names = {str(pk): title for pk, title in titles.items()}
    yield list(BALLOT_COLUMNS)
    for model in (Ballot, SealedBallot):
        ballots = model.objects.filter(budget=budget).order_by("pk")
        for district, chosen in ballots.values_list("district__district", "project_ids").iterator(
            chunk_size=5000
        ):
            yield [district, " ".join(chosen), " | ".join(names.get(str(c), "?") for c in chosen)]
