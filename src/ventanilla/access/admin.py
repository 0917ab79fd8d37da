from django.contrib import admin

from ventanilla.access.models import ApiKey, Membership


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ["user", "agency", "role"]
    list_filter = ["role", "agency"]
    autocomplete_fields = ["agency"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin[ApiKey]):
    """Keys are created with `ventanilla apikey create`, which shows the secret once; here they
    can be looked at and revoked, never read back."""

    list_display = ["prefix", "name", "agency", "rate_per_minute", "revoked_at", "last_used_at"]
    readonly_fields = ["prefix", "key_hash", "last_used_at", "created_at"]
    exclude = ["key_hash"]

    def has_add_permission(self, request: object) -> bool:
        return False
