"""The staff console's cases: work queues, the case page with its whole chain, and the forms that
take a case forward. Thin views: reads are selectors (``cases.selectors``, ``cases.queues``),
every write is a service of ``cases.services``; forms post, then redirect (PRG)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from ventanilla.access.actors import Actor
from ventanilla.access.guards import require
from ventanilla.access.models import Scope
from ventanilla.cases import news, queues
from ventanilla.cases.models import (
    OPEN_STATUS_VALUES,
    Case,
    CaseEvent,
    CaseStatus,
    CaseTask,
    Priority,
)
from ventanilla.cases.selectors import (
    assignable_users,
    case_documents,
    case_events,
    case_get,
    case_tasks,
    colleagues_of,
    likely_duplicates,
    staff_steps,
    visible_cases,
)
from ventanilla.cases.services import (
    case_assign,
    case_document_add,
    case_mark_duplicate,
    case_mark_seen,
    case_note_add,
    case_transfer,
    case_transition,
    task_create,
    task_finish,
)
from ventanilla.catalog.forms import form_answers
from ventanilla.catalog.models import Agency, PublicService
from ventanilla.catalog.selectors import knowledge_search
from ventanilla.classifier.selectors import case_suggestion
from ventanilla.classifier.services import decision_settle
from ventanilla.core.errors import (
    EditConflict,
    InvalidTransition,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from ventanilla.loops.selectors import loops_of_case
from ventanilla.precedents.selectors import similar_resolved
from ventanilla.risk.selectors import risk_of_case
from ventanilla.web.console.views import staff_view

STATUS_LABELS: dict[str, Any] = dict(CaseStatus.choices)


def _tab_labels() -> list[tuple[str, str]]:
    return [
        ("mine", pgettext("staff work queue", "My cases")),
        ("department", _("My department")),
        ("overdue", _("Overdue")),
        ("waiting", _("Waiting for the citizen")),
        ("triage", _("Triage")),
        ("tasks", _("Tasks for us")),
    ]


def _may_manage(actor: Actor) -> bool:
    return actor.can(Scope.CASES_MANAGE)


# -- Queues ---------------------------------------------------------------------------------


@staff_view
def case_queue(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The work queues; with ``?counts=1`` from htmx, only the tab counts (polled)."""
    if request.headers.get("HX-Request") and request.GET.get("counts"):
        return render(request, "console/_queue_counts.html", {"counts": queues.counts(actor=actor)})
    tab = request.GET.get("tab", "mine")
    tab = tab if tab in queues.TABS else "mine"
    filters = queues.Filters(
        status=request.GET.get("status", "")
        if request.GET.get("status") in OPEN_STATUS_VALUES
        else "",
        service=request.GET.get("service", "")[:60],
        priority=request.GET.get("priority", "")
        if request.GET.get("priority") in Priority.values
        else "",
        department=request.GET.get("department", "")
        if actor.sees_agency(request.GET.get("department", ""))
        else "",
        news=request.GET.get("news") == "1",
    )
    sort = request.GET.get("sort", "due")
    try:
        page = queues.queue(
            actor=actor,
            tab=tab,
            filters=filters,
            sort=sort,
            cursor=request.GET.get("cursor") or None,
        )
    except ValidationFailed:  # a cursor tampered with
        return redirect("console:cases")
    kept = {
        "tab": tab,
        "status": filters.status,
        "service": filters.service,
        "priority": filters.priority,
        "department": filters.department,
        "news": "1" if filters.news else "",
        "sort": page.sort,
    }
    query = urlencode({k: v for k, v in kept.items() if v})
    counts = queues.counts(actor=actor)
    assignees = colleagues_of(actor) if _may_manage(actor) else []
    context = {
        "may_edit_messages": actor.can(Scope.CATALOG_MANAGE),
        "page": page,
        "tab": tab,
        "tabs": [(code, label, counts[code]) for code, label in _tab_labels()],
        "filters": filters,
        "sort": page.sort,
        "query": query,
        "filter_query": urlencode({k: v for k, v in kept.items() if v and k != "tab"}),
        "statuses": [(s, STATUS_LABELS[s]) for s in OPEN_STATUS_VALUES],
        "services": PublicService.objects.filter(active=True).order_by("code"),
        "priorities": Priority.choices,
        "departments": Agency.objects.filter(pk__in=list(actor.agency_ids)).order_by("path")
        if not actor.sees_everything
        else Agency.objects.order_by("path"),
        "sorts": [("due", _("Due date")), ("opened", _("Opened")), ("priority", _("Priority"))],
        "assignees": assignees,
        "may_manage": _may_manage(actor),
        "may_work": actor.can(Scope.CASES_WRITE),
        "may_invite": actor.can(Scope.PARTICIPATION_MANAGE),
        "today": timezone.localdate(),
    }
    return render(request, "console/cases.html", context)


