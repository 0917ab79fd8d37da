"""The synthetic municipality: a deterministic population of Villanueva del Río, bulk-loaded.

``seed_municipality(citizens=N, seed=S)`` fills an empty database with N residents living in
households, a few businesses with their representatives, three years of interactions on every
channel, the cases some of them opened, and the records the health service and the social
security office keep of some residents, planted with the errors identity resolution must see
through, with the ground truth of who is who.

Same seed, size and day, same data: every random choice comes from ``random.Random`` seeded per
chunk of residents, identifiers and UUIDs are derived from the seed, and every time is counted
back from the day given (``ventanilla seed`` gives the day it runs) or ``REFERENCE_NOW``, never
read from the wall clock while the town is made.

The rooms, in the order a chunk goes through them (``generator``):

- ``people``: residents and households, and what the town hall keeps of each of them;
- ``organisations``: businesses and the residents who represent them;
- ``contacts``: the rows every party has (identifiers, contact points, profile attributes);
- ``interactions`` and ``cases``: the contact history and the cases it opened, drawing from
  ``demand`` (who asks for what, on which channel, in what words);
- ``records``: the other agencies' records of residents and the ground truth for matching.

Shared by all: ``town`` (the catalogue as the seed sees it, the numbers derived from the seed,
the rows made so far), ``clock`` (time), ``draws`` (weighted picks). ``tables`` lists the
columns written and ``load`` writes the chunks into the database.
"""

from ventanilla.demo.synthetic.clock import REFERENCE_NOW
from ventanilla.demo.synthetic.load import (
    DEFAULT_INTERACTIONS_PER_CITIZEN,
    MAX_CITIZENS,
    MAX_INTERACTIONS_PER_CITIZEN,
    seed_municipality,
)
from ventanilla.demo.synthetic.records import DISTORTIONS
from ventanilla.demo.synthetic.town import SeedRefused, SeedSummary

__all__ = [
    "DEFAULT_INTERACTIONS_PER_CITIZEN",
    "DISTORTIONS",
    "MAX_CITIZENS",
    "MAX_INTERACTIONS_PER_CITIZEN",
    "REFERENCE_NOW",
    "SeedRefused",
    "SeedSummary",
    "seed_municipality",
]
