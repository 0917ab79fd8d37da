"""Administrators edit the routing rules and the citizens' messages here, and look at the outbox.

Cases, their events and tasks are not in the admin: they hold the citizen's request in their own
words, form data and places, and are read and moved through the console and the API, whose
selectors scope and audit every read and whose services keep the lifecycle; a case that went to the
wrong department is transferred there, with a reason. Routing rules and message templates hold no
personal data but decide where requests go and what people are told: they are saved and deleted
here through the same services as everywhere else (``routing_rule_save``, ``template_update`` …),
which check the change and record it in the audit log with its new values. Notifications carry a
recipient and a text about one person: the list shows neither, each one opened is recorded as a
reading in that person's disclosure log, and none is changed or deleted here (a message is never
lost; the outbox is the worker's).
"""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ventanilla.access.actors import actor_for_user
from ventanilla.access.admin_site import ServiceAdmin
from ventanilla.access.models import Scope
from ventanilla.cases.message_templates import (
    template_create,
    template_delete,
    template_errors,
    template_update,
)
from ventanilla.cases.models import Notification, NotificationTemplate, RoutingRule
from ventanilla.cases.services import routing_rule_delete, routing_rule_save


@admin.register(RoutingRule)
class RoutingRuleAdmin(ServiceAdmin):
    """Rules are tried from the lowest position up; the first that matches places the case."""

    audit_reads = False
    scope = Scope.ROUTING_MANAGE

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

    def save_model(self, request: HttpRequest, obj: RoutingRule, form: Any, change: bool) -> None:
        routing_rule_save(actor=actor_for_user(request.user), rule=obj)

    def delete_model(self, request: HttpRequest, obj: RoutingRule) -> None:
        routing_rule_delete(actor=actor_for_user(request.user), rule_id=obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[RoutingRule]) -> None:
        actor = actor_for_user(request.user)
        for rule in queryset:
            routing_rule_delete(actor=actor, rule_id=rule.pk)


class NotificationTemplateForm(forms.ModelForm[NotificationTemplate]):
    """Shows the services' objections (an unknown placeholder, an SMS too long) next to the field
    before anything is saved."""

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if "body" in cleaned and "subject" in cleaned:
            medium = cleaned.get("medium") or self.instance.medium
            problems = template_errors(
                medium, (cleaned["subject"] or "").strip(), (cleaned["body"] or "").strip()
            )
            for field, message in problems.items():
                self.add_error(field, message)
        return cleaned


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(ServiceAdmin):
    """A message's moment, language and medium are chosen when it is added; then its words and
    whether it is sent change, as on the console's page."""

    audit_reads = False
    scope = Scope.CATALOG_MANAGE
    form = NotificationTemplateForm
    list_display = ["event", "language", "medium", "subject", "active"]
    list_filter = ["event", "language", "medium", "active"]
    list_editable = ["active"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: NotificationTemplate | None = None
    ) -> list[str]:
        return ["event", "language", "medium"] if obj is not None else []

    def save_model(
        self, request: HttpRequest, obj: NotificationTemplate, form: Any, change: bool
    ) -> None:
        actor = actor_for_user(request.user)
        if change:
            template_update(
                actor=actor,
                template_id=obj.pk,
                subject=obj.subject,
                body=obj.body,
                active=obj.active,
            )
            return
        created = template_create(
            actor=actor,
            event=obj.event,
            language=obj.language,
            medium=obj.medium,
            subject=obj.subject,
            body=obj.body,
            active=obj.active,
        )
        # The admin goes on with the object it built (its history, the page it shows next).
        obj.pk, obj.created_at, obj.updated_at = created.pk, created.created_at, created.updated_at
        obj._state.adding, obj._state.db = False, created._state.db

    def delete_model(self, request: HttpRequest, obj: NotificationTemplate) -> None:
        template_delete(actor=actor_for_user(request.user), template_id=obj.pk)

    def delete_queryset(
        self, request: HttpRequest, queryset: QuerySet[NotificationTemplate]
    ) -> None:
        actor = actor_for_user(request.user)
        for template in queryset:
            template_delete(actor=actor, template_id=template.pk)


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
