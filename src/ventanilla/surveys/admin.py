"""Surveys are written here by staff who manage the catalogue: the survey and its questions
inline. A survey's definition holds no personal data, so its pages are not readings; its
responses are not shown here at all (their results are in the console). Once answers have
come, the questions can no longer be changed, so that counts keep meaning what they counted."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from ventanilla.access.actors import actor_for_user
from ventanilla.access.models import Scope
from ventanilla.catalog.models import Agency
from ventanilla.surveys.models import Question, Survey


def _manages(request: HttpRequest) -> bool:
    return actor_for_user(request.user).can(Scope.CATALOG_MANAGE)


class QuestionInline(admin.StackedInline[Question, Survey]):
    model = Question
    fk_name = "survey"
    extra = 1
    fields = [
        ("position", "kind", "required"),
        "text_es",
        "text_en",
        ("options_es", "options_en"),
        "scale_max",
        ("condition_question", "condition_option"),
    ]

    def _answered(self, obj: Survey | None) -> bool:
        return obj is not None and obj.responses.exists()

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _manages(request) and not self._answered(obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _manages(request) and not self._answered(obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _manages(request) and not self._answered(obj)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _manages(request)


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin[Survey]):
    audit_reads = False
    list_display = [
        "title_es",
        "agency",
        "opens_at",
        "closes_at",
        "anonymous",
        "once_per_person",
        "residents_only",
    ]
    list_filter = ["agency", "anonymous"]
    search_fields = ["title_es", "title_en"]
    date_hierarchy = "opens_at"
    readonly_fields = ["created_by_label"]
    inlines = [QuestionInline]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return _manages(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _manages(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return _manages(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _manages(request)

    def has_delete_permission(self, request: HttpRequest, obj: Survey | None = None) -> bool:
        return _manages(request) and (obj is None or not obj.responses.exists())

    def get_queryset(self, request: HttpRequest) -> Any:
        actor = actor_for_user(request.user)
        rows = super().get_queryset(request).select_related("agency")
        return rows if actor.sees_everything else rows.filter(agency_id__in=actor.agency_ids)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "agency" and request.user.pk is not None:
            actor = actor_for_user(request.user)
            if not actor.sees_everything:
                kwargs["queryset"] = Agency.objects.filter(pk__in=list(actor.agency_ids))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Survey, form: Any, change: bool) -> None:
        if not change:
            obj.created_by_label = request.user.get_username()[:150]
        super().save_model(request, obj, form, change)
