"""What a comment's subject key names: a readable title, the portal page it is on, the agency
that moderates it and who may comment. Each kind of subject ("debate", and "proposal" from the
proposals app, which sits above this one) registers a resolver once, at start-up, so that this
app never imports the apps that reuse its threads."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Subject:
    key: str
    title: str
    # The portal page that shows the thread (a local path).
    link: str
    agency_id: str
    # Taking comments now.
    open: bool = True
    # Only registered residents (of ``district`` when set) may comment.
    residents_only: bool = False
    district: str = ""


Resolver = Callable[[str], Subject | None]

_resolvers: dict[str, Resolver] = {}


def register_subject(kind: str, resolver: Resolver) -> None:
    """Let ``resolver(key)`` tell what a key "<kind>:<id>" names (None when nothing)."""
    _resolvers[kind] = resolver


def subject_of(key: str) -> Subject | None:
    """What ``key`` names, or None when no registered kind knows it."""
    kind, _sep, rest = key.partition(":")
    resolver = _resolvers.get(kind)
    if resolver is None or not rest:
        return None
    return resolver(key)


def _debate(key: str) -> Subject | None:
    from ventanilla.debates.models import Debate

    try:
        debate_id = uuid.UUID(key.partition(":")[2])
    except ValueError:
        return None
    debate = Debate.objects.filter(pk=debate_id).first()
    if debate is None:
        return None
    return Subject(
        key=key,
        title=debate.title,
        link=reverse("portal:debate", args=[debate.pk]),
        agency_id=str(debate.agency_id),
        open=debate.is_open(),
        residents_only=debate.residents_only,
        district=debate.district,
    )


def register_debates() -> None:
    register_subject("debate", _debate)