@require_POST
@staff_view
def case_bulk_assign(request: HttpRequest, actor: Actor) -> HttpResponse:
    """Give the ticked cases to someone, all or none, at the versions the queue showed."""
    _require_write(actor)
    back = request.POST.get("next", "")
    if not back.startswith("/console/cases/") or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}
    ):
        back = reverse("console:cases")
    ids = request.POST.getlist("case")
    versions: dict[str, int] = {}
    for case_id in ids:
        try:
            versions[str(UUID(case_id))] = int(request.POST.get(f"version-{case_id}", ""))
        except ValueError:
            messages.error(request, _("The form was not complete; reload the page."))
            return redirect(back)
    try:
        assignee_id = _assignee(request, actor)
        changed = case_assign(
            actor=actor, case_ids=list(versions), assignee_id=assignee_id, versions=versions
        )
    except ValidationFailed as failure:
        messages.error(request, " ".join(failure.errors.values()))
    except (EditConflict, InvalidTransition) as conflict:
        messages.error(
            request, _("Nothing was assigned. %(reason)s") % {"reason": conflict.message}
        )
    except NotFound as missing:
        messages.error(request, missing.message)
    else:
        messages.success(
            request,
            _("%(count)d cases assigned.") % {"count": len(changed)}
            if len(changed) != 1
            else _("1 case assigned."),
        )
    return redirect(back)


def _require_write(actor: Actor) -> None:
    """Refuse staff who may not work on cases before calling a service: the services check too,
    but inside their transaction, which rolls back the audit row of the refusal with it."""
    require(actor, Scope.CASES_WRITE)


def _assignee(request: HttpRequest, actor: Actor) -> int | None:
    raw = request.POST.get("assignee", "")
    if raw == "me":
        return actor.user_id
    try:
        return int(raw)
    except ValueError:
        raise ValidationFailed({"assignee": _("Choose whom to give the cases to.")}) from None


# -- The case page --------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainRow:
    event: CaseEvent
    from_status: Any  # a lazy translation
    to_status: Any
    # The documents that came with the event's contact (the photo the citizen sent with a reply).
    attachments: list[Any]


def _case_context(actor: Actor, case: Case, request: HttpRequest) -> dict[str, Any]:
    may_work = actor.can(Scope.CASES_WRITE) and actor.sees_agency(case.department_id)
    kb_query = request.GET.get("kb", "")[:200]
    tasks = case_tasks(case=case)
    documents = case_documents(case)
    brought: dict[Any, list[Any]] = {}
    for document in documents:
        brought.setdefault(document.interaction_id, []).append(document)
    suggestion = case_suggestion(case)
    return {
        "case": case,
        "today": timezone.localdate(),
        "overdue": case.is_open and case.due_date < timezone.localdate(),
        "routing_rule": case.routing_rule.name if case.routing_rule else "",
        "assignee": (case.assignee.get_full_name() or case.assignee.get_username())
        if case.assignee
        else "",
        "form_answers": form_answers(case.service, case.form_data),
        "chain": [
            ChainRow(
                e,
                STATUS_LABELS.get(e.from_status, ""),
                STATUS_LABELS.get(e.to_status, ""),
                brought.get(e.interaction_id, []) if e.interaction_id else [],
            )
            for e in case_events(case=case)
        ],
        "tasks": [
            (
                task,
                task.status == CaseTask.Status.OPEN and actor.sees_agency(task.to_department_id),
                f"task-{task.pk}",
                # The department that asked may call it off.
                task.status == CaseTask.Status.OPEN
                and may_work
                and actor.sees_agency(task.from_department_id),
            )
            for task in tasks
        ],
        "steps": staff_steps(case) if may_work else [],
        "may_work": may_work,
        "may_manage": may_work and _may_manage(actor),
        "assignees": assignable_users(case.department) if may_work and _may_manage(actor) else [],
        "departments": Agency.objects.exclude(kind="administration")
        .exclude(pk=case.department_id)
        .order_by("path"),
        "duplicates": (
            likely_duplicates(actor=actor, case=case) if may_work and case.is_open else []
        ),
        # How cases like this one were resolved before (read after the case, audited as a list).
        "precedents": similar_resolved(actor=actor, case=case),
        "documents": documents,
        # The service classifier's suggestion, when the case came in as free text.
        "suggestion": suggestion,
        "services": (
            PublicService.objects.filter(active=True, department__isnull=False).order_by("name_es")
            if suggestion is not None and may_work and case.is_open
            else []
        ),
        # How likely an open case is to be answered late, and the rule that says so.
        "risk": risk_of_case(case),
        "may_read_analytics": actor.can(Scope.ANALYTICS_READ),
        # The consultations the case has been taken into.
        "loops": loops_of_case(case),
        "may_invite": actor.can(Scope.PARTICIPATION_MANAGE),
        "kb_query": kb_query,
        "articles": knowledge_search(actor=actor, query=kb_query, service_code=case.service.code)
        if kb_query
        else [],
    }


