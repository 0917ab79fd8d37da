"""Free-text answers grouped by topic for the reader of a survey's results: TF-IDF of the
answers folded to plain lower-case words, then k-means; each group is told by its commonest
weighted words and the answers nearest its centre. Deterministic (a fixed seed), so the same
answers give the same groups on every reading."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer

from ventanilla.core.text import fold

SEED = 20_260_101
MAX_GROUPS = 8
# The words the grouping weighs at most, the commonest first.
MAX_WORDS = 5000
# The answers the groups are found on, at most.
MAX_FIT = 4000
# Words that say nothing about a topic, in both languages, already folded.
STOPWORDS = frozenset(
    (
        "de del la las el los en y o a al por para con sin un una unos unas su sus que se es "
        "lo le les mas muy no si mi me ya hay esta este esto son ser como pero porque cuando "
        "the of and for to in on a an is are be it this that with not but very my we our"
    ).split()
)


@dataclass
class Topic:
    size: int
    words: list[str]
    examples: list[str] = field(default_factory=list)


def topics_of(texts: list[str], *, examples: int = 3, min_answers: int = 2) -> list[Topic]:
    """Groups of ``texts`` by topic, the largest first. Fewer than four texts, or texts with no
    word beyond the common ones, make a single group.

    Only words written in at least ``min_answers`` answers count (the small-cell threshold, as
    the caller passes it): a word one person alone wrote could point at them, and the rarest
    words are also most of the vocabulary, which keeps the grouping quick."""
    folded = [fold(text) for text in texts]
    if not texts:
        return []
    vectoriser = TfidfVectorizer(
        stop_words=list(STOPWORDS),
        token_pattern=r"(?u)\b[a-z0-9]{3,}\b",  # noqa: S106 - a pattern of words, not a secret
        sublinear_tf=True,
        min_df=max(1, min_answers),
        max_features=MAX_WORDS,
        dtype=np.float32,
    )
    try:
        matrix = vectoriser.fit_transform(folded)
    except ValueError:  # nothing but stop words
        return [Topic(size=len(texts), words=[], examples=texts[:examples])]
    terms = np.array(vectoriser.get_feature_names_out())
    groups = min(MAX_GROUPS, max(1, round(math.sqrt(len(texts) / 2))))
    if len(texts) < 4 or groups == 1:
        labels = np.zeros(len(texts), dtype=int)
        centres = np.asarray(matrix.mean(axis=0))
    else:
        # The groups are found on a sample (the same on every reading), then every answer is
        # placed in the nearest: a long consultation costs what a sample of it does.
        rows = matrix.shape[0]
        sample = np.random.default_rng(SEED).permutation(rows)[:MAX_FIT] if rows > MAX_FIT else None
        model = KMeans(n_clusters=groups, n_init=3, random_state=SEED)
        with warnings.catch_warnings():
            # Answers that say the same thing (fewer distinct ones than groups) leave some
            # groups empty, which are skipped below: nothing to warn of.
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(matrix if sample is None else matrix[np.sort(sample)])
        labels, centres = model.predict(matrix), model.cluster_centers_
    found: list[Topic] = []
    for label, centre in enumerate(centres):
        members = np.flatnonzero(labels == label)
        if len(members) == 0:
            continue
        top = [str(terms[i]) for i in np.argsort(centre)[::-1][:5] if centre[i] > 0]
        # The rows are of unit length, so the nearest to the centre are those of the largest
        # product with it: computed on the sparse rows, never a dense copy of them all.
        closeness = np.asarray(matrix[members] @ np.asarray(centre).ravel()).ravel()
        nearest = [texts[members[i]] for i in np.argsort(-closeness, kind="stable")[:examples]]
        found.append(Topic(size=len(members), words=top, examples=nearest))
    found.sort(key=lambda topic: (-topic.size, topic.words))
    return found
