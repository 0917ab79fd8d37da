"""The models that read a free text and say which service it asks for, and how they are judged.

Knows no database: texts and labels in, predictions and figures out. ``services`` feeds it the
closed cases and keeps the trained model on disk.

Four contenders, scored on the same held-out split:

- ``majority``: always the most frequent service — the floor anything must beat;
- ``keywords``: the service whose name shares most words with the text — what a rule list does;
- ``word-tfidf-lr``: word TF-IDF + logistic regression, the baseline of Amsterdam's Signalen;
- ``char-word-tfidf-lr`` (the model used): accents and case folded, greetings kept out of the way
  by sublinear weights, character n-grams (2–5, within words) that survive typos and missing
  accents, word uni- and bigrams, and the words and pairs of the text's opening once more on
  their own, then a logistic regression. People say first what they came for and add the rest
  after ("…, y aprovecho para decir que la farola…"): a text that asks two things belongs to the
  service of the first, and only the opening tells the two apart.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import FeatureUnion, Pipeline

from ventanilla.core.text import fold

SEED = 20_260_101
HELD_OUT = 0.2
# Words of a service's name that say nothing about it.
STOPWORDS = frozenset(
    "de del la las el los en y o a al por para con sin un una su sus".split()
    + "the of and for to in on".split()
)
_WORD = re.compile(r"[a-z0-9]+")
# How many words a text opens with: enough for a greeting and the request, few enough to leave
# out an aside (the bench tried 8, 12 and 16; all beat reading the whole text alone).
OPENING_WORDS = 10


class Classifier(Protocol):
    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> Classifier: ...

    def predict(self, texts: Sequence[str]) -> list[str]: ...


def normalise(text: str) -> str:
    """Lower case, no accents, one space between words: 'Farola  APAGADA' -> 'farola apagada'."""
    return fold(text)


def opening(text: str) -> str:
    """The first ``OPENING_WORDS`` words of the folded text."""
    return " ".join(normalise(text).split()[:OPENING_WORDS])


class Majority:
    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> Majority:
        self.label = Counter(labels).most_common(1)[0][0]
        return self

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [self.label] * len(texts)


class Keywords:
    """The service whose name (in Spanish and English) shares most words with the text."""

    def __init__(self, names: dict[str, str]) -> None:
        self.words = {
            code: {w for w in _WORD.findall(normalise(name)) if w not in STOPWORDS and len(w) > 2}
            for code, name in names.items()
        }

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> Keywords:
        self.fallback = Counter(labels).most_common(1)[0][0]
        self.words = {code: words for code, words in self.words.items() if code in set(labels)}
        return self

    def predict(self, texts: Sequence[str]) -> list[str]:
        predictions = []
        for text in texts:
            seen = set(_WORD.findall(normalise(text)))
            best, hits = self.fallback, 0
            for code, words in self.words.items():
                count = len(words & seen)
                if count > hits:
                    best, hits = code, count
            predictions.append(best)
        return predictions


class Linear:
    """TF-IDF features and a logistic regression; ``predict_proba`` gives the confidence."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> Linear:
        self.pipeline.fit(list(texts), list(labels))
        return self

    def predict(self, texts: Sequence[str]) -> list[str]:
        return [str(label) for label in self.pipeline.predict(list(texts))]

    def suggest(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """The most likely service of each text and its probability. One text at a time (as
        intake asks) takes the direct path: scikit-learn's checks on each call cost some ten
        times the arithmetic."""
        if len(texts) == 1:
            return [self.direct().suggest(texts[0])]
        probabilities = self.pipeline.predict_proba(list(texts))
        classes = self.pipeline.classes_
        best = np.argmax(probabilities, axis=1)
        return [
            (str(classes[index]), float(row[index]))
            for index, row in zip(best, probabilities, strict=True)
        ]

    def direct(self) -> Direct:
        cached = self.__dict__.get("_direct")
        if cached is None:
            cached = self.__dict__["_direct"] = Direct(self.pipeline)
        return cached


class Direct:
    """The fitted pipeline's arithmetic for one text, without scikit-learn's per-call checks:
    each vectorizer's analyser, sublinear term frequency times IDF, L2 norm per vectorizer, then
    the logistic regression's scores and their softmax — the same probabilities as
    ``predict_proba`` (a test compares them)."""

    def __init__(self, pipeline: Pipeline) -> None:
        steps = dict(pipeline.steps)
        features = steps.get("features")
        vectorizers = (
            [vectorizer for _, vectorizer in features.transformer_list]
            if isinstance(features, FeatureUnion)
            else [steps["tfidf"]]
        )
        regression = pipeline.steps[-1][1]
        self.parts = []
        offset = 0
        for vectorizer in vectorizers:
            self.parts.append(
                (
                    vectorizer.build_analyzer(),
                    vectorizer.vocabulary_,
                    vectorizer.idf_,
                    offset,
                    vectorizer.sublinear_tf,
                )
            )
            offset += len(vectorizer.idf_)
        self.coef = np.ascontiguousarray(regression.coef_.T)
        self.intercept = regression.intercept_
        self.classes = [str(label) for label in regression.classes_]

    def suggest(self, text: str) -> tuple[str, float]:
        columns: list[int] = []
        weights: list[float] = []
        for analyse, vocabulary, idf, offset, sublinear in self.parts:
            counts = Counter(
                index for index in map(vocabulary.get, analyse(text)) if index is not None
            )
            if not counts:
                continue
            part = np.fromiter(counts.values(), dtype=float)
            if sublinear:
                part = 1.0 + np.log(part)
            indexes = np.fromiter(counts.keys(), dtype=np.intp)
            part *= idf[indexes]
            part /= np.sqrt(np.dot(part, part))
            columns.extend((indexes + offset).tolist())
            weights.extend(part.tolist())
        scores = self.intercept.copy()
        if columns:
            scores = scores + np.asarray(weights) @ self.coef[columns]
        if len(self.classes) == 2:
            high = 1.0 / (1.0 + np.exp(-scores[0]))
            return (self.classes[1], float(high)) if high >= 0.5 else (self.classes[0], 1 - high)
        scores = np.exp(scores - scores.max())
        best = int(np.argmax(scores))
        return self.classes[best], float(scores[best] / scores.sum())


def signalen_baseline() -> Linear:
    return Linear(
        Pipeline(
            [
                ("tfidf", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=1)),
                ("lr", LogisticRegression(max_iter=1000, C=10.0, random_state=SEED)),
            ]
        )
    )


