"""One chunk of residents, start to end: the rooms of the town called in the order that keeps
the random stream, and so the town, the same for the same seed."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from ventanilla.demo.synthetic.cases import Cases
from ventanilla.demo.synthetic.clock import REFERENCE_NOW
from ventanilla.demo.synthetic.contacts import Contacts
from ventanilla.demo.synthetic.demand import ACTIVITY
from ventanilla.demo.synthetic.draws import share, stochastic_round
from ventanilla.demo.synthetic.interactions import Interactions
from ventanilla.demo.synthetic.organisations import Organisations
from ventanilla.demo.synthetic.people import People, age_group
from ventanilla.demo.synthetic.records import UNKNOWN_SHARE, SourceRecords
from ventanilla.demo.synthetic.tables import Row
from ventanilla.demo.synthetic.town import CHUNK, ORGANISATIONS_PER_CITIZEN, SeedSummary, Town
from ventanilla.demo.synthetic.wording import writing_language


@dataclass
class Chunk:
    """What one chunk of residents produced: rows per table (in ``Tables.SPECS`` order)."""

    number: int
    rows: list[list[Row]]
    summary: SeedSummary


class Generator:
    """Makes the rows of one chunk of residents at a time.

    A chunk depends only on the seed and its number (its own random stream, its own ranges of
    UUIDs, organisation numbers and record keys), so chunks can be made in another process and
    in any order, and still give the same town. Case references are numbered by the writer.
    """

    def __init__(
        self,
        *,
        seed: int,
        citizens: int,
        per_citizen: float,
        vendor: str,
        now: datetime = REFERENCE_NOW,
    ) -> None:
        self.town = Town(
            seed=seed, citizens=citizens, per_citizen=per_citizen, vendor=vendor, now=now
        )
        self.contacts = Contacts(self.town)
        self.people = People(self.town, self.contacts)
        self.organisations = Organisations(self.town, self.people, self.contacts)
        self.cases = Cases(self.town)
        self.interactions = Interactions(self.town, self.cases)
        self.records = SourceRecords(self.town, self.people, self.contacts)

    def chunk(self, number: int) -> Chunk:
        town = self.town
        town.start(number)
        first = number * CHUNK
        size = min(CHUNK, town.citizens - first)
        self.generate_chunk(random.Random(f"ventanilla:{town.seed}:{number}"), first, size)
        town.summary.rows = sum(len(rows) for rows in town.rows)
        return Chunk(number=number, rows=town.rows, summary=town.summary)

    def generate_chunk(self, rng: random.Random, first: int, size: int) -> None:
        # Every draw below comes from ``rng`` in this order: moving a step changes the town.
        people = self.people.residents(rng, first, size)
        households = self.people.households(rng, people)
        for household in households:
            self.people.name_household(rng, household)
        for person in people:
            self.people.write(rng, person)
        adults = [p for p in people if p.age >= 25 and p.age < 75]
        organisations = []
        for _ in range(round(size * ORGANISATIONS_PER_CITIZEN)):
            organisations.append(
                self.organisations.write(rng, rng.choice(adults) if adults else None)
            )
        self.town.summary.citizens += size
        budget = round(self.town.per_citizen * size)
        weights = [ACTIVITY[age_group(p.age)] * rng.gammavariate(2.0, 0.5) for p in people] + [
            ACTIVITY["organisation"] * rng.gammavariate(2.0, 0.5) for _ in organisations
        ]
        counts = share(rng, budget, weights)
        for person, count in zip(people, counts, strict=False):
            home = person.household
            assert home is not None  # noqa: S101 - every person is housed
            self.interactions.write_history(
                rng, person.id, age_group(person.age), person.employment, person.start_day,
                home.district, count, language=writing_language(person), signer=person.given,
            )  # fmt: skip
        for (org_id, start, district), count in zip(
            organisations, counts[len(people) :], strict=True
        ):
            self.interactions.write_history(rng, org_id, "organisation", "", start, district, count)
        for person in people:
            self.records.write_for_resident(rng, person)
        for _ in range(stochastic_round(rng, size * UNKNOWN_SHARE)):
            self.records.write_unknown(rng)
