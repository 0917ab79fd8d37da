"""Free text grouped by topic: the same groups on every reading, told by words many wrote."""

from __future__ import annotations

from ventanilla.surveys.topics import topics_of

TEXTS = [
    "Faltan bancos a la sombra",
    "Más bancos y sombra",
    "Bancos rotos y poca sombra",
    "Perros sueltos en el césped",
    "Perros sin correa en el césped",
    "Demasiados perros en el césped, dice Eustaquio",
]


def test_the_same_answers_give_the_same_groups() -> None:
    first = topics_of(TEXTS)
    assert [(t.size, t.words) for t in first] == [(t.size, t.words) for t in topics_of(TEXTS)]
    assert sorted(t.size for t in first) == [3, 3]


def test_a_word_fewer_people_wrote_than_the_threshold_never_tells_a_group() -> None:
    words = {w for topic in topics_of(TEXTS, min_answers=2) for w in topic.words}
    assert "eustaquio" not in words
    assert {"bancos", "perros", "cesped"} <= words


def test_texts_of_common_words_only_make_one_group_without_words() -> None:
    [topic] = topics_of(["de la", "el y", "a la", "en el"])
    assert topic.size == 4
    assert topic.words == []
