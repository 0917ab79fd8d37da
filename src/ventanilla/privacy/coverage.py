"""What the export hands over and what erasure does, for every model that holds a person's rows.

One entry per model that points at ``Party``, directly or through another such model (a case's
history, a contact's documents). For each text, free-text, JSON or file field the entry says
whether the export hands it over, whether erasure removes it, and, when erasure leaves it, why.
``tests/privacy/test_coverage.py`` walks the relations to ``Party`` and fails for a model without
an entry or a field the entry forgets, so nothing new about a person is held without being handed
over and erased; it and ``tests/privacy/test_erasure.py`` check that the export and
``party_erase`` do what is declared here."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Erasure(StrEnum):
    DELETE = "delete"  # the rows go, files too
    REWRITE = "rewrite"  # the rows stay; the fields in ``erased`` are blanked or replaced
    DETACH = "detach"  # the rows stay, no longer linked to the person
    KEEP = "keep"  # the rows stay as they are


@dataclass(frozen=True)
class Coverage:
    # How a row is found from the person: lookups to the ``Party``. The duplicates merged into
    # the person's record are the person too.
    rows: tuple[str, ...]
    # The export's sections holding these rows, and the fields it hands over.
    sections: tuple[str, ...]
    exported: tuple[str, ...]
    erasure: Erasure
    # REWRITE: what erasure blanks or replaces.
    erased: tuple[str, ...] = ()
    # Personal fields erasure leaves, each with the reason the law allows or requires keeping it.
    kept: dict[str, str] = field(default_factory=dict)
    # Fields that are no data about the person (codes, digests, staff labels), each saying why.
    not_personal: dict[str, str] = field(default_factory=dict)
    # When the export hands over only some rows: which (a filter), and why not the others.
    export_only: dict[str, Any] = field(default_factory=dict)
    not_exported: str = ""


STAFF_LABEL = "who acted: a member of staff's user name, or the person's pseudonymous portal label"
CODE = "a code from a closed list"

COVERAGE: dict[str, Coverage] = {
    # The party's own row: the name goes, the year of birth, sex, language and education stay for
    # statistics (pseudonymisation, GDPR art. 4.5; recital 26).
    "parties.Party": Coverage(
        rows=("pk",),
        sections=("party", "merged_records"),
        exported=(
            "given_name",
            "family_name_1",
            "family_name_2",
            "legal_name",
            "preferred_language",
            "accessibility_needs",
        ),
        erasure=Erasure.REWRITE,
        erased=(
            "given_name",
            "family_name_1",
            "family_name_2",
            "legal_name",
            "accessibility_needs",
            "sort_name",
        ),
        kept={"preferred_language": "a language code, kept for statistics; it names no one"},
    ),
    "parties.NameToken": Coverage(
        rows=("party",),
        sections=(),
        exported=(),
        erasure=Erasure.DELETE,
        not_exported="the folded words of the name, the index behind search: the name is in the "
        "profile",
    ),
    "parties.PartyKey": Coverage(
        rows=("party",),
        sections=(),
        exported=(),
        erasure=Erasure.DELETE,
        not_exported="sound keys of the name and birth date, the index behind the duplicate "
        "check: the name and birth date are in the profile",
    ),
    "parties.Identifier": Coverage(
        rows=("party",),
        sections=("identifiers",),
        exported=("value", "issuing_country"),
        erasure=Erasure.DELETE,
    ),
    "parties.ContactPoint": Coverage(
        rows=("party",),
        sections=("contact_points",),
        exported=("value", "postal_code", "municipality", "district"),
        erasure=Erasure.DELETE,
    ),
    "parties.ProfileAttribute": Coverage(
        rows=("party",),
        sections=("profile_attributes",),
        exported=("name", "value"),
        erasure=Erasure.DELETE,
    ),
    "parties.Representation": Coverage(
        rows=("representative", "represented"),
        sections=("represents", "represented_by"),
        exported=("scope", "evidence"),
        erasure=Erasure.DELETE,
    ),
    "parties.ProfileChange": Coverage(
        rows=("party",),
        sections=("profile_changes",),
        exported=("changed_by", "field", "old_value", "new_value"),
        erasure=Erasure.DELETE,
    ),
    "parties.PortalSignInToken": Coverage(
        rows=("party",),
        sections=("sign_in_links",),
        exported=(),
        erasure=Erasure.DELETE,
        not_personal={"token_hash": "the digest of a secret: handing it out would help no one"},
    ),
    "identity.SourceRecord": Coverage(
        rows=("party",),
        sections=("records_in_other_systems",),
        exported=(
            "source_key",
            "given_name",
            "family_name_1",
            "family_name_2",
            "identifier",
            "address",
            "postal_code",
            "city",
            "email",
            "phone",
            "decided_by",
            "flags",
        ),
        erasure=Erasure.DETACH,
        kept=dict.fromkeys(
            (
                "source_key",
                "given_name",
                "family_name_1",
                "family_name_2",
                "identifier",
                "address",
                "postal_code",
                "city",
                "email",
                "phone",
                "decided_by",
                "flags",
            ),
            "a copy of another agency's register (the padrón, a tax roll), which that agency "
            "keeps under its own law and erases at its source; erasure unlinks it from the person",
        ),
    ),
    "identity.MatchReview": Coverage(
        rows=("party",),
        sections=(),
        exported=(),
        erasure=Erasure.DELETE,
        not_personal={
            "comparisons": "the model's weight for each comparison: level names and numbers, "
            "no value of the person's",
            "decided_by": STAFF_LABEL,
        },
        not_exported="the matcher's working on whether a record is the person: the records "
        "themselves are exported with the party they are linked to",
    ),
    "demo.SyntheticTruth": Coverage(
        rows=("party",),
        sections=(),
        exported=(),
        erasure=Erasure.KEEP,
        not_personal={"distortions": "the synthetic town's ground truth; only the demo writes it"},
        not_exported="the synthetic town's ground truth for scoring the matcher",
    ),
    "interactions.Interaction": Coverage(
        rows=("party",),
        sections=("interactions",),
        exported=("summary", "outcome", "call_back_phone"),
        erasure=Erasure.REWRITE,
        erased=("summary", "call_back_phone"),
    ),
    "mail.InboundMessage": Coverage(
        rows=("interaction__party",),
        sections=(),
        exported=(),
        erasure=Erasure.DELETE,
        not_exported="an email as it was received, kept to read it again: its text is the "
        "contact's summary and its files the contact's documents, which the export hands over",
    ),
    "interactions.InteractionAttachment": Coverage(
        rows=("interaction__party",),
        sections=("documents",),
        exported=(
            "file",
            "file_name",
            "content_type",
            "sha256",
            "description",
            "uploaded_by_label",
        ),
        erasure=Erasure.DELETE,
    ),
    "cases.LifeEventRequest": Coverage(
        rows=("party",),
        sections=("life_event_requests",),
        exported=("requested_by_label", "description"),
        erasure=Erasure.REWRITE,
        erased=("description",),
        kept={"requested_by_label": STAFF_LABEL},
    ),
    "cases.Case": Coverage(
        rows=("party",),
        sections=("cases",),
        exported=(
            "reference",
            "description",
            "form_data",
            "location_text",
            "district",
            "satisfaction_comment",
        ),
        erasure=Erasure.REWRITE,
        erased=("description", "form_data", "location_text", "satisfaction_comment"),
        kept={
            "reference": "the file's number, which the procedure keeps (Ley 39/2015, art. 17); "
            "it names no one",
            "district": "statistics by district; a district names no one",
        },
    ),
    "cases.CaseEvent": Coverage(
        rows=("case__party",),
        sections=("case_history",),
        exported=("to_status", "text"),
        erasure=Erasure.REWRITE,
        erased=("text",),
        export_only={"public": True},
        not_personal={
            "action": CODE,
            "from_status": CODE,
            "to_status": CODE,
            "actor_label": STAFF_LABEL,
        },
        not_exported="internal notes and hand-overs between staff: auxiliary notes are not part "
        "of the file (Ley 39/2015, art. 70.4); erasure removes their text too",
    ),
    "cases.CaseSeen": Coverage(
        rows=("case__party",),
        sections=(),
        exported=(),
        erasure=Erasure.KEEP,
        not_exported="when a member of staff last opened the case: staff bookkeeping that says "
        "nothing about the person",
    ),
    "cases.CaseTask": Coverage(
        rows=("case__party",),
        sections=("case_tasks",),
        exported=("title",),
        erasure=Erasure.REWRITE,
        erased=("title", "description", "result"),
        not_personal={"created_by_label": STAFF_LABEL},
    ),
    # The classifier's log of a suggestion on the case: no text of the person, only a keyed
    # digest and the length; kept for the model's accuracy in production.
    "risk.CaseRisk": Coverage(
        rows=("case__party",),
        sections=(),
        exported=(),
        erasure=Erasure.KEEP,
        not_exported="the office's own estimate of its pace on a case, from the case's service, "
        "department, channel and dates, replaced every night: nothing about the person",
    ),
    "classifier.ModelDecision": Coverage(
        rows=("case__party",),
        sections=(),
        exported=(),
        erasure=Erasure.KEEP,
        not_personal={
            "model_version": CODE,
            "door": CODE,
            "input_digest": "a keyed digest of the request's text: the same text is recognised, "
            "no text can be read back from it",
            "suggested_service": CODE,
            "outcome": CODE,
            "final_service": CODE,
            "settled_by": STAFF_LABEL,
        },
        not_exported="the model's suggestion of a service and what staff did with it: staff "
        "bookkeeping on the case, holding nothing the person wrote",
    ),
    # When and where the person had an appointment: the record of the office's service, like a
    # contact; the identity it pointed at is erased with the party's row.
    "appointments.Appointment": Coverage(
        rows=("party",),
        sections=("appointments",),
        exported=("reference",),
        erasure=Erasure.KEEP,
        not_personal={"reference": "a random code the office gave the appointment"},
    ),
    # The answers to "how did we do?" on every door: the score stays for the statistics of the
    # service, the person's own words go.
    "interactions.SatisfactionAnswer": Coverage(
        rows=("party",),
        sections=("satisfaction_answers",),
        exported=("about", "comment"),
        erasure=Erasure.REWRITE,
        # The link's code goes too: an erased person's old message no longer opens anything.
        erased=("comment", "code"),
        not_personal={
            "about": "what was asked about: an appointment's or case's reference, or the door, "
            "time and service code of a call",
        },
    ),
    "notifications.Notification": Coverage(
        rows=("party",),
        sections=("notifications",),
        exported=("recipient", "subject", "body"),
        # Messages never delivered go (and so are never sent); a delivered one keeps when, what
        # kind and by which medium, as the record of the administration having written.
        erasure=Erasure.REWRITE,
        erased=("recipient", "subject", "body", "last_error"),
        not_personal={
            "language": "the language code the message was written in",
            "headers": "the list's unsubscribe address and how to use it: a signed code, no "
            "data about the person",
        },
    ),
    # A signed-in citizen's subscriptions to notices (those made without signing in hold only an
    # address, which is no party's record).
    "notices.Subscription": Coverage(
        rows=("party",),
        sections=("notice_subscriptions",),
        exported=("email",),
        erasure=Erasure.DELETE,
        not_personal={"language": "a language code", "district": "a district of the town"},
    ),
    # Answers to identified surveys (anonymous ones hold no party). Erasure takes them away:
    # free text may name the person, and the results lose one response.
    "surveys.Response": Coverage(
        rows=("party",),
        sections=("survey_answers",),
        exported=(),
        erasure=Erasure.DELETE,
    ),
    "surveys.Answer": Coverage(
        rows=("response__party",),
        sections=("survey_answers",),
        exported=("value",),
        erasure=Erasure.DELETE,
    ),
    # Comments in debates (and on proposals): erasure blanks the text and keeps the row, so the
    # replies of others keep their place in the thread; the author's name goes with the party's.
    "debates.Comment": Coverage(
        rows=("author",),
        sections=("comments",),
        exported=("body", "subject_title", "hidden_reason"),
        erasure=Erasure.REWRITE,
        erased=("body",),
        kept={
            "subject_title": "the title of the debate or proposal commented on, public already",
            "hidden_reason": "the moderator's stated reason for hiding the comment, the record "
            "of a public decision; it stays shown in the thread in place of the erased text",
        },
        not_personal={"subject": "a key naming what was commented on", "hidden_by": STAFF_LABEL},
    ),
    "debates.Appeal": Coverage(
        rows=("comment__author",),
        sections=("comments",),
        exported=("text", "decision_note"),
        erasure=Erasure.DELETE,
    ),
    # A report is a note to the moderators: it goes with the person who made it.
    "debates.Report": Coverage(
        rows=("reporter",),
        sections=("comment_reports",),
        exported=("text",),
        erasure=Erasure.DELETE,
    ),
    # Complaints turned into participation: the loop names the cases it was opened on, no data
    # of their people; the cases and the messages sent are the person's, handed over with theirs.
    "loops.Loop": Coverage(
        rows=("cases__party",),
        sections=(),
        exported=(),
        erasure=Erasure.KEEP,
        not_exported="which complaints a consultation, proposal or budget project took up: a "
        "service, a district, days and counts; the person's cases and the messages they were "
        "sent are in the export with the rest",
        not_personal={
            "district": "a district of the town",
            "opened_by_label": STAFF_LABEL,
            "outcome_es": "the administration's decision, told to everyone who complained",
            "outcome_en": "the same decision in English",
        },
    ),
    # Projects a resident proposed to a participatory budget: once put to a public vote they are
    # the budget's; erasure unlinks the proposer and leaves the project.
    "budgets.Project": Coverage(
        rows=("proposed_by",),
        sections=("budget_proposals",),
        exported=("title", "description"),
        erasure=Erasure.DETACH,
        kept={
            "title": "a project of a participatory budget, published, supported and voted: the "
            "results are read against it",
            "description": "the same project's published description",
        },
        not_personal={
            "review_reason": "staff's technical review of the project",
            "execution_note": "staff's note to the public on how the project is carried out",
        },
    ),
    # Supports go on erasure (the project keeps its count, which names no one). The secret vote
    # holds no party at all (budgets.Ballot), only a keyed hash that it took place.
    "budgets.ProjectSupport": Coverage(
        rows=("party",),
        sections=("budget_supports",),
        exported=(),
        erasure=Erasure.DELETE,
    ),
    # A citizen proposal is a public text others supported and the administration answered: on
    # erasure it stays, no longer anyone's. Supports are the person's acts: they go; the count
    # the proposal reached stays, as the threshold it obliged was reached.
    "proposals.Proposal": Coverage(
        rows=("author",),
        sections=("proposals",),
        exported=("title", "summary", "body", "district", "withdrawal_reason"),
        erasure=Erasure.DETACH,
        kept={
            "title": "a proposal published to everyone, which others supported and the "
            "administration answered: its text is a public record of the participation",
            "summary": "the proposal's public text (see the title)",
            "body": "the proposal's public text (see the title)",
            "withdrawal_reason": "what the author told the supporters on withdrawing it, "
            "already sent to them: part of the public record of the proposal (see the title)",
        },
        not_personal={
            "district": "a district of the town",
            "answer": "the administration's official answer, not the person's words",
            "answered_by_label": STAFF_LABEL,
        },
    ),
    "proposals.Support": Coverage(
        rows=("party",),
        sections=("proposal_supports",),
        exported=(),
        erasure=Erasure.DELETE,
    ),
    "proposals.ProposalEvidence": Coverage(
        rows=("proposal__author",),
        sections=(),
        exported=(),
        erasure=Erasure.KEEP,
        not_exported="which cases staff cite as showing a proposal's problem: a service and a "
        "district, no data about the author",
        not_personal={"district": "a district of the town", "cited_by_label": STAFF_LABEL},
    ),
    "notices.NoticeDelivery": Coverage(
        rows=("subscription__party",),
        sections=(),
        exported=(),
        erasure=Erasure.DELETE,
        not_exported="which notice went to which subscription: the messages themselves are "
        "handed over with the others sent to the person",
    ),
    # Copies of changes for other systems: erasure deletes them, so none not yet delivered goes
    # out with the person's name after they were erased.
    "interactions.ContactKey": Coverage(
        rows=("interaction__party",),
        sections=(),
        exported=(),
        erasure=Erasure.KEEP,
        not_exported="another system's own key of a contact, which is in the contacts section",
        not_personal={"external_id": "the sending system's key of the contact, not of the person"},
    ),
    "cases.CaseKey": Coverage(
        rows=("case__party",),
        sections=(),
        exported=(),
        erasure=Erasure.KEEP,
        not_exported="another system's own key of a case, which is in the cases section",
        not_personal={"external_id": "the sending system's key of the case, not of the person"},
    ),
    "events.Event": Coverage(
        rows=("party",),
        sections=(),
        exported=(),
        erasure=Erasure.DELETE,
        not_exported="copies of changes kept until other systems receive them: the cases, "
        "contacts and profile they describe are in their own sections",
        not_personal={
            "type": CODE,
            "topic": CODE,
            "subject": "a case's reference or the id of a record",
            "order_key": "the id of the case or party whose events keep their order",
        },
    ),
    "events.Delivery": Coverage(
        rows=("event__party",),
        sections=(),
        exported=(),
        erasure=Erasure.DELETE,
        not_exported="when an event was handed to another system: the record of sending, "
        "deleted with the event",
        not_personal={
            "order_key": "the id of the case or party whose events keep their order",
            "last_error": "the receiving system's answer to a failed try",
        },
    ),
    "consent.Consent": Coverage(
        rows=("party",),
        sections=("consents",),
        exported=(
            "purpose",
            "data_categories",
            "recorded_by_label",
            "evidence_file",
            "evidence_name",
            "withdrawn_by_label",
            "withdrawal_evidence",
        ),
        # Consents still given are withdrawn.
        erasure=Erasure.REWRITE,
        erased=("evidence_file", "evidence_name", "withdrawal_evidence"),
        kept={
            "purpose": "what was consented to: the administration must be able to show its "
            "processing was lawful while the consent lasted (GDPR art. 7.1)",
            "data_categories": "what was consented to (GDPR art. 7.1)",
            "recorded_by_label": STAFF_LABEL,
            "withdrawn_by_label": STAFF_LABEL,
        },
        not_personal={
            "evidence_content_type": "the kind of file of the signed form",
            "evidence_sha256": "the digest of the signed form, kept as proof one was signed",
        },
    ),
    "sharing.SharingRequest": Coverage(
        rows=("party",),
        sections=("sharing_requests",),
        exported=(
            "purpose",
            "data_categories",
            "legal_reference",
            "refusal",
            "requested_by_label",
        ),
        erasure=Erasure.KEEP,
        kept=dict.fromkeys(
            ("purpose", "data_categories", "legal_reference", "refusal", "requested_by_label"),
            "the record of one agency handing the person's data to another, kept to account for "
            "it (GDPR arts. 5.2 and 30); its texts are the agencies' statements",
        ),
    ),
    "merging.MergeRecord": Coverage(
        rows=("survivor", "merged"),
        sections=(),
        exported=(),
        erasure=Erasure.REWRITE,
        erased=("reason",),
        not_personal={
            "merged_by_label": STAFF_LABEL,
            "unmerged_by_label": STAFF_LABEL,
            "moved": "the ids of the rows a merge moved, kept to undo it exactly",
            "changed": "the flags a merge changed (a preferred contact), kept to undo it",
        },
        not_exported="staff's bookkeeping of joining two records of the person: the records "
        "merged are in the export, and the merge is in the disclosure log",
    ),
}

# Rows that name a person by id only, without a foreign key, and why erasure keeps them.
NAMED_BY_ID: dict[str, str] = {
    "audit.AuditEntry": "the log of who read and changed the person's data cannot be changed "
    "(a hash chain, append-only) and must account for the processing (GDPR art. 5.2); it names "
    "the person by id, and its purposes and details are what staff typed. The export hands it "
    "over as the disclosure log and the person's own activity",
}
