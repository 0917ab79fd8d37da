"""Administrators edit the retention rules; runs are read-only, with their progress.

Neither holds personal data (a run reports counts per category), so the lists are not readings;
a change of a rule decides when people's data is removed, so every change is recorded in the audit
log with its new values (``ventanilla.audit.admin``)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ventanilla.retention.models import RetentionRule, RetentionRun


@admin.register(RetentionRule)
class RetentionRuleAdmin(admin.ModelAdmin[RetentionRule]):
    audit_reads = False
    list_display = ["category", "keep_days", "enabled", "legal_reference", "updated_at"]
    list_editable = ["keep_days", "enabled"]


@admin.register(RetentionRun)
class RetentionRunAdmin(admin.ModelAdmin[RetentionRun]):
    audit_reads = False
    list_display = ["started_at", "dry_run", "status", "progress_shown", "rows_due", "rows_done"]
    list_filter = ["status", "dry_run"]
    readonly_fields = [f.name for f in RetentionRun._meta.fields]

    @admin.display(description=_("progress"))
    def progress_shown(self, run: RetentionRun) -> str:
        return f"{run.progress} %"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
