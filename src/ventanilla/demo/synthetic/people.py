"""Residents and their households: ages from the population pyramid, couples, children with
their parents' surnames (and a parent ``Representation`` for every minor), foreign households
with their own names and languages, and what the town hall keeps of each person: identity
document, addresses now and before, email, phone, work situation, accessibility needs."""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final

from ventanilla.core.text import fold
from ventanilla.demo import names
from ventanilla.demo.synthetic.clock import HISTORY_YEARS
from ventanilla.demo.synthetic.contacts import Contacts
from ventanilla.demo.synthetic.draws import Weighted
from ventanilla.demo.synthetic.town import Town
from ventanilla.parties.models import Identifier, Representation

FOREIGN_HOUSEHOLDS: Final = 0.12

# Spanish population pyramid by five-year bands (thousands), a little younger than the country.
PYRAMID: Final = (
    2000, 2400, 2700, 2650, 2550, 2700, 2850, 3200, 3850, 4050, 3900,
    3650, 3250, 2750, 2350, 2050, 1450, 950, 420, 110, 15,
)  # fmt: skip

EDUCATION_BY_AGE: Final = (
    (25, {"secondary": 55, "vocational": 20, "university": 20, "primary": 5}),
    (45, {"university": 40, "vocational": 22, "secondary": 30, "primary": 8}),
    (65, {"university": 25, "vocational": 18, "secondary": 32, "primary": 22, "none": 3}),
    (200, {"university": 10, "vocational": 5, "secondary": 18, "primary": 50, "none": 17}),
)
EMPLOYMENT_BY_AGE: Final = (
    (25, {"student": 45, "employed": 35, "unemployed": 18, "other": 2}),
    (65, {"employed": 76, "unemployed": 12, "homemaker": 6, "other": 6}),
    (200, {"retired": 92, "employed": 3, "homemaker": 5}),
)
NEEDS_YOUNGER: Final = {
    "wheelchair": 3, "low_vision": 2, "blind": 1, "deaf": 1, "hard_of_hearing": 2,
    "sign_language": 1, "easy_read": 2, "cognitive": 1,
}  # fmt: skip
NEEDS_OLDER: Final = {"wheelchair": 3, "hard_of_hearing": 4, "low_vision": 3, "easy_read": 2}


@dataclass(slots=True)
class Household:
    district: names.District
    address: str
    community: names.Community | None
    previous: tuple[names.District, str, date] | None
    adults: list[Person] = field(default_factory=list)
    children: list[Person] = field(default_factory=list)


@dataclass(slots=True)
class Person:
    index: int
    id: str
    sex: str
    birth: date
    age: int
    household: Household | None = None
    given: str = ""
    family_1: str = ""
    family_2: str = ""
    nationality: str = "ES"
    language: str = "es"
    identifier: tuple[str, str] | None = None
    employment: str = ""
    email: str = ""
    start_day: int = 0
    created_epoch: int = 0


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def age_group(age: int) -> str:
    if age < 14:
        return "child"
    if age < 18:
        return "teen"
    if age < 30:
        return "young"
    if age < 65:
        return "adult"
    return "senior"


def ascii_word(text: str) -> str:
    return fold(text).replace(" ", "")


def couple_chance(age: int) -> float:
    if age < 25:
        return 0.12
    if age < 35:
        return 0.55
    if age < 65:
        return 0.72
    if age < 80:
        return 0.62
    return 0.35


