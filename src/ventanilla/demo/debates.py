"""The demo's open debate, so the portal shows a thread and the console's moderation a comment
to decide on: opened once by the town hall, with a few of the town's people commenting and
replying through the same services the portal calls, and one comment reported."""

from __future__ import annotations

from django.db.models import QuerySet

from ventanilla.access.actors import Actor, actor_for_citizen
from ventanilla.catalog.models import Agency
from ventanilla.debates.models import Comment, Debate
from ventanilla.debates.services import comment_post, comment_report, debate_open
from ventanilla.parties.models import Party

TITLE = "¿Peatonalizamos la calle Mayor los fines de semana?"

COMMENTS = [
    ("Sí, y con más terrazas y bancos. Los niños podrían jugar sin peligro.", None),
    ("Los comercios de la calle perderán clientes si no se puede aparcar cerca.", 0),
    ("En otras ciudades las ventas subieron al peatonalizar el centro.", 1),
    ("Que se pruebe un verano y se mida antes de decidir para siempre.", None),
    ("Los que apoyan esto no tienen ni idea, son todos unos vagos.", None),
]


def _people() -> QuerySet[Party]:
    return Party.objects.filter(kind=Party.Kind.PERSON, status=Party.Status.ACTIVE).order_by(
        "created_at"
    )


def demo_debate_ensure() -> Debate | None:
    """The demo's debate, opened the first time with its comments; None without a town."""
    found = Debate.objects.filter(title=TITLE).first()
    if found is not None:
        return found
    agency = Agency.objects.filter(code="ayto").first()
    people = list(_people()[: len(COMMENTS) + 1])
    if agency is None or len(people) <= len(COMMENTS):
        return None
    operator = Actor(label="command:demo", sees_everything=True)
    debate = debate_open(
        actor=operator,
        agency_id=agency.pk,
        title=TITLE,
        body=(
            "El Ayuntamiento estudia cerrar al tráfico la calle Mayor los sábados y domingos. "
            "Cuéntenos qué le parece y responda a lo que opinan sus vecinos."
        ),
    )
    posted: list[Comment] = []
    for (text, parent), person in zip(COMMENTS, people, strict=False):
        parent_id = posted[parent].pk if parent is not None else None
        posted.append(
            comment_post(
                actor=actor_for_citizen(person),
                subject=debate.subject,
                body=text,
                parent_id=parent_id,
            )
        )
    comment_report(
        actor=actor_for_citizen(people[-1]),
        comment_id=posted[-1].pk,
        reason="offensive",
        text="Insulta a quienes opinan distinto.",
    )
    return debate
