"""The data-subject export as a page to keep: a label for every key in the person's language,
values in words (choices by their label, yes / no, dates in the language's format), so nothing
the person reads is a raw key or code."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Choices
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ventanilla.cases.models import CaseEvent, CaseStatus, CaseTask
from ventanilla.consent.models import GivenBy, LegalBasis
from ventanilla.core import filetypes
from ventanilla.interactions.models import Interaction
from ventanilla.notices.models import Topic
from ventanilla.notifications.models import Medium, Notification, NotificationEvent
from ventanilla.parties import labels
from ventanilla.parties.models import (
    ContactPoint,
    DataCategory,
    Identifier,
    ProfileAttribute,
    Representation,
)
from ventanilla.sharing.models import SharingRequest


def party_export_page(document: dict[str, Any]) -> str:
    """The document as a page to keep, every label in the document's language."""
    with translation.override(document.get("language") or "es"):
        return render_to_string(
            "gdpr/export.html", {"doc": document, "sections": export_sections(document)}
        )


@dataclass(frozen=True)
class _Column:
    key: str
    label: Promise
    show: Callable[[Any], str] | None = None


def _choice(choices: type[Choices]) -> Callable[[Any], str]:
    """A code by its label, translated when shown (not when this module was imported)."""

    def show(value: Any) -> str:
        for code, label in choices.choices:
            if str(code) == str(value):
                return str(label)
        return str(value)

    return show


def _choices(choices: type[Choices]) -> Callable[[Any], str]:
    one = _choice(choices)
    return lambda values: ", ".join(one(v) for v in values)


def _moment(value: Any) -> str:
    """A date or time in the page's format; a value no calendar can show is given as stored."""
    try:
        if isinstance(value, datetime):
            return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
        if isinstance(value, date):
            return formats.date_format(value, "DATE_FORMAT")
        if isinstance(value, str):
            return formats.date_format(date.fromisoformat(value), "DATE_FORMAT")
    except (OverflowError, ValueError):
        pass
    return str(value)


def _yes_no(value: Any) -> str:
    return _("Yes") if value else _("No")


def _country(code: Any) -> str:
    # Identifiers are Spanish but for the odd passport; those show their ISO code.
    return _("Spain") if code == "ES" else str(code)


def _listed(values: Any) -> str:
    return ", ".join(str(v) for v in values) if isinstance(values, list | tuple) else str(values)


def _size(value: Any) -> str:
    return str(filesizeformat(value))


def _file_type(value: Any) -> str:
    """The kind of document in words; the accepted kinds are few (core.filetypes)."""
    kinds = {
        filetypes.PDF: _("PDF document"),
        filetypes.PNG: _("PNG image"),
        filetypes.JPEG: _("JPEG image"),
        filetypes.TEXT: _("Plain text"),
        filetypes.ODT: _("OpenDocument text"),
        filetypes.DOCX: _("Word document"),
    }
    return kinds.get(str(value), str(value))


def _seconds(value: Any) -> str:
    minutes, seconds = divmod(int(value), 60)
    return _("%(minutes)d min %(seconds)d s") % {"minutes": minutes, "seconds": seconds}


def _answers(rows: Any) -> str:
    return "; ".join(
        f"{row['question']}: {row.get('answer_label') or _value(row['answer'])}" for row in rows
    )


