"""The classifier's arithmetic, without a database: one text at a time gives what
scikit-learn's ``predict_proba`` gives, for both pipelines."""

from __future__ import annotations

import pytest

from ventanilla.classifier import learning

TEXTS = {
    "alumbrado-publico": ["farola apagada", "la farola no da luz", "street light broken"],
    "cita-medico": ["cita con el médico", "necesito cita medico de familia", "GP appointment"],
    "pago-tributos": ["pagar el IBI", "recibo de la contribución", "pay property tax"],
}


@pytest.mark.parametrize("make", [learning.char_word_model, learning.signalen_baseline])
@pytest.mark.parametrize(
    "text", ["La FAROLA de mi calle está apagada", "cita medico urgente", "zzz", ""]
)
def test_one_text_gets_the_same_service_and_probability_as_predict_proba(
    make: object, text: str
) -> None:
    texts = [t for examples in TEXTS.values() for t in examples]
    labels = [code for code, examples in TEXTS.items() for _ in examples]
    model = make().fit(texts, labels)  # type: ignore[operator]

    [(code, confidence)] = model.suggest([text])

    probabilities = model.pipeline.predict_proba([text])[0]
    assert code == model.pipeline.classes_[probabilities.argmax()]
    assert confidence == pytest.approx(probabilities.max(), abs=1e-9)


def test_a_misspelt_unaccented_request_still_finds_its_service() -> None:
    texts = [t for examples in TEXTS.values() for t in examples]
    labels = [code for code, examples in TEXTS.items() for _ in examples]
    model = learning.char_word_model().fit(texts, labels)

    assert model.predict(["la frola esta apagda"]) == ["alumbrado-publico"]


def test_a_text_that_asks_two_things_goes_to_the_service_asked_first() -> None:
    texts = [t for examples in TEXTS.values() for t in examples]
    labels = [code for code, examples in TEXTS.items() for _ in examples]
    model = learning.char_word_model().fit(texts, labels)

    asked = (
        "Buenas, quiero pagar el IBI de este año. Y aprovecho para decir que la farola de mi "
        "calle está apagada, la farola no da luz desde el lunes"
    )
    assert model.predict([asked]) == ["pago-tributos"]
