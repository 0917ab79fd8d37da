"""Administrators edit the retention rules; runs are read-only, with their progress.

Neither holds personal data (a run reports counts per category), so the lists are not readings;
a change of a rule decides when people's data is removed, so rules are saved and deleted through
the retention services, which check the change and record it in the audit log with its new
values."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ventanilla.access.actors import actor_for_user
from ventanilla.access.admin_site import ServiceAdmin
from ventanilla.access.models import Scope
from ventanilla.retention.models import RetentionRule, RetentionRun
from ventanilla.retention.services import retention_rule_delete, retention_rule_save


@admin.register(RetentionRule)
class RetentionRuleAdmin(ServiceAdmin):
    audit_reads = False
    scope = Scope.RETENTION_MANAGE
    list_display = ["category", "keep_days", "enabled", "legal_reference", "changed_at"]
    list_editable = ["keep_days", "enabled"]

    # The base model's timestamps have no translated names; these columns do.
    @admin.display(description=_("changed at"), ordering="updated_at")
    def changed_at(self, rule: RetentionRule) -> Any:
        return rule.updated_at

    def save_model(self, request: HttpRequest, obj: RetentionRule, form: Any, change: bool) -> None:
        retention_rule_save(actor=actor_for_user(request.user), rule=obj)

    def delete_model(self, request: HttpRequest, obj: RetentionRule) -> None:
        retention_rule_delete(actor=actor_for_user(request.user), rule_id=obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[RetentionRule]) -> None:
        actor = actor_for_user(request.user)
        for rule in queryset:
            retention_rule_delete(actor=actor, rule_id=rule.pk)


@admin.register(RetentionRun)
class RetentionRunAdmin(admin.ModelAdmin[RetentionRun]):
    audit_reads = False
    list_display = ["started_at", "dry_run", "status", "progress_shown", "rows_due", "rows_done"]
    list_filter = ["status", "dry_run"]
    readonly_fields = [
        f.name
        for f in RetentionRun._meta.fields
        if f.name not in ("id", "created_at", "updated_at")
    ]

    @admin.display(description=_("progress"))
    def progress_shown(self, run: RetentionRun) -> str:
        return f"{run.progress} %"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