def _value(value: Any) -> str:
    """A free value (a profile fact, a form answer, an old or new profile value) in words."""
    if isinstance(value, bool):
        return _yes_no(value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_value(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(_value(v) for v in value)
    return "" if value is None else str(value)


# The party's fields, as the profile, its corrections and the export name them: one registry.
PARTY_FIELD_LABELS = labels.FIELD_LABELS


def _party_show(name: str) -> Callable[[Any], str]:
    return lambda value: labels.field_value(name, value)


def _changed(row: dict[str, Any], key: str) -> str:
    value = row[key]
    return labels.field_value(row["field"], value) if value not in (None, "", []) else _("(empty)")


_C = _Column
_L = gettext_lazy

# (document key, title, what the section is, columns)
SECTIONS: list[tuple[str, Promise, Promise | None, list[_Column]]] = [
    (
        "party",
        _L("Profile"),
        None,
        [_C(key, label, _party_show(key)) for key, label in PARTY_FIELD_LABELS.items()],
    ),
    (
        "merged_records",
        _L("Records of yours joined into this one"),
        _L("Duplicate records found to be you and merged into this record."),
        [_C("name", _L("Name")), _C("birth_date", _L("Birth date"), _moment)],
    ),
    (
        "identifiers",
        _L("Identity documents"),
        None,
        [
            _C("scheme", _L("Document"), _choice(Identifier.Scheme)),
            _C("value", _L("Number")),
            _C("issuing_country", _L("Issuing country"), _country),
            _C("verified", _L("Verified"), _yes_no),
        ],
    ),
    (
        "contact_points",
        _L("How we reach you"),
        None,
        [
            _C("kind", _L("Kind"), _choice(ContactPoint.Kind)),
            _C("value", _L("Value")),
            _C("postal_code", _L("Postal code")),
            _C("municipality", _L("Municipality")),
            _C("district", _L("District")),
            _C("preferred", _L("Preferred"), _yes_no),
            _C("valid_until", _L("Valid until"), _moment),
        ],
    ),
    (
        "profile_attributes",
        _L("Other facts held about you"),
        None,
        [
            _C("name", _L("Fact"), labels.fact_label),
            _C("value", _L("Value"), _value),
            _C("category", _L("Kind of data"), _choice(DataCategory)),
            _C("sensitivity", _L("Sensitivity"), _choice(ProfileAttribute.Sensitivity)),
            _C("held_by", _L("Held by")),
        ],
    ),
    (
        "profile_changes",
        _L("Corrections to your profile"),
        _L("Every change to your profile: what it was, what it became, when and by whom."),
        [
            _C("changed_at", _L("When"), _moment),
            _C("field", _L("What"), labels.field_label),
            _C("old_value", _L("Before")),
            _C("new_value", _L("After")),
            _C("changed_by", _L("By")),
        ],
    ),
    (
        "represents",
        _L("People you act for"),
        None,
        [
            _C("person", _L("Person")),
            _C("kind", _L("As"), _choice(Representation.Kind)),
            _C("services", _L("For")),
            _C("valid_from", _L("From"), _moment),
            _C("valid_until", _L("Until"), _moment),
            _C("evidence", _L("Evidence")),
        ],
    ),
    (
        "represented_by",
        _L("People who act for you"),
        None,
        [
            _C("person", _L("Person")),
            _C("kind", _L("As"), _choice(Representation.Kind)),
            _C("services", _L("For")),
            _C("valid_from", _L("From"), _moment),
            _C("valid_until", _L("Until"), _moment),
            _C("evidence", _L("Evidence")),
        ],
    ),
    (
        "consents",
        _L("Your consents"),
        _L(
            "Permissions for an office to use some of your data for one purpose, with how they "
            "were given."
        ),
        [
            _C("purpose", _L("Purpose")),
            _C("recipient", _L("Office that may use the data")),
            _C("data_categories", _L("Data"), _choices(DataCategory)),
            _C("legal_basis", _L("Legal basis"), _choice(LegalBasis)),
            _C("given_by", _L("Given by"), _choice(GivenBy)),
            _C("explicit", _L("Explicit consent"), _yes_no),
            _C("granted_at", _L("Given on"), _moment),
            _C("expires_at", _L("Expires on"), _moment),
            _C("withdrawn_at", _L("Withdrawn on"), _moment),
            _C("channel", _L("Given through")),
            _C("recorded_by", _L("Recorded by")),
            _C("evidence_document", _L("Signed document (file in the zip)")),
            _C("withdrawn_by", _L("Withdrawn by")),
            _C("withdrawal_evidence", _L("Instruction to withdraw")),
        ],
    ),
    (
        "sharing_requests",
        _L("Requests between offices for your data"),
        _L("Each time one office asked another for data it held on you, and the answer."),
        [
            _C("answered_at", _L("When"), _moment),
            _C("requester", _L("Office that asked")),
            _C("holder", _L("Office that holds the data")),
            _C("purpose", _L("Purpose")),
            _C("data_categories", _L("Data asked for"), _choices(DataCategory)),
            _C("legal_basis", _L("Legal basis"), _choice(LegalBasis)),
            _C("legal_reference", _L("Legal reference")),
            _C("consents", _L("Your consents relied on"), _listed),
            _C("outcome", _L("Answer"), _choice(SharingRequest.Outcome)),
            _C("refusal", _L("Reason for refusing")),
            _C("requested_by", _L("Asked by")),
        ],
    ),
    (
        "life_event_requests",
        _L("Requests for a life event"),
        None,
        [
            _C("life_event", _L("Life event")),
            _C("requested_at", _L("When"), _moment),
            _C("channel", _L("Channel")),
            _C("description", _L("What you wrote")),
            _C("cases", _L("Cases opened"), _listed),
            _C("requested_by", _L("Asked by")),
        ],
    ),
    (
        "cases",
        _L("Your requests and procedures"),
        None,
        [
            _C("reference", _L("Reference")),
            _C("service", _L("Service")),
            _C("department", _L("Office")),
            _C("channel", _L("Channel")),
            _C("status", _L("Status"), _choice(CaseStatus)),
            _C("opened_at", _L("Opened on"), _moment),
            _C("due_date", _L("Due by"), _moment),
            _C("closed_at", _L("Closed on"), _moment),
            _C("description", _L("What you asked")),
            _C("form", _L("Your answers to the form"), _answers),
            _C("location", _L("Place")),
            _C("district", _L("District")),
            _C("satisfaction", _L("Your satisfaction (1 to 5)")),
            _C("satisfaction_comment", _L("Your comment")),
            _C("satisfaction_at", _L("Answered on"), _moment),
            _C("duplicate_of", _L("Joined to the case")),
        ],
    ),
    (
        "case_history",
        _L("What you were told about your cases"),
        None,
        [
            _C("case", _L("Case")),
            _C("occurred_at", _L("When"), _moment),
            _C("kind", _L("What happened"), _choice(CaseEvent.Kind)),
            _C("to_status", _L("New status"), _choice(CaseStatus)),
            _C("text", _L("Message")),
        ],
    ),
    (
        "case_tasks",
        _L("Work asked of other offices for your cases"),
        None,
        [
            _C("case", _L("Case")),
            _C("from_department", _L("Asked by")),
            _C("to_department", _L("Asked of")),
            _C("title", _L("Task")),
            _C("status", _L("Status"), _choice(CaseTask.Status)),
            _C("due_date", _L("Due by"), _moment),
            _C("completed_at", _L("Completed on"), _moment),
        ],
    ),
    (
        "interactions",
        _L("Your contacts with the administration"),
        None,
        [
            _C("occurred_at", _L("When"), _moment),
            _C("channel", _L("Channel")),
            _C("agency", _L("Office")),
            _C("direction", _L("Direction"), _choice(Interaction.Direction)),
            _C("relationship", _L("Relationship"), _choice(Interaction.Relationship)),
            _C("kind", _L("Kind"), _choice(Interaction.Kind)),
            _C("service", _L("Service")),
            _C("case", _L("Case")),
            _C("duration_seconds", _L("Duration"), _seconds),
            _C("outcome", _L("How it ended"), _choice(Interaction.Outcome)),
            _C("summary", _L("Summary")),
            _C("documents", _L("Documents"), _listed),
        ],
    ),
    (
        "documents",
        _L("Your documents"),
        _L(
            "The documents brought with your contacts. The files themselves are in the "
            "documents folder of the zip download."
        ),
        [
            _C("file_name", _L("File name")),
            _C("content_type", _L("Type"), _file_type),
            _C("size", _L("Size"), _size),
            _C("uploaded_at", _L("Received on"), _moment),
            _C("uploaded_by", _L("Received by")),
            _C("contact_at", _L("Brought with the contact of"), _moment),
            _C("contact_channel", _L("Through")),
            _C("case", _L("Case")),
            _C("description", _L("Description")),
            _C("file", _L("File in the zip")),
        ],
    ),
    (
        "satisfaction_answers",
        _L("Your answers on how we did"),
        _L("The satisfaction question asked after a visit, a call or a closed case."),
        [
            _C("asked_at", _L("Asked on"), _moment),
            _C("channel", _L("Through")),
            _C("about", _L("About")),
            _C("score", _L("Your satisfaction (1 to 5)")),
            _C("comment", _L("Your comment")),
            _C("answered_at", _L("Answered on"), _moment),
        ],
    ),
    (
        "notifications",
        _L("Messages sent to you"),
        None,
        [
            _C("created_at", _L("Written on"), _moment),
            _C("sent_at", _L("Sent on"), _moment),
            _C("case", _L("Case")),
            _C("event", _L("About"), _choice(NotificationEvent)),
            _C("medium", _L("By"), _choice(Medium)),
            _C("recipient", _L("To")),
            _C("subject", _L("Subject")),
            _C("body", _L("Text")),
            _C("status", _L("Status"), _choice(Notification.Status)),
        ],
    ),
    (
        "survey_answers",
        _L("Your answers to surveys"),
        _L("The surveys you answered signed in; anonymous answers are linked to no one."),
        [
            _C("survey", _L("Survey")),
            _C("submitted_at", _L("Answered on"), _moment),
            _C("question", _L("Question")),
            _C("answer", _L("Your answer")),
        ],
    ),
    (
        "comments",
        _L("Your comments"),
        _L("What you wrote in debates and on proposals, and what moderation decided."),
        [
            _C("on", _L("On")),
            _C("created_at", _L("Written on"), _moment),
            _C("text", _L("Text")),
            _C("status", _L("Status")),
            _C("hidden_reason", _L("Reason for hiding")),
            _C("appeal", _L("Your appeal")),
            _C("appeal_status", _L("Decision")),
            _C("decision_note", _L("Note on the decision")),
        ],
    ),
    (
        "comment_reports",
        _L("Comments you reported"),
        _L("The comments you reported to the moderators, and why."),
        [
            _C("on", _L("On")),
            _C("created_at", _L("Reported on"), _moment),
            _C("reason", _L("Reason")),
            _C("text", _L("Details")),
        ],
    ),
    (
        "budget_proposals",
        _L("Your proposals to participatory budgets"),
        None,
        [
            _C("budget", _L("Budget")),
            _C("created_at", _L("Proposed on"), _moment),
            _C("district", _L("District")),
            _C("title", _L("Title")),
            _C("description", _L("Description")),
        ],
    ),
    (
        "budget_supports",
        _L("Projects of participatory budgets you support"),
        _L("Your votes are secret: they are linked to no one, so they are not here."),
        [_C("budget", _L("Budget")), _C("project", _L("Project"))],
    ),
    (
        "proposals",
        _L("Your proposals"),
        None,
        [
            _C("created_at", _L("Published on"), _moment),
            _C("title", _L("Title")),
            _C("summary", _L("Summary")),
            _C("body", _L("Proposal")),
            _C("district", _L("District")),
            _C("supports", _L("Supports")),
        ],
    ),
    (
        "proposal_supports",
        _L("Proposals you support"),
        None,
        [_C("proposal", _L("Proposal")), _C("created_at", _L("Supported on"), _moment)],
    ),
    (
        "notice_subscriptions",
        _L("Your subscriptions to notices"),
        None,
        [
            _C("created_at", _L("Subscribed on"), _moment),
            _C("email", _L("Email")),
            _C("topic", _L("Topic"), _choice(Topic)),
            _C("district", _L("District")),
            _C("cancelled_at", _L("Cancelled on"), _moment),
        ],
    ),
    (
        "records_in_other_systems",
        _L("Your records in other offices' systems"),
        None,
        [
            _C("agency", _L("Office")),
            _C("source_key", _L("Record number in their system")),
            _C("given_name", _L("Given name")),
            _C("family_name_1", _L("First surname")),
            _C("family_name_2", _L("Second surname")),
            _C("birth_date", _L("Birth date"), _moment),
            _C("identifier", _L("Identity document")),
            _C("address", _L("Address")),
            _C("postal_code", _L("Postal code")),
            _C("email", _L("Email")),
            _C("phone", _L("Phone")),
            _C("decided_by", _L("Linked by")),
        ],
    ),
    (
        "sign_in_links",
        _L("Sign-in links sent to you"),
        None,
        [
            _C("requested_at", _L("Asked for on"), _moment),
            _C("expires_at", _L("Valid until"), _moment),
            _C("used_at", _L("Used on"), _moment),
        ],
    ),
    (
        "disclosure_log",
        _L("Who has used your data"),
        _L(
            "Every time someone in the administration read or changed your data. Your own "
            "visits are in the next section."
        ),
        [
            _C("at", _L("When"), _moment),
            _C("what", _L("What was done")),
            _C("agencies", _L("Office"), _listed),
            _C("who", _L("Who")),
            _C("purpose", _L("Purpose")),
            _C("basis", _L("Legal basis")),
        ],
    ),
    (
        "own_activity",
        _L("Your own use of the portal"),
        _L("Your visits to your data, downloads and other actions of yours."),
        [_C("at", _L("When"), _moment), _C("what", _L("What you did"))],
    ),
]


@dataclass(frozen=True)
class ExportSection:
    key: str
    title: str
    about: str
    rows: list[list[tuple[str, str]]]


def _shown(row: dict[str, Any], columns: Iterable[_Column], key: str) -> list[tuple[str, str]]:
    pairs = []
    for column in columns:
        if key == "profile_changes" and column.key in ("old_value", "new_value"):
            pairs.append((str(column.label), _changed(row, column.key)))
            continue
        value = row.get(column.key)
        if value in (None, "", [], {}):
            continue
        if key == "profile_attributes" and column.key == "value":
            pairs.append((str(column.label), labels.fact_value(row.get("name"), value)))
            continue
        text = column.show(value) if column.show else _value(value)
        if text:
            pairs.append((str(column.label), text))
    return pairs


def export_sections(document: dict[str, Any]) -> list[ExportSection]:
    """The document's sections as the page shows them, in the active language."""
    sections = []
    for key, title, about, columns in SECTIONS:
        rows = document.get(key)
        if rows is None:
            continue
        listed = [rows] if isinstance(rows, dict) else rows
        sections.append(
            ExportSection(
                key=key,
                title=str(title),
                about=str(about) if about else "",
                rows=[_shown(row, columns, key) for row in listed],
            )
        )
    return sections
