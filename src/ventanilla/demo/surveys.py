"""The demo's open survey, so the portal shows one and its results page has a place to fill:
loaded once, through the same loader an administration uses, open from the day the demo runs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from ventanilla.access.actors import Actor
from ventanilla.surveys.models import Survey
from ventanilla.surveys.services import survey_load

TITLE_ES = "Parques y zonas verdes"


def demo_survey(now: Any) -> dict[str, Any]:
    return {
        "agency": "ayto",
        "title_es": TITLE_ES,
        "title_en": "Parks and green spaces",
        "introduction_es": "Ayúdenos a decidir en qué mejorar los parques del municipio.",
        "introduction_en": "Help us decide what to improve in the town's parks.",
        "opens_at": (now - timedelta(days=1)).isoformat(),
        "closes_at": (now + timedelta(days=60)).isoformat(),
        "anonymous": True,
        "once_per_person": False,
        "questions": [
            {
                "kind": "single",
                "text_es": "¿Visita algún parque al menos una vez por semana?",
                "text_en": "Do you visit a park at least once a week?",
                "options_es": ["Sí", "No"],
                "options_en": ["Yes", "No"],
                "required": True,
            },
            {
                "kind": "multiple",
                "text_es": "¿Cuáles?",
                "text_en": "Which ones?",
                "options_es": ["Parque del Río", "Alameda", "Jardines del Castillo"],
                "show_if": {"question": 1, "option": 1},
            },
            {
                "kind": "scale",
                "text_es": "¿Cómo valora su limpieza?",
                "text_en": "How do you rate their cleanliness?",
                "scale_max": 5,
            },
            {
                "kind": "ranking",
                "text_es": "Ordene estas mejoras de más a menos necesaria",
                "text_en": "Put these improvements from most to least needed",
                "options_es": ["Más sombra", "Más bancos", "Fuentes de agua"],
                "options_en": ["More shade", "More benches", "Drinking fountains"],
            },
            {
                "kind": "matrix",
                "text_es": "Valore cada aspecto",
                "text_en": "Rate each aspect",
                "options_es": ["Iluminación", "Juegos infantiles", "Seguridad"],
                "options_en": ["Lighting", "Playgrounds", "Safety"],
                "scale_max": 5,
            },
            {
                "kind": "text",
                "text_es": "¿Algo más que quiera decirnos?",
                "text_en": "Anything else you would like to tell us?",
            },
        ],
    }


def demo_survey_ensure() -> Survey:
    """The demo's survey, loaded the first time; open again from now if it has closed."""
    found = Survey.objects.filter(title_es=TITLE_ES).first()
    now = timezone.now()
    if found is None:
        actor = Actor(label="command:demo", sees_everything=True)
        return survey_load(actor=actor, data=demo_survey(now)).survey
    if not found.is_open(now):
        found.opens_at = now - timedelta(days=1)
        found.closes_at = now + timedelta(days=60)
        found.save(update_fields=["opens_at", "closes_at", "updated_at"])
    return found
