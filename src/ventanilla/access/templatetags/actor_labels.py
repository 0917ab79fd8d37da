"""Template tags naming who acted, their roles and agencies (``ventanilla.access.actor_names``).

The names are read once for the request that renders the page, however many rows name an actor.
"""

from __future__ import annotations

from typing import Any

from django import template

from ventanilla.access import actor_names

register = template.Library()


def _names(context: template.Context) -> actor_names.ActorNames:
    holder = context.get("request")
    if holder is None:
        holder = context.render_context
        found = holder.get("actor_names")
        if found is None:
            found = holder["actor_names"] = actor_names.ActorNames()
        return found
    found = getattr(holder, "_actor_names", None)
    if found is None:
        found = actor_names.ActorNames()
        holder._actor_names = found
    return found


@register.simple_tag(takes_context=True)
def actor_name(context: template.Context, label: Any) -> str:
    """``{% actor_name event.actor_label %}``: "Lucía Pérez", "The citizen", "The system"."""
    return _names(context).actor(label)


@register.simple_tag(takes_context=True)
def agency_names(context: template.Context, codes: Any) -> str:
    """``{% agency_names entry.agencies %}``: the agencies by name, joined by commas."""
    return _names(context).agency_list(codes)


@register.filter
def role_names(codes: Any) -> str:
    return actor_names.role_names(codes)