def char_word_model() -> Linear:
    features = FeatureUnion(
        [
            (
                "chars",
                TfidfVectorizer(
                    preprocessor=normalise,
                    analyzer="char_wb",
                    ngram_range=(2, 5),
                    min_df=2,
                    sublinear_tf=True,
                    max_features=200_000,
                ),
            ),
            (
                "words",
                TfidfVectorizer(
                    preprocessor=normalise,
                    analyzer="word",
                    ngram_range=(1, 2),
                    min_df=1,
                    sublinear_tf=True,
                ),
            ),
            (
                "opening",
                TfidfVectorizer(
                    preprocessor=opening,
                    analyzer="word",
                    ngram_range=(1, 2),
                    min_df=1,
                    sublinear_tf=True,
                ),
            ),
        ]
    )
    return Linear(
        Pipeline(
            [
                ("features", features),
                ("lr", LogisticRegression(max_iter=2000, C=20.0, random_state=SEED)),
            ]
        )
    )


@dataclass(frozen=True)
class Score:
    name: str
    accuracy: float
    macro_f1: float
    fit_seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "fit_seconds": round(self.fit_seconds, 2),
        }


@dataclass
class Split:
    train_texts: list[str]
    train_labels: list[str]
    test_texts: list[str]
    test_labels: list[str]
    dropped: list[str] = field(default_factory=list)


def split(texts: Sequence[str], labels: Sequence[str], *, seed: int = SEED) -> Split:
    """A held-out fifth, stratified by service; services seen fewer than twice are left out of
    the split (they cannot be both learnt and tested)."""
    counts = Counter(labels)
    kept = [(t, label) for t, label in zip(texts, labels, strict=True) if counts[label] >= 2]
    dropped = sorted(label for label, n in counts.items() if n < 2)
    if len(kept) < 10 or len({label for _, label in kept}) < 2:
        raise ValueError("too few closed cases to learn from: at least ten of two services")
    kept_texts = [t for t, _ in kept]
    kept_labels = [label for _, label in kept]
    test_share = max(HELD_OUT, len(set(kept_labels)) / len(kept_labels))
    train_t, test_t, train_l, test_l = train_test_split(
        kept_texts,
        kept_labels,
        test_size=min(test_share, 0.5),
        random_state=seed,
        stratify=kept_labels,
    )
    return Split(list(train_t), list(train_l), list(test_t), list(test_l), dropped)


def score(name: str, model: Classifier, data: Split) -> Score:
    started = time.perf_counter()
    model.fit(data.train_texts, data.train_labels)
    seconds = time.perf_counter() - started
    predicted = model.predict(data.test_texts)
    return Score(
        name=name,
        accuracy=float(accuracy_score(data.test_labels, predicted)),
        macro_f1=float(f1_score(data.test_labels, predicted, average="macro", zero_division=0)),
        fit_seconds=seconds,
    )


def contenders(names: dict[str, str]) -> list[tuple[str, Classifier]]:
    return [
        ("majority", Majority()),
        ("keywords", Keywords(names)),
        ("word-tfidf-lr", signalen_baseline()),
        ("char-word-tfidf-lr", char_word_model()),
    ]


MODEL_NAME = "char-word-tfidf-lr"
