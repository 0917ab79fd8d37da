"""Rich text from outside, made safe to show: an allow-list of simple markup, cleaned by nh3.

Anything not on the list (script, style, event handlers, other link schemes) is removed; links
keep only ``href`` and always carry ``rel="noopener noreferrer"``.
"""

from __future__ import annotations

import nh3

ALLOWED_TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li", "a"})
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})


def sanitize_html(html: str) -> str:
    """The safe part of ``html``: allowed tags and links only, everything else dropped."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        # Script and style lose their content too, not only their tags.
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(ALLOWED_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()
