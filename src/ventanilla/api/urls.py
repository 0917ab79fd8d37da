"""Assembles every app's router into the one API at /api/v1."""

from __future__ import annotations

from ventanilla import __version__
from ventanilla.analytics.api import router as analytics_router
from ventanilla.api import problems
from ventanilla.api.auth import AUTH
from ventanilla.cases.api import batch_router as cases_batch_router
from ventanilla.cases.api import contacts_router, life_events_router
from ventanilla.cases.api import router as cases_router
from ventanilla.catalog.api import router as catalog_router
from ventanilla.catalog.api import staff_router as catalog_staff_router
from ventanilla.citizen360.api import router as citizen360_router
from ventanilla.consent.api import router as consent_router
from ventanilla.identity.api import router as identity_router
from ventanilla.interactions.api import batch_router
from ventanilla.interactions.api import router as interactions_router
from ventanilla.mail.api import router as mail_router
from ventanilla.parties.api import router as parties_router
from ventanilla.privacy.api import router as audit_router
from ventanilla.proposals.api import router as proposals_router
from ventanilla.sharing.api import router as sharing_router
from ventanilla.surveys.api import router as surveys_router

api = problems.ProblemDocumentingAPI(
    title="Ventanilla API",
    version=__version__,
    description=(
        "Citizen Relationship Management for public administrations. Authenticate with a staff "
        "session or an API key (`Authorization: Bearer vk_…`). Errors are RFC 9457 problem "
        "details with a stable `type`. Lists are cursor-paginated: pass `next_cursor` back as "
        "`cursor`."
    ),
    urls_namespace="api",
    auth=AUTH,
    parser=problems.JsonOnlyParser(),
)
problems.install(api)
api.add_router("/parties", identity_router)
api.add_router("/parties", parties_router)
api.add_router("/parties", citizen360_router)
api.add_router("/", interactions_router)
api.add_router("/", contacts_router)
api.add_router("/cases", cases_router)
api.add_router("/life-event-requests", life_events_router)
api.add_router("/catalog", catalog_router)
api.add_router("/catalog", catalog_staff_router)
api.add_router("/audit", audit_router)
api.add_router("/analytics", analytics_router)
api.add_router("/proposals", proposals_router)
api.add_router("/", consent_router)
api.add_router("/", sharing_router)
api.add_router("/mail", mail_router)
api.add_router("/batch", batch_router)
api.add_router("/batch", cases_batch_router)
api.add_router("/surveys", surveys_router)
