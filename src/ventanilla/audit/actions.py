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
    CASE_READ = "case.read", _("Read a case")
    CASE_LIST = "case.list", _("Listed cases")
    CASE_CREATE = "case.create", _("Opened a case")
    CASE_UPDATE = "case.update", _("Changed a case (status, note, assignment, transfer, task)")
    CASE_NOTIFY = "case.notify", _("Sent a message to the citizen about a case")
    CONSENT_RECORD = "consent.record", _("Recorded a consent")
    CONSENT_WITHDRAW = "consent.withdraw", _("Withdrew a consent")
    PARTY_EXPORT = "party.export", _("Exported everything held on a party")
    PARTY_ERASE = "party.erase", _("Erased a party's identity")
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
    ADMIN_LIST = "admin.list", _("Listed records in the administration site")
    ADMIN_READ = "admin.read", _("Opened a record in the administration site")
    ADMIN_CHANGE = "admin.change", _("Added or changed a record in the administration site")
    ADMIN_DELETE = "admin.delete", _("Deleted a record in the administration site")
    PORTAL_LINK_SENT = "portal.link_sent", _("A sign-in link was emailed to the person")
    PORTAL_LINK_USED = "portal.link_used", _("The person signed in to the portal with a link")
    PORTAL_LINK_REFUSED = "portal.link_refused", _("A used or expired sign-in link was tried")
    STAFF_SIGN_IN = "staff.sign_in", _("A member of staff signed in with their password")
    STAFF_SIGN_IN_FAILED = "staff.sign_in_failed", _("A staff sign-in was refused")
    STAFF_LOCKED_OUT = "staff.locked_out", _("Staff sign-in was locked after wrong passwords")
    STAFF_SIGN_OUT = "staff.sign_out", _("A member of staff signed out")
