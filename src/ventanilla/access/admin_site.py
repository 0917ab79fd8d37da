"""The admin site behind the same sign-in as the console: password, then the second factor
for the accounts that need one. It has no sign-in form of its own."""

from __future__ import annotations

from typing import Any

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
