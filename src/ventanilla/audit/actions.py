"""The one registry of audited actions: every audit row names one of these."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    PARTY_SEARCH = "party.search", _("Searched parties")
    PARTY_READ = "party.read", _("Read a party")
    PARTY_VIEW_360 = "party.view_360", _("Opened the 360° view")
    PARTY_CREATE = "party.create", _("Registered a party")
    PARTY_UPDATE = "party.update", _("Changed a party")
    INTERACTION_LIST = "interaction.list", _("Read a party's interactions")
    INTERACTION_CREATE = "interaction.create", _("Recorded an interaction")
    CASE_READ = "case.read", _("Read a case")
    CASE_LIST = "case.list", _("Listed cases")
    CASE_CREATE = "case.create", _("Opened a case")
    CONSENT_RECORD = "consent.record", _("Recorded a consent")
    CONSENT_WITHDRAW = "consent.withdraw", _("Withdrew a consent")
    PARTY_EXPORT = "party.export", _("Exported everything held on a party")
    PARTY_ERASE = "party.erase", _("Erased a party's identity")
    AUDIT_READ = "audit.read", _("Read the audit log")
    ACCESS_DENIED = "access.denied", _("Was refused access")
