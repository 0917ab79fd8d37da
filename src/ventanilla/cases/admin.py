"""Administrators edit the routing rules and the citizens' messages here, and look at the outbox.

Cases, their events and tasks are not in the admin: they hold the citizen's request in their own
words, form data and places, and are read and moved through the console and the API, whose
selectors scope and audit every read and whose services keep the lifecycle; a case that went to the
wrong department is transferred there, with a reason. Routing rules and message templates hold no
personal data but decide where requests go and what people are told, so every change of them is
recorded in the audit log with its new values (``ventanilla.audit.admin``). Notifications carry a
recipient and a text about one person: the list shows neither, each one opened is recorded as a
reading in that person's disclosure log, and none is changed or deleted here (a message is never
lost; the outbox is the worker's).
"""

from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ventanilla.cases.models import Notification, NotificationTemplate, RoutingRule


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin[RoutingRule]):
    """Rules are tried from the lowest position up; the first that matches places the case."""

    audit_reads = False

    list_display = [
        "position",
        "name",
        "active",
        "service",
        "district",
        "channel",
        "keywords",
        "party_condition",
        "department",
        "priority",
        "cases_routed",
    ]
    list_display_links = ["name"]
    list_editable = ["position", "active"]
    list_filter = ["active", "department"]
    list_select_related = ["service", "channel", "department"]
    search_fields = ["name", "keywords", "district"]
    ordering = ["position", "name"]

    @admin.display(description=_("cases routed"))
    def cases_routed(self, rule: RoutingRule) -> int:
        return rule.cases.count()


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin[NotificationTemplate]):
    audit_reads = False
    list_display = ["event", "language", "medium", "subject", "active"]
    list_filter = ["event", "language", "medium", "active"]
    list_editable = ["active"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ["created_at", "event", "medium", "status", "attempts", "sent_at"]
    list_filter = ["status", "medium", "event"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