def _render_case(
    request: HttpRequest,
    actor: Actor,
    reference: str,
    *,
    status: int = 200,
    form: str = "",
    errors: dict[str, str] | None = None,
    conflict: str = "",
    seen: bool = False,
) -> HttpResponse:
    try:
        case = case_get(actor=actor, case_id=reference)
    except NotFound as missing:
        raise Http404(missing.message) from missing
    if seen:
        case_mark_seen(actor=actor, case=case)
    context = _case_context(actor, case, request)
    context.update(
        form=form,
        errors=errors or {},
        conflict=conflict,
        values=request.POST if request.method == "POST" else {},
    )
    return render(request, "console/case.html", context, status=status)


@staff_view
def case_page(request: HttpRequest, actor: Actor, reference: str) -> HttpResponse:
    """The case and its whole chain (what happened on it is then no longer news to the reader);
    with ``kb`` from htmx, only the knowledge-base results."""
    if request.headers.get("HX-Request") and "kb" in request.GET:
        service_code = (
            visible_cases(actor)
            .filter(reference=reference.upper())
            .values_list("service__code", flat=True)
            .first()
        )
        if service_code is None:
            raise Http404(_("No such case."))
        query = request.GET.get("kb", "")[:200]
        articles = knowledge_search(actor=actor, query=query, service_code=service_code)
        return render(
            request, "console/_kb_results.html", {"articles": articles, "kb_query": query}
        )
    return _render_case(request, actor, reference, seen=True)


@staff_view
def inbox_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    """What changed on my cases and my team's: newest first, the unread marked."""
    _require_write(actor)
    context = {"inbox": news.inbox(actor=actor), "inbox_days": news.INBOX_DAYS}
    return render(request, "console/inbox.html", context)


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


def _act(
    request: HttpRequest,
    actor: Actor,
    reference: str,
    form: str,
    write: Callable[[], Any],
    done: str,
    then: str | None = None,
) -> HttpResponse:
    """Run one write for a form of the case page: on success tell so and redirect; on a
    refusal show the page again, fresh from the database, with the reason beside the form."""
    _require_write(actor)
    try:
        write()
    except EditConflict:
        conflict = _(
            "Someone else changed this case while you were looking at it, so nothing was "
            "saved. Here is its current state: check it and try again."
        )
        return _render_case(request, actor, reference, status=409, form=form, conflict=conflict)
    except InvalidTransition as refused:
        errors = {refused.field or "form": refused.message}
        return _render_case(request, actor, reference, status=409, form=form, errors=errors)
    except ValidationFailed as failure:
        return _render_case(request, actor, reference, status=422, form=form, errors=failure.errors)
    except NotFound as missing:
        raise Http404(missing.message) from missing
    messages.success(request, done)
    return redirect(then or reverse("console:case", args=[reference]))


@require_POST
@staff_view
def case_step(request: HttpRequest, actor: Actor, reference: str) -> HttpResponse:
    action = request.POST.get("action", "")
    return _act(
        request,
        actor,
        reference,
        f"step-{action}",
        lambda: case_transition(
            actor=actor,
            case_id=reference,
            action=action,
            reason=request.POST.get("reason", ""),
            version=_version(request),
        ),
        _("The case moved on."),
    )


