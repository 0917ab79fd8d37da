"""The citizens' message templates and the outbox in the admin. Templates are saved and deleted
through their services (checked and audited); notifications carry a recipient and a text about
one person: the list shows neither, each one opened is recorded as a reading in that person's
disclosure log, and none is changed or deleted here (a message is never lost; the outbox is the
worker's)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from ventanilla.access.actors import actor_for_user
from ventanilla.access.admin_site import ServiceAdmin
from ventanilla.access.models import Scope
from ventanilla.notifications.models import Notification, NotificationTemplate
from ventanilla.notifications.templates import (
    template_create,
    template_delete,
    template_errors,
    template_update,
)


class NotificationTemplateForm(forms.ModelForm[NotificationTemplate]):
    """Shows the services' objections (an unknown placeholder, an SMS too long) next to the field
    before anything is saved."""

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if "body" in cleaned and "subject" in cleaned:
            medium = cleaned.get("medium") or self.instance.medium
            problems = template_errors(
                medium, (cleaned["subject"] or "").strip(), (cleaned["body"] or "").strip()
            )
            for field, message in problems.items():
                self.add_error(field, message)
        return cleaned


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(ServiceAdmin):
    """A message's moment, language and medium are chosen when it is added; then its words and
    whether it is sent change, as on the console's page."""

    audit_reads = False
    scope = Scope.CATALOG_MANAGE
    form = NotificationTemplateForm
    list_display = ["event", "language", "medium", "subject", "active"]
    list_filter = ["event", "language", "medium", "active"]
    list_editable = ["active"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: NotificationTemplate | None = None
    ) -> list[str]:
        return ["event", "language", "medium"] if obj is not None else []

    def save_model(
        self, request: HttpRequest, obj: NotificationTemplate, form: Any, change: bool
    ) -> None:
        actor = actor_for_user(request.user)
        if change:
            template_update(
                actor=actor,
                template_id=obj.pk,
                subject=obj.subject,
                body=obj.body,
                active=obj.active,
            )
            return
        created = template_create(
            actor=actor,
            event=obj.event,
            language=obj.language,
            medium=obj.medium,
            subject=obj.subject,
            body=obj.body,
            active=obj.active,
        )
        # The admin goes on with the object it built (its history, the page it shows next).
        obj.pk, obj.created_at, obj.updated_at = created.pk, created.created_at, created.updated_at
        obj._state.adding, obj._state.db = False, created._state.db

    def delete_model(self, request: HttpRequest, obj: NotificationTemplate) -> None:
        template_delete(actor=actor_for_user(request.user), template_id=obj.pk)

    def delete_queryset(
        self, request: HttpRequest, queryset: QuerySet[NotificationTemplate]
    ) -> None:
        actor = actor_for_user(request.user)
        for template in queryset:
            template_delete(actor=actor, template_id=template.pk)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ["written_at", "event", "medium", "status", "attempts", "sent_at"]
    list_filter = ["status", "medium", "event"]
    readonly_fields = [
        "written_at",
        *(
            f.name
            for f in Notification._meta.fields
            if f.name not in ("id", "created_at", "updated_at")
        ),
    ]
    show_full_result_count = False

    # The base model's timestamps have no translated names; this column does.
    @admin.display(description=_("written at"), ordering="created_at")
    def written_at(self, notification: Notification) -> Any:
        return notification.created_at

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
