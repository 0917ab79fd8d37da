"""The default messages to citizens, in Spanish and English, by email and as a short SMS, for
every moment a citizen hears about their case. Staff edit them in the admin; reversing removes
only the templates still exactly as seeded."""

from __future__ import annotations

from typing import Any

from django.db import migrations

# event: (es subject, es body, es sms, en subject, en body, en sms)
TEMPLATES: dict[str, tuple[str, str, str, str, str, str]] = {
    "opened": (
        "Hemos recibido su solicitud {reference}",
        "Hemos registrado su solicitud {reference} ({service}).\n\n"
        "Le responderemos antes del {due_date}. Puede seguirla en {link}\n",
        "Solicitud {reference} registrada. Respuesta antes del {due_date}. {link}",
        "We have received your request {reference}",
        "We have registered your request {reference} ({service}).\n\n"
        "We will answer by {due_date}. You can follow it at {link}\n",
        "Request {reference} registered. Answer by {due_date}. {link}",
    ),
    "accepted": (
        "Su solicitud {reference} está en tramitación",
        "Su solicitud {reference} ({service}) ha sido aceptada y está en tramitación.\n\n"
        "Fecha prevista de respuesta: {due_date}.\n{link}\n",
        "Solicitud {reference} aceptada. Respuesta prevista: {due_date}.",
        "Your request {reference} is being handled",
        "Your request {reference} ({service}) has been accepted and is being handled.\n\n"
        "Expected answer: {due_date}.\n{link}\n",
        "Request {reference} accepted. Expected answer: {due_date}.",
    ),
    "waiting_citizen": (
        "Necesitamos información para su solicitud {reference}",
        "Para seguir con su solicitud {reference} ({service}) necesitamos lo siguiente:\n\n"
        "{text}\n\nPuede contestar en {link}\n"
        "El plazo queda en pausa hasta que recibamos su respuesta.\n",
        "Solicitud {reference}: necesitamos información. Conteste en {link}",
        "We need information for your request {reference}",
        "To continue with your request {reference} ({service}) we need the following:\n\n"
        "{text}\n\nYou can answer at {link}\n"
        "The deadline is paused until we receive your answer.\n",
        "Request {reference}: we need information. Answer at {link}",
    ),
    "resolved": (
        "Su solicitud {reference} está resuelta",
        "Su solicitud {reference} ({service}) está resuelta.\n\n{text}\n\n{link}\n",
        "Solicitud {reference} resuelta. {link}",
        "Your request {reference} is resolved",
        "Your request {reference} ({service}) is resolved.\n\n{text}\n\n{link}\n",
        "Request {reference} resolved. {link}",
    ),
    "closed": (
        "Su solicitud {reference} está cerrada: ¿nos da su opinión?",
        "Hemos cerrado su solicitud {reference} ({service}).\n\n{text}\n\n"
        "¿Quedó satisfecho? Responder le llevará un minuto: {link}\n",
        "Solicitud {reference} cerrada. ¿Nos da su opinión? {link}",
        "Your request {reference} is closed: how did we do?",
        "We have closed your request {reference} ({service}).\n\n{text}\n\n"
        "Were you satisfied? Answering takes a minute: {link}\n",
        "Request {reference} closed. How did we do? {link}",
    ),
    "rejected": (
        "Su solicitud {reference} no ha sido admitida",
        "Su solicitud {reference} ({service}) no ha sido admitida.\n\nMotivo: {text}\n\n{link}\n",
        "Solicitud {reference} no admitida. Detalles: {link}",
        "Your request {reference} was not accepted",
        "Your request {reference} ({service}) was not accepted.\n\nReason: {text}\n\n{link}\n",
        "Request {reference} not accepted. Details: {link}",
    ),
    "cancelled": (
        "Su solicitud {reference} ha sido cancelada",
        "Su solicitud {reference} ({service}) ha sido cancelada.\n\n{text}\n\n{link}\n",
        "Solicitud {reference} cancelada. {link}",
        "Your request {reference} has been cancelled",
        "Your request {reference} ({service}) has been cancelled.\n\n{text}\n\n{link}\n",
        "Request {reference} cancelled. {link}",
    ),
    "reopened": (
        "Su solicitud {reference} se ha reabierto",
        "Su solicitud {reference} ({service}) se ha reabierto.\n\n{text}\n\n"
        "Nueva fecha prevista: {due_date}.\n{link}\n",
        "Solicitud {reference} reabierta. Respuesta prevista: {due_date}.",
        "Your request {reference} has been reopened",
        "Your request {reference} ({service}) has been reopened.\n\n{text}\n\n"
        "New expected date: {due_date}.\n{link}\n",
        "Request {reference} reopened. Expected answer: {due_date}.",
    ),
    "reply": (
        "Respuesta sobre su solicitud {reference}",
        "Tiene una respuesta sobre su solicitud {reference} ({service}):\n\n{text}\n\n{link}\n",
        "Tiene una respuesta sobre la solicitud {reference}: {link}",
        "A reply about your request {reference}",
        "There is a reply about your request {reference} ({service}):\n\n{text}\n\n{link}\n",
        "There is a reply about request {reference}: {link}",
    ),
}


def rows() -> list[dict[str, str]]:
    found = []
    for event, (es_subject, es_body, es_sms, en_subject, en_body, en_sms) in TEMPLATES.items():
        for language, subject, body, sms in (
            ("es", es_subject, es_body, es_sms),
            ("en", en_subject, en_body, en_sms),
        ):
            found.append(
                {"event": event, "language": language, "medium": "email", "subject": subject,
                 "body": body}
            )
            found.append(
                {"event": event, "language": language, "medium": "sms", "subject": "", "body": sms}
            )
    return found


def seed(apps: Any, schema_editor: Any) -> None:
    template = apps.get_model("cases", "NotificationTemplate")
    for row in rows():
        template.objects.get_or_create(
            event=row["event"],
            language=row["language"],
            medium=row["medium"],
            defaults={"subject": row["subject"], "body": row["body"]},
        )


def unseed(apps: Any, schema_editor: Any) -> None:
    template = apps.get_model("cases", "NotificationTemplate")
    for row in rows():
        template.objects.filter(**row).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_lifecycle_routing_tasks_notifications")]

    operations = [migrations.RunPython(seed, unseed)]
