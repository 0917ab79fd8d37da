"""Budgets are created here by staff who run participation: the title, year, description and
whether only registered residents take part. Everything after (the phase, district money,
reviews, execution) goes through the services from the console, so it is audited and checked
in one place; here those are only shown. Ballots and voters are never shown."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ventanilla.access.actors import actor_for_user
from ventanilla.access.models import Scope
from ventanilla.budgets.models import Budget
from ventanilla.catalog.models import Agency


def _manages(request: HttpRequest) -> bool:
    return actor_for_user(request.user).can(Scope.PARTICIPATION_MANAGE)


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin[Budget]):
    audit_reads = False
    list_display = ["title_es", "agency", "year", "phase", "residents_only"]
    list_filter = ["agency", "phase", "year"]
    search_fields = ["title_es", "title_en"]
    fields = [
        "agency",
        "year",
        "title_es",
        "title_en",
        "description_es",
        "description_en",
        "residents_only",
        "phase",
    ]
    readonly_fields = ["phase"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _manages(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _manages(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _manages(request)

    def has_change_permission(self, request: HttpRequest, obj: Budget | None = None) -> bool:
        return _manages(request)

    def has_delete_permission(self, request: HttpRequest, obj: Budget | None = None) -> bool:
        return _manages(request) and (obj is None or not obj.projects.exists())

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
