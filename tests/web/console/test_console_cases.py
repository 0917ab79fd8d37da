"""The staff console's cases over HTTP: the work queues and their counts, the case page and the
forms that move a case on, as the people who use them would notice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import sign_in
from tests.factories import make_party
from ventanilla.access.actors import actor_for_user
from ventanilla.audit.models import AuditEntry
from ventanilla.cases.models import Case, CaseEvent, CaseTask
from ventanilla.cases.services import case_open, case_transition, task_create
from ventanilla.catalog.models import KnowledgeArticle, PublicService
from ventanilla.catalog.services import service_ensure
from ventanilla.interactions.models import Interaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def opener(make_staff: Any) -> Any:
    return actor_for_user(make_staff("ventanilla", "ayto", "agent"))


@pytest.fixture
def register_service(town: Any) -> PublicService:
    return service_ensure(
        code="volante-empadronamiento",
        name_es="Volante de empadronamiento",
        name_en="Register certificate",
        department=town["padron"],
        deadline_days=5,
        channels=["web", "desk"],
    )


def open_case(opener: Any, service: PublicService, **fields: Any) -> Case:
    party = make_party(opener)
    return case_open(
        actor=opener, party_id=party.pk, service_code=service.code, channel="web", **fields
    )


def client_of(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, user)
    return client


@pytest.fixture
def worker(make_staff: Any) -> Any:
    return make_staff("trabajadora", "urbanismo", "case_worker")


@pytest.fixture
def case(opener: Any, service: PublicService) -> Case:
    return open_case(opener, service, description="Cambiar el suelo de la cocina")


def page_text(response: Any) -> str:
    return response.content.decode()


def test_a_case_worker_accepts_and_resolves_a_case_from_its_page(worker: Any, case: Case) -> None:
    client = client_of(worker)
    page = client.get(f"/console/cases/{case.reference}/")
    assert page.status_code == 200
    assert "Cambiar el suelo de la cocina" in page_text(page)

    accepted = client.post(
        f"/console/cases/{case.reference}/step/", {"action": "accept", "version": case.version}
    )
    assert accepted.status_code == 302
    case.refresh_from_db()
    resolved = client.post(
        f"/console/cases/{case.reference}/step/",
        {"action": "resolve", "reason": "Licencia concedida", "version": case.version},
        follow=True,
    )

    case.refresh_from_db()
    assert case.status == "resolved"
    assert "The case moved on." in page_text(resolved)
    assert "Licencia concedida" in page_text(resolved)  # the step's reason is in the chain


def test_a_step_that_needs_a_reason_is_refused_without_one_and_the_case_stays(
    worker: Any, case: Case
) -> None:
    client = client_of(worker)

    response = client.post(
        f"/console/cases/{case.reference}/step/",
        {"action": "reject", "reason": "", "version": case.version},
    )

    assert response.status_code == 422
    assert "this step needs a reason" in page_text(response)
    case.refresh_from_db()
    assert case.status == "new"


def test_a_stale_form_gets_the_conflict_message_and_nothing_changes(
    worker: Any, case: Case, opener: Any
) -> None:
    client = client_of(worker)
    stale_version = case.version
    case_transition(actor=opener, case_id=case.pk, action="accept", version=case.version)

    response = client.post(
        f"/console/cases/{case.reference}/step/",
        {"action": "reject", "reason": "No procede", "version": stale_version},
    )

    assert response.status_code == 409
    assert "Someone else changed this case" in page_text(response)
    case.refresh_from_db()
    assert case.status == "accepted"
    assert f'name="version" value="{case.version}"' in page_text(response)  # fresh data shown
    assert not CaseEvent.objects.filter(case=case, action="reject").exists()


def test_an_internal_note_and_a_public_reply_are_kept_apart(worker: Any, case: Case) -> None:
    client = client_of(worker)

    client.post(f"/console/cases/{case.reference}/notes/", {"text": "Llamar al arquitecto"})
    client.post(
        f"/console/cases/{case.reference}/notes/",
        {"text": "Necesitamos el plano", "visibility": "public"},
    )

    note = CaseEvent.objects.get(case=case, text="Llamar al arquitecto")
    reply = CaseEvent.objects.get(case=case, text="Necesitamos el plano")
    assert (note.kind, note.public) == ("note", False)
    assert (reply.kind, reply.public) == ("reply", True)
    page = page_text(client.get(f"/console/cases/{case.reference}/"))
    assert "event event-note" in page
    assert "event event-reply event-public" in page


def test_a_transfer_moves_the_case_out_of_the_workers_queue(
    worker: Any, case: Case, town: Any
) -> None:
    client = client_of(worker)
    assert case.reference in page_text(client.get("/console/cases/?tab=department"))

    response = client.post(
        f"/console/cases/{case.reference}/transfer/",
        {"department": "padron", "reason": "Es del padrón", "version": case.version},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.department == town["padron"]
    assert case.reference not in page_text(client.get("/console/cases/?tab=department"))


def test_the_queue_shows_only_the_actors_departments(
    worker: Any, case: Case, opener: Any, register_service: PublicService
) -> None:
    elsewhere = open_case(opener, register_service)

    page = page_text(client_of(worker).get("/console/cases/?tab=department"))

    assert case.reference in page
    assert elsewhere.reference not in page
    entry = AuditEntry.objects.filter(action="case.list").latest("id")
    assert entry.detail["shown"] == [str(case.pk)]


def test_the_overdue_tab_shows_only_open_cases_past_their_date(
    worker: Any, opener: Any, service: PublicService
) -> None:
    late = open_case(opener, service)
    on_time = open_case(opener, service)
    late_but_closed = open_case(opener, service)
    yesterday = timezone.localdate() - timedelta(days=1)
    Case.objects.filter(pk__in=[late.pk, late_but_closed.pk]).update(due_date=yesterday)
    case_transition(actor=opener, case_id=late_but_closed.pk, action="cancel", reason="Desiste")

    page = page_text(client_of(worker).get("/console/cases/?tab=overdue"))

    assert late.reference in page
    assert on_time.reference not in page
    assert late_but_closed.reference not in page


def test_the_counts_partial_gives_each_tabs_number(
    worker: Any, opener: Any, service: PublicService, register_service: PublicService
) -> None:
    mine = open_case(opener, service)
    open_case(opener, service)
    open_case(opener, register_service)  # another department: not counted
    Case.objects.filter(pk=mine.pk).update(
        assignee=worker, due_date=timezone.localdate() - timedelta(days=2)
    )
    other = open_case(opener, register_service)
    task_create(actor=opener, case_id=other.pk, department_code="urbanismo", title="Informe")

    response = client_of(worker).get("/console/cases/?counts=1", HTTP_HX_REQUEST="true")

    body = page_text(response)
    assert "<html" not in body
    for tab, number in [("mine", 1), ("department", 2), ("overdue", 1), ("tasks", 1)]:
        assert f'id="count-{tab}" hx-swap-oob="true">{number}<' in body


def test_the_queue_reads_a_page_in_a_constant_number_of_queries(
    worker: Any, opener: Any, service: PublicService
) -> None:
    client = client_of(worker)
    open_case(opener, service)
    with CaptureQueriesContext(connection) as few:
        client.get("/console/cases/?tab=department")
    for _ in range(5):
        open_case(opener, service)

    with CaptureQueriesContext(connection) as many:
        client.get("/console/cases/?tab=department")

    assert len(many) == len(few)


def test_an_agent_cannot_bulk_assign_to_others_but_a_supervisor_can(
    make_staff: Any, worker: Any, opener: Any, service: PublicService
) -> None:
    first, second = open_case(opener, service), open_case(opener, service)
    form = {
        "case": [str(first.pk), str(second.pk)],
        f"version-{first.pk}": first.version,
        f"version-{second.pk}": second.version,
        "assignee": worker.pk,
        "next": "/console/cases/?tab=department",
    }
    agent = make_staff("agente-urb", "urbanismo", "agent")

    refused = client_of(agent).post("/console/cases/assign/", form)

    assert refused.status_code == 403
    assert Case.objects.filter(assignee=worker).count() == 0

    supervisor = make_staff("jefa", "urbanismo", "supervisor")
    done = client_of(supervisor).post("/console/cases/assign/", form, follow=True)

    assert "2 cases assigned." in page_text(done)
    assert Case.objects.filter(assignee=worker).count() == 2


def test_a_bulk_assignment_with_a_case_changed_meanwhile_assigns_none_and_names_it(
    make_staff: Any, worker: Any, opener: Any, service: PublicService
) -> None:
    first, second = open_case(opener, service), open_case(opener, service)
    form = {
        "case": [str(first.pk), str(second.pk)],
        f"version-{first.pk}": first.version,
        f"version-{second.pk}": second.version,
        "assignee": worker.pk,
    }
    case_transition(actor=opener, case_id=second.pk, action="accept", version=second.version)

    response = client_of(make_staff("jefa", "urbanismo", "supervisor")).post(
        "/console/cases/assign/", form, follow=True
    )

    assert "Nothing was assigned." in page_text(response)
    assert second.reference in page_text(response)
    assert Case.objects.filter(assignee=worker).count() == 0


def test_the_knowledge_base_search_finds_articles_of_the_service_first(
    worker: Any, case: Case, service: PublicService
) -> None:
    general = KnowledgeArticle.objects.create(
        code="a-obras-general", title_es="Obras en general", body_es="Plazos de obras"
    )
    linked = KnowledgeArticle.objects.create(
        code="z-obra-menor", title_es="Qué es una obra menor", body_es="Obras sin estructura"
    )
    linked.services.add(service)
    KnowledgeArticle.objects.create(code="padron", title_es="Padrón", body_es="Empadronarse")
    client = client_of(worker)

    partial = client.get(f"/console/cases/{case.reference}/?kb=obra", HTTP_HX_REQUEST="true")
    full = client.get(f"/console/cases/{case.reference}/?kb=obra")

    body = page_text(partial)
    assert "<html" not in body
    assert body.index(linked.title_es) < body.index(general.title_es)
    assert "Padrón" not in body
    assert linked.title_es in page_text(full)  # works as a plain form without JavaScript


def test_a_task_addressed_to_a_department_is_finished_from_the_case_page(
    make_staff: Any, case: Case, opener: Any
) -> None:
    task = task_create(actor=opener, case_id=case.pk, department_code="padron", title="Padrón")
    registrar = make_staff("registro", "padron", "case_worker")
    client = client_of(registrar)
    page = page_text(client.get(f"/console/cases/{case.reference}/"))
    assert f"/tasks/{task.pk}/finish/" in page

    client.post(
        f"/console/cases/{case.reference}/tasks/{task.pk}/finish/",
        {"outcome": "done", "result": "Empadronado desde 2019"},
    )

    task.refresh_from_db()
    assert task.status == CaseTask.Status.DONE
    assert task.result == "Empadronado desde 2019"


def test_the_department_that_asked_calls_a_task_off_with_a_reason(
    worker: Any, case: Case, opener: Any
) -> None:
    task = task_create(actor=opener, case_id=case.pk, department_code="padron", title="Padrón")
    client = client_of(worker)  # the case's own department (urbanismo), not the one asked
    page = page_text(client.get(f"/console/cases/{case.reference}/"))
    url = f"/console/cases/{case.reference}/tasks/{task.pk}/finish/"
    assert "Call off the task" in page and 'value="done"' not in page

    without_reason = client.post(url, {"outcome": "cancelled", "result": ""})
    called_off = client.post(url, {"outcome": "cancelled", "result": "Ya no hace falta"})

    assert without_reason.status_code == 422
    assert called_off.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.result) == (CaseTask.Status.CANCELLED, "Ya no hace falta")


def test_the_360_view_links_each_case_to_its_page(worker: Any, case: Case) -> None:
    page = page_text(client_of(worker).get(f"/console/parties/{case.party_id}/"))

    assert f'href="/console/cases/{case.reference}/"' in page


def test_the_queue_reads_in_spanish(worker: Any, case: Case) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    sign_in(client, worker)

    page = page_text(client.get("/console/cases/?tab=department"))

    assert "Mis expedientes" in page
    assert "A la espera del ciudadano" in page
    assert "Siguientes 50" not in page  # one case: no next page


def test_a_document_brought_to_the_desk_is_kept_with_the_case(
    worker: Any, case: Case, settings: Any, tmp_path: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client = sign_in(Client(), worker)
    url = f"/console/cases/{case.reference}/documents/"

    refused = client.post(url, {"file": SimpleUploadedFile("virus.exe", b"MZ\x90\x00" * 64)})
    added = client.post(url, {"file": SimpleUploadedFile("plano.txt", b"Plano de la obra")})

    assert refused.status_code == 415
    assert added.status_code == 302
    page = page_text(client.get(f"/console/cases/{case.reference}/"))
    assert "plano.txt" in page and "virus.exe" not in page
    contact = Interaction.objects.get(case=case, attachments__file_name="plano.txt")
    assert contact.channel_id == "desk" and contact.agency_id == case.department_id
    assert Interaction.objects.filter(case=case).count() == 2  # the request and the document