def parent_age(household: Household) -> int:
    mothers = [a.age for a in household.adults if a.sex == "F"]
    return mothers[0] if mothers else household.adults[0].age


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class People:
    """Makes the residents of a chunk, houses and names them, and writes their rows."""

    def __init__(self, town: Town, contacts: Contacts) -> None:
        self.town = town
        self.clock = town.clock
        self.contacts = contacts
        self.ages = Weighted([(band, weight) for band, weight in enumerate(PYRAMID)])
        self.surnames = Weighted(list(names.SURNAMES))
        self.given: dict[tuple[str, str], Weighted[str]] = {}
        factors = {
            "o": {"o": 3.0, "a": 1.0, "m": 0.4, "y": 0.03},
            "m": {"o": 0.5, "a": 1.0, "m": 3.0, "y": 0.4},
            "y": {"o": 0.05, "a": 1.0, "m": 0.5, "y": 3.0},
        }
        for sex, table in (("F", names.FEMALE), ("M", names.MALE)):
            for era, factor in factors.items():
                self.given[(sex, era)] = Weighted(
                    [(entry.name, entry.weight * factor[entry.era]) for entry in table]
                )
        self.communities = Weighted([(c, c.weight) for c in names.COMMUNITIES])
        self.countries = {c.code: Weighted(list(c.countries)) for c in names.COMMUNITIES}
        self.foreign_districts = Weighted(
            [
                (d, d.weight * (2.0 if d.name in ("Polígono Norte", "Estación") else 1.0))
                for d in names.DISTRICTS
            ]
        )
        self.domains = Weighted(list(names.EMAIL_DOMAINS))
        self.education = {
            limit: Weighted(list(weights.items())) for limit, weights in EDUCATION_BY_AGE
        }
        self.employment = {
            limit: Weighted(list(weights.items())) for limit, weights in EMPLOYMENT_BY_AGE
        }
        self.needs_younger = Weighted(list(NEEDS_YOUNGER.items()))
        self.needs_older = Weighted(list(NEEDS_OLDER.items()))

    def residents(self, rng: random.Random, first: int, size: int) -> list[Person]:
        today = self.clock.today
        people = []
        for offset in range(size):
            band = self.ages.pick(rng)
            years = band * 5 + rng.random() * 5
            birth = today - timedelta(days=int(years * 365.2425) + 1)
            sex = "X" if rng.random() < 0.001 else ("F" if rng.random() < 0.51 else "M")
            person = Person(
                index=first + offset,
                id=self.town.uuid(rng),
                sex=sex,
                birth=birth,
                age=age_on(birth, today),
            )
            people.append(person)
        return people

    def households(self, rng: random.Random, people: list[Person]) -> list[Household]:
        adults = [p for p in people if p.age >= 18]
        minors = [p for p in people if p.age < 18]
        rng.shuffle(adults)
        pools: dict[tuple[str, int], list[Person]] = {}
        for person in adults:
            pools.setdefault((person.sex, person.age // 5), []).append(person)
        households: list[Household] = []
        for person in adults:
            if person.household is not None:
                continue
            members = [person]
            if person.sex in "FM" and rng.random() < couple_chance(person.age):
                other = "M" if person.sex == "F" else "F"
                band = person.age // 5
                for near in (band, band - 1, band + 1, band - 2, band + 2):
                    pool = pools.get((other, near))
                    while pool and pool[-1].household is not None:
                        pool.pop()
                    if pool:
                        members.append(pool.pop())
                        break
            household = self.new_household(rng)
            for member in members:
                member.household = household
                household.adults.append(member)
            households.append(household)
        parents = sorted(
            ((parent_age(h), n) for n, h in enumerate(households) if 20 <= parent_age(h) <= 62),
        )
        parent_ages = [age for age, _ in parents]
        for child in minors:
            low = bisect.bisect_left(parent_ages, child.age + 18)
            high = bisect.bisect_right(parent_ages, child.age + 45)
            home: Household | None = None
            for _attempt in range(4):
                if low >= high:
                    break
                candidate = households[parents[rng.randrange(low, high)][1]]
                if len(candidate.children) < 5:
                    home = candidate
                    break
            if home is None:
                # A child with no plausible parent in this chunk lives with a grandparent.
                home = rng.choice(households) if households else self.new_household(rng)
                if not households:
                    households.append(home)
            child.household = home
            home.children.append(child)
        return households

    def new_household(self, rng: random.Random) -> Household:
        community = self.communities.pick(rng) if rng.random() < FOREIGN_HOUSEHOLDS else None
        district = (self.foreign_districts if community else self.town.districts).pick(rng)
        previous = None
        if rng.random() < 0.15:
            old_district = self.town.districts.pick(rng)
            moved = self.clock.today - timedelta(days=rng.randint(30, 6 * 365))
            previous = (old_district, self.town.address(rng, old_district), moved)
        return Household(
            district=district,
            address=self.town.address(rng, district),
            community=community,
            previous=previous,
        )

    def given_name(
        self, rng: random.Random, person: Person, community: names.Community | None
    ) -> str:
        sex = person.sex if person.sex in "FM" else rng.choice("FM")
        if community is not None and (person.age >= 18 or rng.random() < 0.7):
            return rng.choice(community.female if sex == "F" else community.male)
        year = person.birth.year
        era = "o" if year < 1960 else ("m" if year < 1990 else "y")
        return self.given[(sex, era)].pick(rng)

    def surname(self, rng: random.Random, community: names.Community | None) -> str:
        if community is not None:
            return rng.choice(community.surnames)
        return self.surnames.pick(rng)

    def name_household(self, rng: random.Random, household: Household) -> None:
        community = household.community
        nationality = self.countries[community.code].pick(rng) if community else "ES"
        for adult in household.adults:
            adult.given = self.given_name(rng, adult, community)
            adult.family_1 = self.surname(rng, community)
            if community is None or community.two_surnames:
                adult.family_2 = self.surname(rng, community)
            adult.nationality = nationality
        father = next((a for a in household.adults if a.sex == "M"), None)
        mother = next((a for a in household.adults if a.sex == "F"), None)
        two = community is None or community.two_surnames
        for child in household.children:
            child.given = self.given_name(rng, child, community)
            child.nationality = nationality if rng.random() < 0.6 or not community else "ES"
            if father and mother:
                child.family_1 = father.family_1
                child.family_2 = mother.family_1 if two else ""
            elif mother:
                child.family_1 = mother.family_1
                child.family_2 = (mother.family_2 or self.surname(rng, community)) if two else ""
            elif father:
                child.family_1 = father.family_1
                child.family_2 = self.surname(rng, community) if two else ""
            else:
                child.family_1 = self.surname(rng, community)
                child.family_2 = self.surname(rng, community) if two else ""

    # Writing one resident -------------------------------------------------------------------------

    def write(self, rng: random.Random, person: Person) -> None:
        household = person.household
        assert household is not None  # noqa: S101 - every person is housed
        community = household.community
        today = self.clock.today
        age = person.age
        # Registered in the town's systems some years ago, or soon after birth.
        registered = max(
            person.birth + timedelta(days=rng.randint(3, 40)),
            today - timedelta(days=rng.randint(HISTORY_YEARS * 365 + 30, 25 * 365)),
        )
        registered = min(registered, today - timedelta(days=1))
        created = self.clock.epoch_of(registered, rng.randint(8, 14)) + rng.randrange(3600)
        person.created_epoch = created
        person.start_day = self.clock.day_index(registered)
        stamp = self.clock.ts(created)
        english = community.english_share if community else 0.015
        language = "en" if rng.random() < english else "es"
        person.language = language
        education = ""
        if age >= 18:
            education = self.pick_by_age(self.education, age, rng)
        elif age >= 12:
            education = "primary"
        needs: list[str] = []
        chance = 0.025 if age < 65 else (0.07 if age < 80 else 0.18)
        if rng.random() < chance:
            draw = self.needs_older if age >= 65 else self.needs_younger
            needs = sorted({draw.pick(rng) for _ in range(rng.choice((1, 1, 1, 2)))})
        self.contacts.party_row(
            person.id, created, "person", given=person.given, family_1=person.family_1,
            family_2=person.family_2, birth=person.birth, sex=person.sex, language=language,
            education=education, needs=needs,
        )  # fmt: skip
        # Identity documents: compulsory from 14, often earlier for travel.
        if age >= 14 or rng.random() < 0.45:
            if person.nationality == "ES":
                person.identifier = ("dni", self.contacts.dni(person.index))
            else:
                person.identifier = ("nie", self.contacts.nie(person.index))
            scheme, value = person.identifier
            self.town.add(
                Identifier,
                (self.town.uuid(rng), stamp, stamp, person.id, scheme, value, "ES",
                 rng.random() < 0.9),
            )  # fmt: skip
        if person.nationality in ("GB", "IE") and rng.random() < 0.35:
            number = f"{self.town.passport_numbers(person.index):09d}"
            self.town.add(
                Identifier,
                (self.town.uuid(rng), stamp, stamp, person.id, "passport", number,
                 person.nationality, False),
            )  # fmt: skip
        # Where they live now and, for some, where they lived before moving within the town.
        self.contacts.contact(
            rng, person.id, stamp, "postal", household.address, fold(household.address),
            district=household.district, preferred=True,
        )  # fmt: skip
        if household.previous is not None:
            old_district, old_address, moved = household.previous
            self.contacts.contact(
                rng, person.id, stamp, "postal", old_address, fold(old_address),
                district=old_district, valid_until=moved,
            )  # fmt: skip
        email_chance = 0.4 if age < 18 else (0.88 if age < 65 else (0.6 if age < 75 else 0.3))
        if age >= 14 and rng.random() < email_chance:
            person.email = self.email(rng, person)
            self.contacts.contact(
                rng, person.id, stamp, "email", person.email, person.email, preferred=age < 65
            )
        phone_chance = 0.75 if age < 18 else (0.95 if age < 75 else 0.7)
        if age >= 14 and rng.random() < phone_chance:
            display, e164 = self.contacts.mobile(person.index)
            self.contacts.contact(rng, person.id, stamp, "phone", display, e164)
        if age >= 18:
            person.employment = self.pick_by_age(self.employment, age, rng)
            self.contacts.attribute(
                rng,
                person.id,
                stamp,
                "employment_status",
                person.employment,
                "personal",
                "employment",
            )
            if len(household.children) >= 3:
                self.contacts.attribute(
                    rng, person.id, stamp, "large_family", True, "personal", "family"
                )
        if person.nationality != "ES":
            self.contacts.attribute(
                rng, person.id, stamp, "nationality", person.nationality, "personal", "identity"
            )
        if needs:
            degree = rng.choice((33, 33, 45, 52, 65, 65, 75, 85))
            self.contacts.attribute(
                rng, person.id, stamp, "disability_degree", degree, "sensitive", "disability"
            )
        if age < 18:
            adulthood = add_years(person.birth, 18) - timedelta(days=1)
            for parent in household.adults:
                if parent.age - age < 16:
                    continue
                self.town.add(
                    Representation,
                    (self.town.uuid(rng), stamp, stamp, parent.id, person.id, "parent", "[]",
                     person.birth.isoformat(), adulthood.isoformat(), "Libro de familia"),
                )  # fmt: skip

    @staticmethod
    def pick_by_age(table: dict[int, Weighted[str]], age: int, rng: random.Random) -> str:
        for limit, draw in table.items():
            if age < limit:
                return draw.pick(rng)
        return list(table.values())[-1].pick(rng)

    def email(self, rng: random.Random, person: Person) -> str:
        given = ascii_word(person.given.split(" ")[0])
        family = ascii_word(person.family_1)
        second = ascii_word(person.family_2) if person.family_2 else family
        tag = self.town.email_tags(person.index)
        style = rng.randrange(5)
        if style == 0:
            local = f"{given}.{family}"
        elif style == 1:
            local = f"{given}{family}"
        elif style == 2:
            local = f"{given[0]}{family}{second[:1]}"
        elif style == 3:
            local = f"{given}_{family}"
        else:
            local = f"{family}.{given}"
        # The tag differs for every resident, so no two addresses can be equal.
        return f"{local}{tag}@{self.domains.pick(rng)}"
