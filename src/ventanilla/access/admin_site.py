"""The admin site behind the same sign-in as the console: password, then the second factor
for the accounts that need one. It has no sign-in form of its own. And the base of the admins
whose changes go through services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from ventanilla.access.actors import actor_for_user


class StaffAdminSite(AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        if not super().has_permission(request):
            return False
        return not actor_for_user(request.user).second_factor_pending

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        """Send people to the staff sign-in (and its code page) rather than a second form."""
        next_url = request.GET.get("next") or reverse("admin:index")
        if not request.user.is_authenticated:
            return redirect_to_login(next_url, login_url=reverse("accounts:login"))
        if actor_for_user(request.user).second_factor_pending:
            return redirect_to_login(next_url, login_url=reverse("accounts:second-factor"))
        raise PermissionDenied(_("Your account may not use the administration site."))


class ServiceAdmin(admin.ModelAdmin[Any]):
    """An admin whose saves and deletions are made by the model's services, as the console's
    are: it offers adding, changing and deleting only to who holds ``scope``, the scope those
    services require, and leaves recording the change to them."""

    scope: str
    changes_recorded_by_services = True

    def _may(self, request: HttpRequest) -> bool:
        return actor_for_user(request.user).can(self.scope)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and self._may(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self._may(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self._may(request)
