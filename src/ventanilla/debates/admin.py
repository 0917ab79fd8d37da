"""Debates are opened and amended here by staff who run participation, for their agencies (the
console's form does the same through ``debate_open``). Comments are not edited here: they are
moderated in the console, where hiding takes a stated reason and tells the author."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ventanilla.access.actors import actor_for_user
from ventanilla.access.models import Scope
from ventanilla.catalog.models import Agency
from ventanilla.debates.models import Debate


def _manages(request: HttpRequest) -> bool:
    return actor_for_user(request.user).can(Scope.PARTICIPATION_MANAGE)


@admin.register(Debate)
class DebateAdmin(admin.ModelAdmin[Debate]):
    audit_reads = False
    list_display = ["title", "agency", "district", "opens_at", "closes_at", "residents_only"]
    list_filter = ["agency", "residents_only"]
    search_fields = ["title"]
    date_hierarchy = "opens_at"
    fields = [
        "agency",
        "title",
        "body",
        "district",
        "residents_only",
        ("opens_at", "closes_at"),
        "opened_by_label",
    ]
    readonly_fields = ["opened_by_label"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _manages(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _manages(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _manages(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _manages(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A debate with comments is kept: the comments name it.
        return False

    def get_queryset(self, request: HttpRequest) -> Any:
        actor = actor_for_user(request.user)
        rows = super().get_queryset(request).select_related("agency")
        return rows if actor.sees_everything else rows.filter(agency_id__in=actor.agency_ids)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "agency" and request.user.pk is not None:
            actor = actor_for_user(request.user)
            if not actor.sees_everything:
                kwargs["queryset"] = Agency.objects.filter(pk__in=list(actor.agency_ids))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Debate, form: Any, change: bool) -> None:
        if not change:
            obj.opened_by_label = request.user.get_username()[:150]
        super().save_model(request, obj, form, change)
