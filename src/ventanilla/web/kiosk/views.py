"""The kiosk: a touch screen in an office's hall where a citizen checks in for their appointment
(by its reference, or by their DNI/NIE and then the booking) or takes a walk-in ticket, and gets a
printable receipt. Same services as the desk's check-in and walk-in, acting as the office's kiosk.

Nobody signs in and nothing is kept between screens: the views never read or write the session,
the language travels in the address (``?lang=en``), and ``static/js/kiosk.js`` goes back to the
start after a while without a touch. The pages answer only to the kiosk networks
(``VENTANILLA_KIOSK_NETWORKS``): typing a DNI shows that person's bookings of the day."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ventanilla.appointments.models import Office
from ventanilla.appointments.selectors import (
    kiosk_actor,
    kiosk_arrivals,
    kiosk_office,
    kiosk_receipt,
    kiosk_services,
    offices_open,
)
from ventanilla.appointments.services import appointment_check_in, walk_in_issue
from ventanilla.core.errors import Conflict, NotFound, ValidationFailed
from ventanilla.core.ratelimit import hit
from ventanilla.core.visitors import client_address

LANGUAGES = ("es", "en")
KIOSK_CHANNEL = "kiosk"
LOOKUP_WINDOW_SECONDS = 60


def _networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(n, strict=False) for n in settings.VENTANILLA_KIOSK_NETWORKS]


def _from_kiosk_network(request: HttpRequest) -> bool:
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    return any(address in network for network in _networks())


def _language(request: HttpRequest) -> str:
    asked = (request.POST.get("lang") or request.GET.get("lang") or "").lower()[:2]
    return asked if asked in LANGUAGES else settings.LANGUAGE_CODE[:2]


def kiosk_url(name: str, lang: str, *args: Any) -> str:
    return f"{reverse(f'kiosk:{name}', args=args)}?{urlencode({'lang': lang})}"


def kiosk_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponseBase]:
    """Only from a kiosk network; in the language the address asks for; never cached."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        lang = _language(request)
        with translation.override(lang):
            request.LANGUAGE_CODE = lang
            if not _from_kiosk_network(request):
                response = render(request, "kiosk/closed.html", {"lang": lang}, status=403)
            else:
                try:
                    response = view(request, lang, *args, **kwargs)
                except NotFound as missing:
                    raise Http404(missing.message) from missing
            response.headers["Content-Language"] = lang
        add_never_cache_headers(response)
        return response

    return wrapper


def _office(code: str) -> Office:
    return kiosk_office(code=code)


@kiosk_view
def offices(request: HttpRequest, lang: str) -> HttpResponse:
    """Setting a kiosk up: which office's kiosk this screen is."""
    return render(request, "kiosk/offices.html", {"lang": lang, "offices": offices_open()})


@kiosk_view
def start(request: HttpRequest, lang: str, office: str) -> HttpResponse:
    """The first screen: I have an appointment, or I need a ticket."""
    return render(request, "kiosk/start.html", _context(lang, _office(office)))


def _context(lang: str, office: Office, **extra: Any) -> dict[str, Any]:
    other = "en" if lang == "es" else "es"
    return {
        "lang": lang,
        "office": office,
        "start_url": kiosk_url("start", lang, office.code),
        "other_lang": other,
        "other_lang_url": kiosk_url("start", other, office.code),
        "other_lang_name": "English" if other == "en" else "Español",
        "idle_seconds": settings.VENTANILLA_KIOSK_IDLE_SECONDS,
        # Left alone, a screen goes back to the start in the default language, for the next one.
        "reset_url": reverse("kiosk:start", args=[office.code]),
        **extra,
    }


@require_http_methods(["GET", "POST"])
@kiosk_view
def check_in(request: HttpRequest, lang: str, office: str) -> HttpResponse:
    """I have an appointment: the booking's reference finds it at once; a DNI/NIE lists the
    person's bookings of today here, to pick one. Picking checks it in and gives the ticket."""
    place = _office(office)
    actor = kiosk_actor(place)
    context = _context(lang, place, typed="", errors={}, found=None)
    if request.method == "GET":
        return render(request, "kiosk/check_in.html", context)
    typed = request.POST.get("typed", "").strip()[:40]
    chosen = request.POST.get("appointment", "")
    context["typed"] = typed
    if not typed:
        context["errors"] = {"typed": _("Type your booking reference or your DNI/NIE.")}
        return render(request, "kiosk/check_in.html", context, status=422)
    allowance = hit(
        f"kiosk-lookup:{client_address(request)}",
        settings.VENTANILLA_KIOSK_LOOKUPS_PER_MINUTE,
        window=LOOKUP_WINDOW_SECONDS,
    )
    if not allowance.allowed:
        context["errors"] = {
            "typed": _(
                "Too many look-ups on this screen in a short time. Wait a minute and try again, "
                "or ask at the desk."
            )
        }
        response = render(request, "kiosk/check_in.html", context, status=429)
        response.headers["Retry-After"] = str(allowance.reset_seconds)
        return response
    by_reference = typed.upper().replace(" ", "").startswith("CP")
    found = kiosk_arrivals(
        actor=actor,
        office=place,
        reference=typed if by_reference else "",
        identifier="" if by_reference else typed,
    )
    if not found:
        context["errors"] = {
            "typed": _(
                "We found no appointment for today at this office with what you typed. "
                "Check it, or take a ticket."
            )
        }
        return render(request, "kiosk/check_in.html", context, status=422)
    if len(found) > 1 and not chosen:
        context["found"] = found
        return render(request, "kiosk/check_in.html", context)
    picked = found[0] if len(found) == 1 else next((a for a in found if str(a.pk) == chosen), None)
    if picked is None:
        context["found"] = found
        context["errors"] = {"appointment": _("Choose one of your appointments.")}
        return render(request, "kiosk/check_in.html", context, status=422)
    try:
        arrived = appointment_check_in(actor=actor, appointment_id=picked.pk, channel=KIOSK_CHANNEL)
    except (Conflict, ValidationFailed) as refused:
        context["errors"] = {"typed": refused.message}
        return render(request, "kiosk/check_in.html", context, status=409)
    return redirect(kiosk_url("receipt", lang, place.code, arrived.reference))


@require_http_methods(["GET", "POST"])
@kiosk_view
def ticket(request: HttpRequest, lang: str, office: str) -> HttpResponse:
    """I have no appointment: a walk-in ticket for one of the office's services."""
    place = _office(office)
    services = kiosk_services(place)
    context = _context(lang, place, services=services, errors={})
    if request.method == "POST":
        code = request.POST.get("service", "")
        if code not in {given.service.code for given in services}:
            context["errors"] = {"service": _("Choose one of the services.")}
            return render(request, "kiosk/ticket.html", context, status=422)
        try:
            issued = walk_in_issue(
                actor=kiosk_actor(place),
                office_id=place.pk,
                service_code=code,
                channel=KIOSK_CHANNEL,
            )
        except (Conflict, ValidationFailed) as refused:
            context["errors"] = {"service": refused.message}
            return render(request, "kiosk/ticket.html", context, status=409)
        return redirect(kiosk_url("receipt", lang, place.code, issued.reference))
    return render(request, "kiosk/ticket.html", context)


@kiosk_view
def receipt(request: HttpRequest, lang: str, office: str, reference: str) -> HttpResponse:
    """The ticket number and the reference, large, with a button to print them."""
    place = _office(office)
    taken = kiosk_receipt(office=place, reference=reference)
    return render(request, "kiosk/receipt.html", _context(lang, place, taken=taken))
