"""Staff accounts, their roles and the keys of integrating systems.

Memberships and API keys hold no citizen's data but decide who may read it, so their lists are not
readings while every change of them is recorded in the audit log, with the new values and never a
key's digest. Staff accounts (names, email addresses), second-factor devices and sign-in attempts
(addresses, user agents) are personal data of staff: each list and page of them is recorded as a
reading too. Every model admin records it (``ventanilla.access.admin_audit``);
this module only says which models hold personal data.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import router, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from ventanilla.access.models import ApiKey, Membership

User = get_user_model()


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    audit_reads = False
    list_display = ["user", "agency", "role"]
    list_filter = ["role", "agency"]
    autocomplete_fields = ["agency"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin[ApiKey]):
    """Keys are created with `ventanilla apikey create`, which shows the secret once; here they
    can be looked at and revoked, never read back."""

    audit_reads = False
    list_display = ["prefix", "name", "agency", "rate_per_minute", "revoked_at", "last_used_at"]
    readonly_fields = ["prefix", "key_hash", "last_used_at", "given_at"]
    exclude = ["key_hash"]

    # The base model's timestamps have no translated names; this field does.
    @admin.display(description=_("given at"))
    def given_at(self, key: ApiKey) -> Any:
        return key.created_at

    def has_add_permission(self, request: object) -> bool:
        return False


admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):  # type: ignore[type-arg]
    """Django's user admin, with a password set by an administrator saved in one transaction
    with its audit entry (Django saves it outside one)."""

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().user_change_password(request, id, form_url)
