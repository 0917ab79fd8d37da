"""Interactions are read here for support; they are recorded through the console, channels and
API, which validate them, so the admin does not add or change them."""

from typing import Any

from django.contrib import admin

from ventanilla.interactions.models import Interaction


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin[Interaction]):
    list_display = ["occurred_at", "channel", "agency", "kind", "relationship", "direction"]
    list_filter = ["channel", "kind", "relationship", "direction"]
    list_select_related = ["channel", "agency"]
    raw_id_fields = ["party", "case", "agent", "service"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
