"""The admin is a door like the console and the API: every change made through it, and every
page of it that shows personal data, leaves an audit entry, in the same transaction as the change.

``AuditedAdmin`` does the recording. The admin site puts it under every model admin once all are
registered (``audit_every_admin``, called by ``access.admin_config.StaffAdminConfig.ready``),
whichever app registered them, Django's own and third parties' included, so no admin page escapes
it by being forgotten. An admin whose model holds no personal data says so with
``audit_reads = False``: its changes are still recorded, its lists and pages are not. An admin
whose saves and deletions call the model's services (routing rules, message templates, retention
rules) says so with ``changes_recorded_by_services = True``: the service checks the change and
records it, so no second entry is written here. Models whose personal data is read and changed
through the console and the services are not registered in the admin at all (see each app's
``admin.py``).

Admin modules are doors, above every app as the console is; this module imports nothing but the
access layer's actors and the audit log itself.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse

from ventanilla.access.actors import actor_for_user
from ventanilla.audit.actions import Action
from ventanilla.audit.services import audit_record, record_values


class AuditedAdmin(admin.ModelAdmin[Any]):
    """Records, as the acting member of staff, each list and object page shown (unless
    ``audit_reads`` is off), each addition and change (with what changed) and each deletion."""

    # Whether the model holds personal data, so that showing it is a reading to record.
    audit_reads: bool = True
    # Whether saving and deleting go through services that record the change themselves.
    changes_recorded_by_services: bool = False

    def _record(
        self,
        request: HttpRequest,
        action: Action,
        *,
        obj: models.Model | None = None,
        detail: dict[str, Any],
    ) -> None:
        # An object about one person (a message to them) shows in that person's disclosure log.
        party_id = getattr(obj, "party_id", None)
        audit_record(
            actor=actor_for_user(request.user),
            action=action,
            party_id=party_id if isinstance(party_id, UUID) else None,
            object_type=self.opts.label[:40],
            object_id=obj.pk if obj is not None else "",
            detail={"model": self.opts.label, **detail},
        )

    # Reads.

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if self.audit_reads and isinstance(changelist, ChangeList):
            self._record(
                request,
                Action.ADMIN_LIST,
                detail={
                    "query": changelist.query,
                    "filters": {
                        key: value
                        for key, value in changelist.params.items()
                        if key not in {"q", "p", "o"}
                    },
                    "shown": [str(obj.pk) for obj in changelist.result_list],
                },
            )
        return response

    def get_object(
        self, request: HttpRequest, object_id: str, from_field: str | None = None
    ) -> Any:
        """Every page of one object (change, view, delete, history) fetches it here."""
        obj = super().get_object(request, object_id, from_field)
        if self.audit_reads and obj is not None and request.method in ("GET", "HEAD"):
            self._record(request, Action.ADMIN_READ, obj=obj, detail={})
        return obj

    # Changes: Django's admin calls these inside the transaction of every change it makes.

    def _values(self, obj: models.Model) -> dict[str, Any]:
        """What a configuration record holds after a change (never for personal data)."""
        if self.audit_reads:
            return {}
        return record_values(obj)

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        logged = super().log_addition(request, obj, message)
        if self.changes_recorded_by_services:
            return logged
        self._record(
            request,
            Action.ADMIN_CHANGE,
            obj=obj,
            detail={"added": True, "values": self._values(obj)},
        )
        return logged

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        logged = super().log_change(request, obj, message)
        if self.changes_recorded_by_services:
            return logged
        self._record(
            request,
            Action.ADMIN_CHANGE,
            obj=obj,
            detail={"change": message, "values": self._values(obj)},
        )
        return logged

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        """Called just before the deletion, in its transaction (see ``response_action``)."""
        if not self.changes_recorded_by_services:
            for obj in queryset:
                self._record(
                    request, Action.ADMIN_DELETE, obj=obj, detail={"values": self._values(obj)}
                )
        return super().log_deletions(request, queryset)

    def response_action(self, request: HttpRequest, queryset: Any) -> Any:
        # Django runs list actions (the bulk delete among them) outside a transaction; the
        # deletion and its audit entries must commit or fail together.
        with transaction.atomic(using=queryset.db):
            return super().response_action(request, queryset)


def audit_every_admin(site: admin.AdminSite) -> None:
    """Put ``AuditedAdmin`` under every model admin registered on ``site`` that lacks it."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, AuditedAdmin):
            continue
        current = type(model_admin)
        # The admin's own answer to whether its model holds personal data wins over the default.
        audited = type(
            f"Audited{current.__name__}",
            (AuditedAdmin, current),
            {
                "audit_reads": getattr(current, "audit_reads", True),
                "changes_recorded_by_services": getattr(
                    current, "changes_recorded_by_services", False
                ),
            },
        )
        site.unregister(model)
        site.register(model, audited)