@require_POST
@staff_view
def case_document(request: HttpRequest, actor: Actor, reference: str) -> HttpResponse:
    upload = request.FILES.get("file")

    def write() -> Any:
        if upload is None:
            raise ValidationFailed({"file": _("Choose a file.")})
        return case_document_add(
            actor=actor,
            case_id=reference,
            file_name=upload.name or "",
            content=upload,
            size=upload.size or 0,
            description=request.POST.get("description", ""),
            channel=request.POST.get("channel", "desk"),
        )

    try:
        return _act(request, actor, reference, "document", write, _("The document was added."))
    except (PayloadTooLarge, UnsupportedMediaType) as refused:
        errors = {"file": refused.message}
        return _render_case(
            request, actor, reference, status=refused.status, form="document", errors=errors
        )


@require_POST
@staff_view
def case_note(request: HttpRequest, actor: Actor, reference: str) -> HttpResponse:
    public = request.POST.get("visibility") == "public"
    return _act(
        request,
        actor,
        reference,
        "note",
        lambda: case_note_add(
            actor=actor, case_id=reference, text=request.POST.get("text", ""), public=public
        ),
        _("The reply was sent to the citizen.") if public else _("The note was added."),
    )


@require_POST
@staff_view
def case_assign_one(request: HttpRequest, actor: Actor, reference: str) -> HttpResponse:
    def write() -> None:
        case_id = (
            visible_cases(actor).filter(reference=reference.upper()).values_list("pk", flat=True)
        ).first()
        if case_id is None:
            raise NotFound(_("No such case."))
        version = _version(request)
        case_assign(
            actor=actor,
            case_ids=[case_id],
            assignee_id=_assignee(request, actor),
            versions={str(case_id): version} if version is not None else None,
        )

    return _act(request, actor, reference, "assign", write, _("The case was assigned."))


@require_POST
@staff_view
def case_transfer_view(request: HttpRequest, actor: Actor, reference: str) -> HttpResponse:
    # Once transferred the case usually leaves the actor's reach: back to the queue.
    return _act(
        request,
        actor,
        reference,
        "transfer",
        lambda: case_transfer(
            actor=actor,
            case_id=reference,
            department_code=request.POST.get("department", ""),
            reason=request.POST.get("reason", ""),
            version=_version(request),
        ),
        _("The case was handed over."),
        then=reverse("console:cases") + "?tab=department",
    )


@require_POST
@staff_view
def case_service_view(request: HttpRequest, actor: Actor, reference: str) -> HttpResponse:
    """Set, or keep, the service of a case the classifier made a suggestion for."""
    return _act(
        request,
        actor,
        reference,
        "service",
        lambda: decision_settle(
            actor=actor,
            case_id=reference,
            service_code=request.POST.get("service", ""),
            version=_version(request),
        ),
        _("The service of the case was set."),
    )


@require_POST
@staff_view
def case_task_new(request: HttpRequest, actor: Actor, reference: str) -> HttpResponse:
    def write() -> None:
        try:
            days = int(request.POST.get("due_in_days", ""))
        except ValueError:
            raise ValidationFailed({"due_in_days": _("Give a number of working days.")}) from None
        task_create(
            actor=actor,
            case_id=reference,
            department_code=request.POST.get("department", ""),
            title=request.POST.get("title", ""),
            description=request.POST.get("description", ""),
            due_in_days=days,
        )

    return _act(request, actor, reference, "task", write, _("The task was sent."))


@require_POST
@staff_view
def case_task_finish(
    request: HttpRequest, actor: Actor, reference: str, task_id: UUID
) -> HttpResponse:
    return _act(
        request,
        actor,
        reference,
        f"task-{task_id}",
        lambda: task_finish(
            actor=actor,
            task_id=task_id,
            outcome=request.POST.get("outcome", ""),
            result=request.POST.get("result", ""),
        ),
        _("The task was finished."),
    )


@require_POST
@staff_view
def case_duplicate(request: HttpRequest, actor: Actor, reference: str) -> HttpResponse:
    original = request.POST.get("original", "")
    return _act(
        request,
        actor,
        reference,
        "duplicate",
        lambda: case_mark_duplicate(
            actor=actor, case_id=reference, original_id=original, version=_version(request)
        ),
        _("The case was attached to the earlier one."),
    )
