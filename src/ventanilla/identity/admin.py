from typing import Any

from django.contrib import admin

from ventanilla.identity.models import SourceRecord


@admin.register(SourceRecord)
class SourceRecordAdmin(admin.ModelAdmin[SourceRecord]):
    list_display = ["agency", "source_key", "family_name_1", "given_name", "party", "match_score"]
    list_filter = ["agency"]
    list_select_related = ["agency", "party"]
    raw_id_fields = ["party"]
    show_full_result_count = False

    def has_add_permission(self, request: Any) -> bool:
        return False
