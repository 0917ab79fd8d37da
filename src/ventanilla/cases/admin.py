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

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ventanilla.access.actors import actor_for_user
from ventanilla.access.admin_site import ServiceAdmin
from ventanilla.access.models import Scope
from ventanilla.cases.models import RoutingRule
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
