"""Cases are opened and moved through their services; the admin shows them, read-only, with
their chain of events. Administrators edit the routing rules and the citizens' messages here."""

from typing import Any

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ventanilla.cases.models import (
    Case,
    CaseEvent,
    Notification,
    NotificationTemplate,
    RoutingRule,
)


class CaseEventInline(admin.TabularInline[CaseEvent, Case]):
    model = CaseEvent
    fields = ("occurred_at", "kind", "action", "from_status", "to_status", "actor_label", "text")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["occurred_at"]

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin[Case]):
    list_display = ["reference", "service", "status", "priority", "department", "due_date"]
    list_filter = ["status", "priority", "triage", "department"]
    list_select_related = ["service", "department"]
    search_fields = ["reference"]
    raw_id_fields = ["party", "assignee", "duplicate_of", "life_event_request"]
    show_full_result_count = False
    inlines = [CaseEventInline]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin[RoutingRule]):
    """Rules are tried from the lowest position up; the first that matches places the case."""

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
    list_display = ["event", "language", "medium", "subject", "active"]
    list_filter = ["event", "language", "medium", "active"]
    list_editable = ["active"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ["created_at", "event", "medium", "status", "attempts", "sent_at"]
    list_filter = ["status", "medium", "event"]
    raw_id_fields = ["party", "case"]
    readonly_fields = [f.name for f in Notification._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request: Any) -> bool:
        return False
