"""Sign-in to the portal with a national eID: the OpenID Connect authorisation-code flow with
the provider the installation names (``VENTANILLA_OIDC_*``), beside the emailed link.

The provider's discovery document gives its endpoints and keys; Authlib checks the state, the
nonce, the ID token's signature, issuer, audience and times. The DNI/NIE claim decides who the
person is (``parties.signin.portal_sign_in_by_eid``)."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from joserfc.errors import JoseError
from requests.exceptions import RequestException

from ventanilla.core.errors import Conflict, ValidationFailed
from ventanilla.parties.signin import EidIdentity, EidRefused, portal_sign_in_by_eid
from ventanilla.web.portal.views import NEXT_KEY, _safe_next, start_citizen_session

logger = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _client(issuer: str, client_id: str, client_secret: str, scopes: str) -> DjangoOAuth2App:
    """One client per configuration; it reads the discovery document once and keeps it."""
    oauth = OAuth()
    client: DjangoOAuth2App = oauth.register(
        name="eid",
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": scopes, "timeout": 10},
    )
    return client


def _configured() -> DjangoOAuth2App:
    if not settings.VENTANILLA_OIDC_ISSUER:
        raise Http404(_("Sign-in with an eID is not offered here."))
    return _client(
        settings.VENTANILLA_OIDC_ISSUER,
        settings.VENTANILLA_OIDC_CLIENT_ID,
        settings.VENTANILLA_OIDC_CLIENT_SECRET,
        settings.VENTANILLA_OIDC_SCOPES,
    )


def _failed(request: HttpRequest, message: str) -> HttpResponse:
    messages.error(request, message)
    return redirect("portal:sign-in")


@require_GET
def eid_start(request: HttpRequest) -> HttpResponse:
    """Off to the identity provider, with a state and a nonce kept in the session.

    A link, not a form: the page's policy lets forms post only to this site, and the browser
    would refuse a form's redirect to the provider."""
    client = _configured()
    if "next" in request.GET:
        request.session[NEXT_KEY] = _safe_next(request.GET["next"])
    back = request.build_absolute_uri(reverse("portal:sign-in-eid-return"))
    try:
        response: HttpResponse = client.authorize_redirect(request, back)
    except (OAuthError, RequestException, ValueError) as failure:
        logger.warning("eID sign-in: the provider could not be reached: %s", failure)
        return _failed(
            request,
            _("Sign-in with %(eid)s is not available right now. Please try again later.")
            % {"eid": settings.VENTANILLA_OIDC_NAME},
        )
    return response


def _claims(client: DjangoOAuth2App, token: dict[str, Any]) -> dict[str, Any]:
    """The ID token's claims, completed by the user-info endpoint when the DNI is not in them."""
    claims = dict(token.get("userinfo") or {})
    if (
        settings.VENTANILLA_OIDC_IDENTIFIER_CLAIM not in claims
        and client.load_server_metadata().get("userinfo_endpoint")
    ):
        extra = dict(client.userinfo(token=token))
        if extra.get("sub") == claims.get("sub"):
            claims = {**extra, **claims}
    return claims


@require_GET
def eid_return(request: HttpRequest) -> HttpResponse:
    """The provider sends the person back here with a code, or with an error."""
    client = _configured()
    eid = settings.VENTANILLA_OIDC_NAME
    if request.GET.get("error") == "access_denied":
        return _failed(request, _("Sign-in with %(eid)s was cancelled.") % {"eid": eid})
    try:
        token = client.authorize_access_token(request)
        claims = _claims(client, token)
    except (OAuthError, JoseError, RequestException, ValueError) as failure:
        # A replayed or forged return, an expired state, a token that does not verify.
        logger.warning("eID sign-in refused: %s", failure)
        return _failed(
            request, _("Sign-in with %(eid)s did not succeed. Please try again.") % {"eid": eid}
        )
    identity = EidIdentity(
        identifier=str(claims.get(settings.VENTANILLA_OIDC_IDENTIFIER_CLAIM) or ""),
        given_name=str(claims.get("given_name") or ""),
        family_name=str(claims.get("family_name") or ""),
        birth_date=str(claims.get("birthdate") or ""),
        email=str(claims.get("email") or "") if claims.get("email_verified", True) else "",
        subject=str(claims.get("sub") or ""),
    )
    try:
        party, created = portal_sign_in_by_eid(identity=identity)
    except EidRefused as refused:
        return _failed(request, refused.message)
    except (ValidationFailed, Conflict) as failure:
        logger.warning("eID sign-in: the person could not be registered: %s", failure)
        return _failed(
            request,
            _("We could not register you from your eID. Please ask at any desk."),
        )
    response = start_citizen_session(request, party)
    if created:
        messages.success(request, _("Welcome. We have registered you with your eID."))
    return response
