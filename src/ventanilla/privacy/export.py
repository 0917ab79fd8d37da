"""The right of access (GDPR art. 15) and to portability (art. 20): everything the administration
holds on one person, in one document — as JSON, as a page in their language, or as a zip that
also holds copies of their documents.

Every relation to ``Party`` has its sections and fields declared in ``privacy.coverage``; a test
walks the models and fails when a new relation or field has none, so nothing new is held without
being handed over."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from dataclasses import dataclass
from typing import IO, Any, cast

from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ventanilla.access.actors import Actor, actor_for_citizen
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.appointments.models import Appointment
from ventanilla.audit.actions import Action
from ventanilla.audit.models import AuditEntry
from ventanilla.audit.services import audit_record
from ventanilla.budgets.models import Project as BudgetProject
from ventanilla.budgets.models import ProjectSupport
from ventanilla.cases.models import Case, CaseEvent, CaseTask, LifeEventRequest
from ventanilla.catalog.forms import form_fields
from ventanilla.catalog.models import PublicService
from ventanilla.consent.models import Consent
from ventanilla.core.errors import NotFound
from ventanilla.core.i18n import SUPPORTED
from ventanilla.debates.models import Appeal, Comment, Report
from ventanilla.identity.models import SourceRecord
from ventanilla.interactions.models import Interaction, InteractionAttachment, SatisfactionAnswer
from ventanilla.notices.models import Subscription
from ventanilla.notifications.models import Notification
from ventanilla.parties.models import (
    Party,
    PortalSignInToken,
    ProfileChange,
    Representation,
)
from ventanilla.privacy.export_page import party_export_page
from ventanilla.privacy.selectors import describe_disclosures
from ventanilla.proposals.models import Proposal
from ventanilla.proposals.models import Support as ProposalSupport
from ventanilla.sharing.models import SharingRequest
from ventanilla.surveys.models import Answer as SurveyAnswer

DOCUMENTS_FOLDER = "documents"
COPY_CHUNK = 1024 * 1024


def _by(label: str, *, by_subject: bool, subject_label: str) -> str:
    """Who did something: the person themself, or staff by kind, never by name, when the person
    reads it; the recorded label when staff answer the request."""
    if label == subject_label:
        return _("You, in the portal")
    if not by_subject:
        return label
    if label.startswith("citizen:"):
        return _("Another person, through the portal")
    if label.startswith("api:"):
        return _("Another system of the agency, through the API")
    if label.startswith("command:"):
        return _("A system operator")
    if label.startswith(("system:", "agency:")):
        return _("An automatic process")
    return _("A member of staff")


def _safe_name(name: str) -> str:
    """A file name that stays inside its folder of the zip, whatever the sender called it."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = re.sub(r"[^\w.\- ]+", "_", base).strip(" .") or "document"
    return cleaned[-120:]


@dataclass(frozen=True)
class _Export:
    document: dict[str, Any]
    # (path inside the zip, name in storage) of every document the person may have a copy of.
    files: list[tuple[str, str]]


def _load(*, actor: Actor, party_id: Any, language: str | None) -> tuple[Party, bool, str]:
    by_subject = actor.party_id is not None and actor.party_id == str(party_id)
    if not by_subject:
        require(actor, Scope.PARTIES_READ, party_id=party_id)
    party = Party.objects.filter(pk=party_id).first()
    if party is None:
        raise NotFound(_("No such party."))
    chosen = language or party.preferred_language
    return party, by_subject, chosen if chosen in SUPPORTED else "es"


