"""The demo town's notices and news: a few published ones, so that the portal's notices page,
its Atom feed and the console's list show what an agency tells the public."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from ventanilla.access.actors import Actor
from ventanilla.notices.models import Notice
from ventanilla.notices.services import NoticeInput, notice_create

OPERATOR = Actor(label="command:demo", sees_everything=True)

NOTICES = (
    NoticeInput(
        agency_code="movilidad",
        topic="works",
        kind="notice",
        district="Centro",
        title_es="Corte de la Calle Mayor por obras de saneamiento",
        title_en="Calle Mayor closed for sewer works",
        body_es=(
            "Del lunes al viernes de la próxima semana, de 8:00 a 15:00, la Calle Mayor estará "
            "cortada al tráfico entre la Plaza de España y la Calle Real por la renovación de la "
            "red de saneamiento. Los autobuses urbanos se desvían por la Calle Ancha. Los vecinos "
            "podrán acceder a sus garajes."
        ),
        body_en=(
            "From Monday to Friday next week, 8:00 to 15:00, Calle Mayor will be closed to traffic "
            "between Plaza de España and Calle Real while the sewer network is renewed. Town buses "
            "take Calle Ancha instead. Residents can still reach their garages."
        ),
    ),
    NoticeInput(
        agency_code="ayto",
        topic="offices",
        kind="notice",
        title_es="Oficinas cerradas el 8 de diciembre",
        title_en="Offices closed on 8 December",
        body_es=(
            "Las oficinas municipales permanecerán cerradas el 8 de diciembre, festivo nacional. "
            "Los trámites del portal siguen disponibles, y las solicitudes que lleguen ese día "
            "cuentan desde el siguiente día hábil."
        ),
        body_en=(
            "The town's offices are closed on 8 December, a national holiday. The portal's "
            "procedures remain available, and requests received that day count from the next "
            "working day."
        ),
    ),
    NoticeInput(
        agency_code="servicios-sociales",
        topic="social",
        kind="news",
        title_es="Abierto el plazo de las ayudas de comedor escolar",
        title_en="School meal grants: applications open",
        body_es=(
            "Las familias empadronadas pueden solicitar hasta final de mes las ayudas de comedor "
            "y libros para el próximo curso, en el portal o en cualquier oficina."
        ),
        body_en=(
            "Families registered in the town can apply until the end of the month for next "
            "year's school meal and book grants, on the portal or at any office."
        ),
    ),
)


def ensure_demo_notices() -> int:
    """Publish the demo's notices unless the town has notices already. Returns how many were
    published."""
    if Notice.objects.exists():
        return 0
    since = timezone.now() - timedelta(days=2)
    for notice in NOTICES:
        notice_create(
            actor=OPERATOR,
            data=NoticeInput(**{**notice.__dict__, "publish_from": since}),
        )
    return len(NOTICES)
