"""The one registry of audited actions: every audit row names one of these."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    PARTY_SEARCH = "party.search", _("Searched parties")
    PARTY_READ = "party.read", _("Read a party")
    PARTY_READ_SENSITIVE = "party.read_sensitive", _("Read a party's sensitive data")
    PARTY_VIEW_360 = "party.view_360", _("Opened the 360° view")
    PARTY_CREATE = "party.create", _("Registered a party")
    PARTY_UPDATE = "party.update", _("Changed a party")
    INTERACTION_LIST = "interaction.list", _("Read a party's interactions")
    INTERACTION_CREATE = "interaction.create", _("Recorded an interaction")
    CALL_BACK_LIST = "call_back.list", _("Listed the calls waiting to be returned")
    MAIL_LIST = "mail.list", _("Listed the emails waiting for a person")
    MAIL_READ = "mail.read", _("Opened an email as it was received")
    MAIL_DEALT_WITH = "mail.dealt_with", _("Marked an email as dealt with")
    CASE_READ = "case.read", _("Read a case")
    CASE_LIST = "case.list", _("Listed cases")
    CASE_CREATE = "case.create", _("Opened a case")
    CASE_UPDATE = "case.update", _("Changed a case (status, note, assignment, transfer, task)")
    CASE_NOTIFY = "case.notify", _("Sent a message to the citizen about a case")
    CONSENT_RECORD = "consent.record", _("Recorded a consent")
    CONSENT_WITHDRAW = "consent.withdraw", _("Withdrew a consent")
    PARTY_EXPORT = "party.export", _("Exported everything held on a party")
    PARTY_ERASE = "party.erase", _("Erased a party's identity")
    PARTY_MERGE = "party.merge", _("Joined two records of the same person into one")
    PARTY_UNMERGE = "party.unmerge", _("Undid the joining of two records into one")
    SOURCE_TRUST_SET = (
        "source_trust.set",
        _("Set the order in which agencies' registers are trusted"),
    )
    SHARING_REQUEST = "sharing.request", _("Asked another agency for a party's data")
    SHARING_ANSWER = "sharing.answer", _("Answered a data-sharing request")
    RETENTION_APPLY = "retention.apply", _("Applied a retention rule")
    PARTY_SELF_VIEW = "party.self_view", _("The person looked at their own data")
    PARTY_DISCLOSURES = "party.disclosures", _("The person read who has used their data")
    ATTACHMENT_ADD = "attachment.add", _("Attached a document")
    ATTACHMENT_READ = "attachment.read", _("Opened a document")
    AUDIT_READ = "audit.read", _("Read the audit log")
    ACCESS_DENIED = "access.denied", _("Was refused access")
    NOTIFICATION_LIST = "notification.list", _("Listed the messages not delivered to citizens")
    NOTIFICATION_RESEND = "notification.resend", _("Sent a message to a citizen again")
    MESSAGE_TEMPLATE_CHANGE = "message_template.change", _("Added or changed a message template")
    MESSAGE_TEMPLATE_DELETE = "message_template.delete", _("Deleted a message template")
    ROUTING_RULE_CHANGE = "routing_rule.change", _("Added or changed a routing rule")
    ROUTING_RULE_DELETE = "routing_rule.delete", _("Deleted a routing rule")
    RETENTION_RULE_CHANGE = "retention_rule.change", _("Added or changed a retention rule")
    RETENTION_RULE_DELETE = "retention_rule.delete", _("Deleted a retention rule")
    STAFF_SIGN_IN = "staff.sign_in", _("A member of staff signed in with their password")
    STAFF_SIGN_IN_FAILED = "staff.sign_in_failed", _("A staff sign-in was refused")
    STAFF_LOCKED_OUT = "staff.locked_out", _("Staff sign-in was locked after wrong passwords")
    STAFF_SIGN_OUT = "staff.sign_out", _("A member of staff signed out")
    SECOND_FACTOR_VERIFIED = "second_factor.verified", _("Confirmed a sign-in with a code")
    SECOND_FACTOR_FAILED = "second_factor.failed", _("Gave a wrong second-factor code")
    SECOND_FACTOR_ENROLLED = "second_factor.enrolled", _("Set up an authenticator app")
    SECOND_FACTOR_RECOVERY_ISSUED = "second_factor.recovery_issued", _("Got new recovery codes")
    SECOND_FACTOR_RECOVERY_USED = "second_factor.recovery_used", _("Used a recovery code")
    PORTAL_LINK_SENT = "portal.link_sent", _("A sign-in link was emailed to the person")
    PORTAL_LINK_USED = "portal.link_used", _("The person signed in to the portal with a link")
    PORTAL_LINK_REFUSED = "portal.link_refused", _("A used or expired sign-in link was tried")
    PORTAL_EID_USED = "portal.eid_used", _("The person signed in to the portal with their eID")
    API_KEY_CREATE = "api_key.create", _("Gave an application an API key")
    API_KEY_REVOKE = "api_key.revoke", _("Revoked an application's API key")
    EVENTS_SUBSCRIBE = "events.subscribe", _("Subscribed another system's webhook to events")
    EVENTS_UNSUBSCRIBE = "events.unsubscribe", _("Ended a webhook's subscription to events")
    EVENTS_RESEND = "events.resend", _("Sent a webhook again what it had been given up on")
    EVENTS_CHANGE = "events.change", _("Changed a webhook's address, topics or secret")
    ADMIN_LIST = "admin.list", _("Listed records in the administration site")
    ADMIN_READ = "admin.read", _("Opened a record in the administration site")
    ADMIN_CHANGE = "admin.change", _("Added or changed a record in the administration site")
    ADMIN_DELETE = "admin.delete", _("Deleted a record in the administration site")
    IDENTITY_IMPORT = "identity.import", _("Imported an agency's registry of people")
    IDENTITY_EXPORT = "identity.export", _("Exported which person each agency's record belongs to")
    IDENTITY_MATCH = "identity.match", _("Matched other agencies' records to parties")
    IDENTITY_REVIEW_LIST = "identity.review_list", _("Listed likely matches waiting for review")
    IDENTITY_REVIEW_READ = "identity.review_read", _("Opened a likely match to review")
    IDENTITY_REVIEW = "identity.review", _("Decided whether two records are the same person")
    APPOINTMENT_LIST = "appointment.list", _("Read an office's appointments of a day")
    APPOINTMENT_CHANGE = (
        "appointment.change",
        _("Booked, moved, cancelled, called or closed an appointment"),
    )
    NOTICE_CHANGE = "notice.change", _("Wrote, changed or published a notice")
    SUBSCRIPTION_CHANGE = (
        "subscription.change",
        _("Subscribed an address to notices, confirmed or cancelled it"),
    )
    SURVEY_CHANGE = "survey.change", _("Loaded or changed a survey")
    SURVEY_ANSWERS_READ = "survey.answers_read", _("Read the free-text answers to a survey")
    LOOP_CHANGE = (
        "loop.change",
        _("Asked the people who complained to take part, or told them the outcome"),
    )
    DEBATE_CHANGE = "debate.change", _("Opened or changed a debate")
    COMMENT_MODERATE = (
        "comment.moderate",
        _("Hid a comment, or decided an appeal against hiding it"),
    )
    BUDGET_CHANGE = "budget.change", _("Moved a participatory budget on or reviewed its projects")
    PROPOSAL_ANSWER = "proposal.answer", _("Gave the official answer to a citizen proposal")
    PROPOSAL_EVIDENCE = "proposal.evidence", _("Cited the cases that show a proposal's problem")
    PROPOSAL_WITHDRAW = "proposal.withdraw", _("Withdrew one's own citizen proposal")
