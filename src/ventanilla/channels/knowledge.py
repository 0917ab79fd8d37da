"""Knowledge-base search for the case page, until ``catalog.selectors.knowledge_search`` lands
on this branch: the same signature, so the console switches to it by changing one import.
Articles linked to the case's service come first."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from ventanilla.access.actors import Actor
from ventanilla.catalog.models import KnowledgeArticle, PublicService

MAX_QUERY = 200


def knowledge_search(
    *, actor: Actor, query: str, service_code: str | None = None, limit: int = 10
) -> list[KnowledgeArticle]:
    """Active articles whose title, body or keywords contain every word of ``query``."""
    words = query.strip()[:MAX_QUERY].split()
    if not words:
        return []
    articles = KnowledgeArticle.objects.filter(active=True)
    for word in words:
        articles = articles.filter(
            Q(title_es__icontains=word)
            | Q(title_en__icontains=word)
            | Q(body_es__icontains=word)
            | Q(body_en__icontains=word)
            | Q(keywords__icontains=word)
        )
    linked = KnowledgeArticle.services.through.objects.filter(
        knowledgearticle_id=OuterRef("pk"),
        publicservice_id__in=PublicService.objects.filter(code=service_code or "").values("pk"),
    )
    return list(articles.annotate(linked=Exists(linked)).order_by("-linked", "code")[:limit])