def _build(*, actor: Actor, party: Party, by_subject: bool) -> _Export:  # noqa: C901
    """Every section, in a constant number of queries whatever the person's history holds."""
    subject_label = actor_for_citizen(party).label

    def by(label: str) -> str:
        return _by(label, by_subject=by_subject, subject_label=subject_label)

    files: list[tuple[str, str]] = []

    def keep_copy(prefix: str, name: str, stored: str) -> str:
        path = f"{DOCUMENTS_FOLDER}/{len(files) + 1:03d}-{prefix}-{_safe_name(name)}"
        files.append((path, stored))
        return path

    represents = list(party.represents.select_related("represented").order_by("valid_from"))
    represented_by = list(
        party.represented_by.select_related("representative").order_by("valid_from")
    )
    scoped = {code for r in [*represents, *represented_by] for code in (r.scope or [])}
    service_names = (
        {s.code: s.name for s in PublicService.objects.filter(code__in=scoped)} if scoped else {}
    )

    def representation(r: Representation, other: Party) -> dict[str, Any]:
        return {
            "id": str(r.pk),
            "person": other.display_name,
            "kind": r.kind,
            "scope": list(r.scope or []),
            "services": ", ".join(service_names.get(code, code) for code in r.scope)
            if r.scope
            else _("Every service"),
            "valid_from": r.valid_from,
            "valid_until": r.valid_until,
            "evidence": r.evidence,
        }

    consents = list(
        Consent.objects.filter(party=party)
        .select_related("recipient", "channel")
        .order_by("-granted_at")
    )
    consent_rows = []
    for c in consents:
        evidence = c.evidence_file.name
        # The signed form a desk consent keeps is the person's document: a copy goes in the zip.
        signed = keep_copy("consent", c.evidence_name or evidence, evidence) if evidence else ""
        consent_rows.append(
            {
                "id": str(c.pk),
                "purpose": c.purpose,
                "recipient": c.recipient.name,
                "data_categories": list(c.data_categories),
                "legal_basis": c.legal_basis,
                "given_by": c.given_by,
                "explicit": c.explicit,
                "granted_at": c.granted_at,
                "expires_at": c.expires_at,
                "withdrawn_at": c.withdrawn_at,
                "channel": c.channel.name,
                "recorded_by": by(c.recorded_by_label),
                "evidence_document": signed,
                "withdrawn_by": by(c.withdrawn_by_label) if c.withdrawn_by_label else "",
                "withdrawal_evidence": c.withdrawal_evidence,
            }
        )

    sharing = (
        SharingRequest.objects.filter(party=party)
        .select_related("requester", "holder")
        .prefetch_related(Prefetch("consents", queryset=Consent.objects.only("id", "purpose")))
        .order_by("-answered_at")
    )
    life_events = (
        LifeEventRequest.objects.filter(party=party)
        .select_related("life_event", "channel")
        .prefetch_related(Prefetch("cases", queryset=Case.objects.only("id", "reference")))
        .order_by("-requested_at")
    )
    cases = list(
        Case.objects.filter(party=party)
        .select_related("service", "department", "channel", "duplicate_of")
        .prefetch_related(
            # What the person is told of a case; internal notes and hand-overs stay with staff.
            Prefetch(
                "events",
                queryset=CaseEvent.objects.filter(public=True).order_by("occurred_at", "id"),
                to_attr="public_events",
            ),
            Prefetch(
                "tasks",
                queryset=CaseTask.objects.select_related(
                    "from_department", "to_department"
                ).order_by("created_at"),
                to_attr="task_list",
            ),
        )
        .order_by("-opened_at")
    )
    interactions = list(
        Interaction.objects.filter(party=party)
        .select_related("channel", "agency", "service", "case")
        .prefetch_related(
            Prefetch("attachments", queryset=InteractionAttachment.objects.order_by("created_at"))
        )
        .order_by("-occurred_at", "-id")
    )
    documents = [
        {
            "id": str(a.pk),
            "file_name": a.file_name,
            "content_type": a.content_type,
            "size": a.size,
            "uploaded_at": a.created_at,
            "uploaded_by": by(a.uploaded_by_label),
            "description": a.description,
            "contact_at": i.occurred_at,
            "contact_channel": i.channel.name,
            "case": i.case.reference if i.case else "",
            "sha256": a.sha256,
            "file": keep_copy("contact", a.file_name, a.file.name) if a.file else "",
        }
        for i in interactions
        for a in i.attachments.all()
    ]
    entries = list(AuditEntry.objects.filter(party_id=party.pk).order_by("id"))
    # The person's own visits are listed apart, as the disclosure page says: "who has used my
    # data" means someone else; the person's own use of the portal is theirs to see too.
    others = [e for e in entries if e.actor != subject_label]
    own = [e for e in entries if e.actor == subject_label]
    disclosure_log = [
        {
            "at": d.at,
            "action": d.action,
            "what": d.what,
            "agencies": d.agencies,
            # The person sees staff by role; the operator answering the request, by name.
            "who": d.who if by_subject else entry.actor,
            "purpose": d.purpose,
            "basis": d.basis,
            "consent": str(d.consent.pk) if d.consent else "",
        }
        for entry, d in zip(others, describe_disclosures(others, party_id=party.pk), strict=True)
    ]

    document: dict[str, Any] = {
        "language": translation.get_language(),
        "generated_at": timezone.now(),
        "documents_note": _(
            "The files themselves are in the documents folder of the zip download; each "
            "document below names its file there."
        ),
        "party": {
            "id": str(party.pk),
            "kind": party.kind,
            "status": party.status,
            "given_name": party.given_name,
            "family_name_1": party.family_name_1,
            "family_name_2": party.family_name_2,
            "legal_name": party.legal_name,
            "birth_date": party.birth_date,
            "sex": party.sex,
            "preferred_language": party.preferred_language,
            "education_level": party.education_level,
            "accessibility_needs": list(party.accessibility_needs or []),
            "created_at": party.created_at,
        },
        "merged_records": [
            {"id": str(p.pk), "name": p.display_name, "birth_date": p.birth_date}
            for p in party.merged_parties.order_by("created_at")
        ],
        "identifiers": [
            {
                "id": str(i.pk),
                "scheme": i.scheme,
                "value": i.value,
                "issuing_country": i.issuing_country,
                "verified": i.verified,
            }
            for i in party.identifiers.order_by("scheme")
        ],
        "contact_points": [
            {
                "id": str(c.pk),
                "kind": c.kind,
                "value": c.value,
                "postal_code": c.postal_code,
                "municipality": c.municipality,
                "district": c.district,
                "preferred": c.preferred,
                "valid_until": c.valid_until,
            }
            for c in party.contact_points.order_by("kind", "value")
        ],
        "profile_attributes": [
            {
                "id": str(a.pk),
                "name": a.name,
                "value": a.value,
                "category": a.category,
                "sensitivity": a.sensitivity,
                "held_by": a.source_agency.name if a.source_agency else "",
            }
            for a in party.attributes.select_related("source_agency").order_by("name")
        ],
        "profile_changes": [
            {
                "changed_at": change.changed_at,
                "field": change.field,
                "old_value": change.old_value,
                "new_value": change.new_value,
                "changed_by": by(change.changed_by),
            }
            for change in ProfileChange.objects.filter(party=party).order_by("id")
        ],
        "represents": [representation(r, r.represented) for r in represents],
        "represented_by": [representation(r, r.representative) for r in represented_by],
        "consents": consent_rows,
        "sharing_requests": [
            {
                "id": str(s.pk),
                "answered_at": s.answered_at,
                "requester": s.requester.name,
                "holder": s.holder.name,
                "purpose": s.purpose,
                "data_categories": list(s.data_categories),
                "legal_basis": s.legal_basis,
                "legal_reference": s.legal_reference,
                "consents": [c.purpose for c in s.consents.all()],
                "outcome": s.outcome,
                "refusal": s.refusal,
                "requested_by": by(s.requested_by_label),
            }
            for s in sharing
        ],
        "life_event_requests": [
            {
                "id": str(r.pk),
                "life_event": r.life_event.name,
                "requested_at": r.requested_at,
                "channel": r.channel.name,
                "description": r.description,
                "cases": [c.reference for c in r.cases.all()],
                "requested_by": by(r.requested_by_label),
            }
            for r in life_events
        ],
        "cases": [_case_row(c) for c in cases],
        "case_history": [
            {
                "case": c.reference,
                "occurred_at": e.occurred_at,
                "kind": e.kind,
                "to_status": e.to_status,
                "text": e.text,
            }
            for c in cases
            for e in cast(list[CaseEvent], c.public_events)
        ],
        "case_tasks": [
            {
                "case": c.reference,
                "from_department": t.from_department.name,
                "to_department": t.to_department.name,
                "title": t.title,
                "status": t.status,
                "due_date": t.due_date,
                "completed_at": t.completed_at,
            }
            for c in cases
            for t in cast(list[CaseTask], c.task_list)
        ],
        "interactions": [
            {
                "id": str(i.pk),
                "occurred_at": i.occurred_at,
                "channel": i.channel.name,
                "agency": i.agency.name,
                "direction": i.direction,
                "relationship": i.relationship,
                "kind": i.kind,
                "service": i.service.name if i.service else "",
                "case": i.case.reference if i.case else "",
                "duration_seconds": i.duration_seconds,
                "outcome": i.outcome,
                "call_back_due": i.call_back_due,
                "call_back_phone": i.call_back_phone,
                "summary": i.summary,
                "documents": [a.file_name for a in i.attachments.all()],
            }
            for i in interactions
        ],
        "documents": documents,
        "appointments": [
            {
                "reference": a.reference,
                "kind": a.kind,
                "service": a.service.name,
                "office": a.office.name,
                "start": a.start,
                "status": a.status,
                "ticket": a.ticket_label,
                "checked_in_at": a.checked_in_at,
                "called_at": a.called_at,
                "finished_at": a.finished_at,
            }
            for a in Appointment.objects.filter(party=party)
            .select_related("service", "office")
            .order_by("-start")
        ],
        "satisfaction_answers": [
            {
                "asked_at": a.asked_at,
                "channel": a.channel.name,
                "about": a.about,
                "score": a.score,
                "comment": a.comment,
                "answered_at": a.answered_at,
            }
            for a in SatisfactionAnswer.objects.filter(party=party)
            .select_related("channel")
            .order_by("-asked_at")
        ],
        "notifications": [
            {
                "created_at": n.created_at,
                "sent_at": n.sent_at,
                "case": n.case.reference if n.case else "",
                "event": n.event,
                "medium": n.medium,
                "recipient": n.recipient,
                "subject": n.subject,
                "body": n.body,
                "status": n.status,
            }
            for n in Notification.objects.filter(party=party)
            .select_related("case")
            .order_by("-created_at")
        ],
        "notice_subscriptions": [
            {
                "created_at": s.created_at,
                "email": s.email,
                "topic": s.topic,
                "district": s.district,
                "cancelled_at": s.cancelled_at,
            }
            for s in Subscription.objects.filter(party=party).order_by("created_at")
        ],
        "survey_answers": [
            {
                "survey": a.response.survey.title,
                "submitted_at": a.response.submitted_at,
                "question": a.question.text,
                "answer": a.in_words(),
                "value": a.value,
            }
            for a in SurveyAnswer.objects.filter(response__party=party)
            .select_related("response__survey", "question")
            .order_by("-response__submitted_at", "question__position")
        ],
        "comments": [
            {
                "on": c.subject_title,
                "created_at": c.created_at,
                "text": c.body,
                "status": c.get_status_display(),
                "hidden_reason": c.hidden_reason,
                **_appeal_of(c),
            }
            for c in Comment.objects.filter(author=party)
            .select_related("appeal")
            .order_by("-created_at")
        ],
        "comment_reports": [
            {
                "on": r.comment.subject_title,
                "created_at": r.created_at,
                "reason": r.get_reason_display(),
                "text": r.text,
            }
            for r in Report.objects.filter(reporter=party)
            .select_related("comment")
            .order_by("-created_at")
        ],
        "budget_proposals": [
            {
                "budget": p.budget.title,
                "created_at": p.created_at,
                "district": p.district.district,
                "title": p.title,
                "description": p.description,
                "review": p.review,
            }
            for p in BudgetProject.objects.filter(proposed_by=party)
            .select_related("budget", "district")
            .order_by("-created_at")
        ],
        "budget_supports": [
            {"budget": s.project.budget.title, "project": s.project.title}
            for s in ProjectSupport.objects.filter(party=party)
            .select_related("project__budget")
            .order_by("project__title")
        ],
        "proposals": [
            {
                "created_at": p.created_at,
                "title": p.title,
                "summary": p.summary,
                "body": p.body,
                "district": p.district,
                "status": p.status,
                "supports": p.supports_count,
            }
            for p in Proposal.objects.filter(author=party).order_by("-created_at")
        ],
        "proposal_supports": [
            {"proposal": s.proposal.title, "created_at": s.created_at}
            for s in ProposalSupport.objects.filter(party=party)
            .select_related("proposal")
            .order_by("-created_at")
        ],
        "records_in_other_systems": [
            {
                "agency": s.agency.name,
                "source_key": s.source_key,
                "given_name": s.given_name,
                "family_name_1": s.family_name_1,
                "family_name_2": s.family_name_2,
                "birth_date": s.birth_date,
                "identifier": s.identifier,
                "address": s.address,
                "postal_code": s.postal_code,
                "city": s.city,
                "email": s.email,
                "phone": s.phone,
                "flags": s.flags,
                "match_score": s.match_score,
                "decided_by": "" if by_subject else s.decided_by,
            }
            for s in SourceRecord.objects.filter(party=party)
            .select_related("agency")
            .order_by("agency__code", "source_key")
        ],
        # Only when each link was asked for, until when it worked, and when it was used: the
        # stored hash of its secret is no data about the person and is never handed out.
        "sign_in_links": [
            {"requested_at": t.created_at, "expires_at": t.expires_at, "used_at": t.used_at}
            for t in PortalSignInToken.objects.filter(party=party).order_by("-created_at")
        ],
        "disclosure_log": disclosure_log,
        "own_activity": [
            {
                "at": e.at,
                "action": e.action,
                "what": str(Action(e.action).label) if e.action in Action.values else e.action,
            }
            for e in own
        ],
    }
    return _Export(document=document, files=files)


