"""Cases are opened and moved through their services; the admin shows them, read-only."""

from typing import Any

from django.contrib import admin

from ventanilla.cases.models import Case


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin[Case]):
    list_display = ["reference", "service", "status", "priority", "department", "due_date"]
    list_filter = ["status", "priority", "department"]
    list_select_related = ["service", "department"]
    search_fields = ["reference"]
    raw_id_fields = ["party", "assignee"]
    show_full_result_count = False

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
