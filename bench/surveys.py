"""A consultation's results read by staff (``survey_results``): counts per option with small
cells hidden, the mean of a scale, each row of a matrix and the free-text answers grouped by
topic, for a survey of ``--responses`` identified responses to four questions. Figure: the
time of one reading, best and median of five, with and without the answers themselves.

    .venv/bin/python bench/surveys.py                            # SQLite (var/bench/)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_surveys \\
        .venv/bin/python bench/surveys.py --responses 100000

The database is migrated and a new survey written on each run (responses and answers written
directly, in bulk)."""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from datetime import timedelta
from typing import Any

from participation import keep, measured_apart, prepared_env  # type: ignore[import-not-found]

WORDS = (
    "farola rota calle mayor ruido noche parque sucio autobus tarde horario biblioteca "
    "limpieza aceras obras trafico aparcamiento bicicleta carril piscina precio"
).split()


def measure(responses: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection
    from django.utils import timezone

    from ventanilla.access.actors import Actor
    from ventanilla.catalog.services import agency_ensure
    from ventanilla.surveys.models import Answer, Question, Response, Survey
    from ventanilla.surveys.selectors import survey_results

    town = agency_ensure(code="bench-town", kind="administration", name_es="Villa Bench")
    agency = agency_ensure(code="bench-ayto", kind="agency", name_es="Ayuntamiento", parent=town)
    now = timezone.now()
    survey = Survey.objects.create(
        agency=agency,
        title_es="Consulta del bench",
        opens_at=now - timedelta(days=30),
        closes_at=now + timedelta(days=30),
        anonymous=False,
        once_per_person=False,
    )
    single, scale, text, matrix = (
        Question.objects.create(
            survey=survey, position=n, kind=kind, text_es=f"Pregunta {n}", options_es=options
        )
        for n, (kind, options) in enumerate(
            [
                ("single", ["Sí", "No", "No sé"]),
                ("scale", []),
                ("text", []),
                ("matrix", ["Limpieza", "Alumbrado", "Tráfico"]),
            ],
            start=1,
        )
    )
    rng = random.Random(1)
    started = time.perf_counter()
    kept = Response.objects.bulk_create(
        (Response(survey=survey) for _ in range(responses)), batch_size=5000
    )
    answers: list[Answer] = []
    for response in kept:
        answers += [
            Answer(response=response, question=single, value=rng.randrange(3)),
            Answer(response=response, question=scale, value=rng.randint(1, 5)),
            Answer(response=response, question=text, value=" ".join(rng.sample(WORDS, 6))),
            Answer(response=response, question=matrix, value=[rng.randint(1, 5) for _ in range(3)]),
        ]
    Answer.objects.bulk_create(answers, batch_size=5000)
    print(f"{responses:,} responses written in {time.perf_counter() - started:.1f} s", flush=True)
    reader = Actor(label="bench", user_id=1, sees_everything=True)
    figures: dict[str, Any] = {"database": connection.vendor, "responses": responses}
    for with_answers in (False, True):
        times = []
        for _ in range(5):
            began = time.perf_counter()
            results = survey_results(actor=reader, survey_id=survey.pk, with_answers=with_answers)
            times.append((time.perf_counter() - began) * 1000)
        assert results.responses == responses, "every response is counted"
        name = "with_answers" if with_answers else "counts_and_topics"
        figures[f"{name}_best_ms"] = min(times)
        figures[f"{name}_median_ms"] = statistics.median(times)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=20_000)
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.inner:
        print(json.dumps(measure(options.responses)))
        return
    result = measured_apart(__file__, [f"--responses={options.responses}"], prepared_env("surveys"))
    print(
        f"{result['database']}: results of {result['responses']:,} responses (4 questions, one "
        f"free text): {result['counts_and_topics_median_ms']:,.0f} ms median "
        f"(best {result['counts_and_topics_best_ms']:,.0f} ms); with the answers shown "
        f"{result['with_answers_median_ms']:,.0f} ms median",
        flush=True,
    )
    keep(result, "surveys")


if __name__ == "__main__":
    main()