def _case_row(c: Case) -> dict[str, Any]:
    fields = {field.name: field for field in form_fields(c.service)}
    answers = c.form_data if isinstance(c.form_data, dict) else {}

    def answer(name: str, value: Any) -> dict[str, Any]:
        field = fields.get(name)
        row = {"field": name, "question": field.label if field else name, "answer": value}
        # A closed list's answer in the words the person chose from.
        chosen = dict(field.choices).get(str(value)) if field and field.choices else None
        return {**row, "answer_label": chosen} if chosen else row

    return {
        "id": str(c.pk),
        "reference": c.reference,
        "service": c.service.name,
        "department": c.department.name,
        "channel": c.channel.name,
        "status": c.status,
        "opened_at": c.opened_at,
        "due_date": c.due_date,
        "closed_at": c.closed_at,
        "description": c.description,
        "form": [answer(name, value) for name, value in answers.items()],
        "location": c.location_text,
        "district": c.district,
        "satisfaction": c.satisfaction,
        "satisfaction_comment": c.satisfaction_comment,
        "satisfaction_at": c.satisfaction_at,
        "duplicate_of": c.duplicate_of.reference if c.duplicate_of else "",
    }


def _export(
    *, actor: Actor, party_id: Any, language: str | None, fmt: str
) -> tuple[_Export, Party]:
    party, by_subject, chosen = _load(actor=actor, party_id=party_id, language=language)
    with translation.override(chosen):
        built = _build(actor=actor, party=party, by_subject=by_subject)
    audit_record(
        actor=actor,
        action=Action.PARTY_EXPORT,
        party_id=party.pk,
        object_type="party",
        object_id=party.pk,
        purpose="GDPR art. 15 access request",
        detail={"format": fmt, "documents": len(built.files)} if fmt == "zip" else None,
    )
    return built, party


