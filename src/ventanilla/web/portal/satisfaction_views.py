"""The satisfaction question reached by the link in the message sent after a desk visit or a call:
no sign-in, one answer per link, a clear page for a link used already, expired or broken."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ventanilla.core.errors import Conflict, NotFound, ValidationFailed
from ventanilla.interactions.satisfaction import (
    LinkExpired,
    satisfaction_answer,
    satisfaction_by_token,
)
from ventanilla.web.portal.case_views import _scale

TEMPLATE = "portal/satisfaction_link.html"


@never_cache
@require_http_methods(["GET"])
def short_link(request: HttpRequest, code: str) -> HttpResponse:
    """``/s/CODE``, the short link sent by text message: on to the question's page, where the
    code does what the long link's token does (an unknown code gets the page that says so)."""
    return redirect("portal:satisfaction-link", token=code)


@never_cache
@require_http_methods(["GET", "POST"])
def satisfaction_link(request: HttpRequest, token: str) -> HttpResponse:
    context: dict[str, Any] = {
        "token": token,
        "scale": _scale(),
        "errors": {},
        "score": "",
        "comment": "",
    }
    try:
        context["question"] = satisfaction_by_token(token)
        if request.method == "POST":
            context.update(
                score=request.POST.get("score", ""), comment=request.POST.get("comment", "")
            )
            context["answered"] = satisfaction_answer(
                token=token, score=context["score"], comment=context["comment"]
            )
    except ValidationFailed as failure:
        context["errors"] = failure.errors
        return render(request, TEMPLATE, context, status=422)
    except LinkExpired as expired:
        return render(
            request, TEMPLATE, {"refused": expired.message, "state": "expired"}, status=410
        )
    except Conflict as used:
        return render(request, TEMPLATE, {"refused": used.message, "state": "used"}, status=409)
    except NotFound as missing:
        return render(
            request, TEMPLATE, {"refused": missing.message, "state": "invalid"}, status=404
        )
    return render(request, TEMPLATE, context)