def party_export(*, actor: Actor, party_id: Any, language: str | None = None) -> dict[str, Any]:
    """Everything held on the party, including who read or reused it (the disclosure log).

    Staff who may read parties export anyone's; a citizen in the portal exports only their own,
    and sees members of staff by role, not by name. Labels are in ``language`` (the person's
    preferred language when not given)."""
    built, _party = _export(actor=actor, party_id=party_id, language=language, fmt="json")
    return built.document


def party_export_json(document: dict[str, Any]) -> str:
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def party_export_zip(
    *, actor: Actor, party_id: Any, into: IO[bytes], language: str | None = None
) -> None:
    """Write to ``into`` a zip of the document as JSON and as a page, and a copy of every
    document the person brought or signed: what the person takes away. Files are copied one at
    a time, so memory stays small however many there are; a file missing from storage is named
    in ``documents/missing.txt`` instead of failing the whole answer."""
    built, _party = _export(actor=actor, party_id=party_id, language=language, fmt="zip")
    missing = []
    with zipfile.ZipFile(into, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("my-data.json", party_export_json(built.document))
        archive.writestr("my-data.html", party_export_page(built.document))
        for path, stored in built.files:
            try:
                with default_storage.open(stored, "rb") as source, archive.open(path, "w") as copy:
                    shutil.copyfileobj(source, copy, COPY_CHUNK)
            except OSError:
                missing.append(path)
        if missing:
            archive.writestr(f"{DOCUMENTS_FOLDER}/missing.txt", "\n".join(missing) + "\n")


def _appeal_of(comment: Comment) -> dict[str, Any]:
    """The author's appeal against the hiding of ``comment``, when there is one."""
    appeal: Appeal | None = getattr(comment, "appeal", None)
    if appeal is None:
        return {}
    return {
        "appeal": appeal.text,
        "appeal_status": appeal.get_status_display(),
        "decision_note": appeal.decision_note,
    }
