"""Proposals in the portal: read by anyone, supported and published by signed-in residents, with
the reason in plain words for anyone who may not."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import portal_client, sign_in
from tests.factories import make_party
from tests.proposals.conftest import publish, resident_of
from ventanilla.access.actors import Actor
from ventanilla.cases.services import case_open
from ventanilla.parties.models import Party
from ventanilla.proposals.models import Proposal, Support
from ventanilla.proposals.services import (
    proposal_answer,
    proposal_cite_cases,
    proposal_support,
    proposal_withdraw,
)

pytestmark = pytest.mark.django_db


def party_of(actor: Actor) -> Party:
    return Party.objects.get(pk=actor.party_id)


def test_anyone_reads_the_list_and_a_proposal_without_signing_in(
    proposal: Proposal, make_resident: Callable[..., Actor], author: Actor, town: Any
) -> None:
    other = publish(author, town, title="Carril bici al instituto", district="Norte")
    proposal_support(actor=make_resident(), proposal_id=other.pk)

    listing = Client(HTTP_ACCEPT_LANGUAGE="en").get("/portal/proposals/")
    page = Client(HTTP_ACCEPT_LANGUAGE="es").get(f"/portal/proposals/{proposal.pk}/")

    text = listing.content.decode()
    assert text.index("Carril bici") < text.index("Más sombra")  # most supported first
    newest = Client().get("/portal/proposals/?sort=newest&district=Centro").content.decode()
    assert "Más sombra" in newest and "Carril bici" not in newest
    body = page.content.decode()
    assert "Inicie sesión para apoyar esta propuesta" in body or "support-sign-in" in body
    assert 'data-testid="support-button"' not in body
    # The key of its comments goes only in the comment form, never in words.
    assert "Identifíquese para comentar" in body
    assert body.count(f"proposal:{proposal.pk}") == body.count(f'value="proposal:{proposal.pk}"')


def test_a_resident_supports_once_and_reads_the_count_and_what_is_still_needed(
    proposal: Proposal, registrar: Actor
) -> None:
    neighbour = portal_client(resident_of(registrar), language="en")

    page = neighbour.get(f"/portal/proposals/{proposal.pk}/").content.decode()
    assert 'data-testid="support-button"' in page
    assert "100 more supports are needed" in page

    response = neighbour.post(f"/portal/proposals/{proposal.pk}/support/", follow=True)
    text = response.content.decode()
    assert "your support is counted. The proposal now has 1 support." in text
    assert "You support this proposal." in text
    assert "1 support<" in text
    again = neighbour.post(f"/portal/proposals/{proposal.pk}/support/")
    assert again.status_code == 409
    assert "You already support this proposal." in again.content.decode()
    assert Support.objects.filter(proposal=proposal).count() == 1


def test_a_young_or_unregistered_person_is_told_why_and_shown_no_button(
    proposal: Proposal, registrar: Actor
) -> None:
    teen = resident_of(registrar, birth_date=timezone.localdate() - timedelta(days=365 * 12))
    visitor = make_party(registrar)

    young = portal_client(teen).get(f"/portal/proposals/{proposal.pk}/").content.decode()
    elsewhere = portal_client(visitor).get(f"/portal/proposals/{proposal.pk}/").content.decode()
    posted = portal_client(teen).post(f"/portal/proposals/{proposal.pk}/support/")

    assert "You may take part from the age of 16." in young
    assert "Only residents registered in" in elsewhere
    assert 'data-testid="support-button"' not in young + elsewhere
    assert posted.status_code == 422
    assert Support.objects.count() == 0


def test_supporting_without_signing_in_leads_to_the_sign_in(proposal: Proposal) -> None:
    response = Client().post(f"/portal/proposals/{proposal.pk}/support/")
    assert response.status_code == 302
    assert response["Location"].endswith("/portal/sign-in/")


def test_a_resident_publishes_a_proposal_from_the_form(registrar: Actor, town: Any) -> None:
    client = portal_client(resident_of(registrar), language="es")
    assert Client().get("/portal/proposals/new/").status_code == 302

    refused = client.post("/portal/proposals/new/", {"agency": str(town["ayto"].pk)})
    assert refused.status_code == 422
    assert 'aria-describedby="id_title_error"' in refused.content.decode()

    made = client.post(
        "/portal/proposals/new/",
        {
            "agency": str(town["ayto"].pk),
            "title": "Fuente en el parque",
            "summary": "Una fuente de agua potable junto a los columpios.",
            "district": "Centro",
        },
    )
    proposal = Proposal.objects.get(title="Fuente en el parque")
    assert made["Location"] == f"/portal/proposals/{proposal.pk}/"


def test_the_page_shows_the_official_answer_and_the_cited_cases_counts(
    proposal: Proposal, supervisor: Actor, service: Any
) -> None:
    proposal_cite_cases(actor=supervisor, proposal_id=proposal.pk, service_id=service.pk)
    proposal_answer(
        actor=supervisor,
        proposal_id=proposal.pk,
        decision=Proposal.Decision.ACCEPTED,
        text="Se plantarán árboles en octubre.",
    )

    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/portal/proposals/{proposal.pk}/")

    text = page.content.decode()
    assert "Official answer" in text and "Se plantarán árboles en octubre." in text
    assert "Accepted" in text
    assert "How the cases that show the problem are going" in text
    assert "Minor works permit" in text


def test_the_page_hides_counts_of_so_few_cases_that_someone_could_be_recognised(
    proposal: Proposal, supervisor: Actor, service: Any, actor: Actor
) -> None:
    someone = make_party(actor)
    for _n in range(2):
        case_open(actor=actor, party_id=someone.pk, service_code=service.code, channel="desk")
    proposal_cite_cases(actor=supervisor, proposal_id=proposal.pk, service_id=service.pk)

    english = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/portal/proposals/{proposal.pk}/")
    spanish = Client(HTTP_ACCEPT_LANGUAGE="es").get(f"/portal/proposals/{proposal.pk}/")
    data = Client().get(f"/api/v1/proposals/{proposal.pk}").json()

    row = english.content.decode().split('data-testid="evidence"')[1].split("</table>")[0]
    assert "fewer than 5" in row and ">2<" not in row and "not shown" not in row
    assert "menos de 5" in spanish.content.decode()
    [cited] = data["cited_cases"]
    assert cited["waiting"] is None and cited["total"] is None


def test_residents_comment_on_a_proposal_and_moderators_see_where(
    proposal: Proposal, make_resident: Callable[..., Actor], make_staff: Any
) -> None:
    neighbour = make_resident()
    client = portal_client(party_of(neighbour), "es")
    where = f"/portal/proposals/{proposal.pk}/"
    sent = client.post(
        "/portal/comments/",
        {"subject": f"proposal:{proposal.pk}", "body": "Y fuentes de agua", "next": where},
    )
    assert sent.status_code == 302 and sent["Location"].startswith(where)
    page = Client(HTTP_ACCEPT_LANGUAGE="es").get(where).content.decode()
    assert "Y fuentes de agua" in page

    from ventanilla.debates.models import Comment

    comment = Comment.objects.get()
    assert comment.subject_title == "Más sombra en la plaza"
    reporter = portal_client(party_of(make_resident()), "es")
    reporter.post(f"/portal/comments/{comment.pk}/report/", {"reason": "spam", "next": where})
    moderator = sign_in(Client(HTTP_ACCEPT_LANGUAGE="es"), make_staff("mod", "ayto", "supervisor"))
    queue = moderator.get("/console/moderation/").content.decode()
    assert "Más sombra en la plaza" in queue and where in queue

    # Someone the register does not have living here may read, not comment.
    outsider = portal_client(make_party(_registrar(make_staff)), "es")
    outsider.post(
        "/portal/comments/",
        {"subject": f"proposal:{proposal.pk}", "body": "Desde fuera", "next": where},
    )
    assert not Comment.objects.filter(body="Desde fuera").exists()


def _registrar(make_staff: Any) -> Actor:
    from ventanilla.access.actors import actor_for_user

    return actor_for_user(make_staff("alta2", "ayto", "agent"))


def test_the_author_withdraws_from_the_page_after_confirming(
    proposal: Proposal, author: Actor, make_resident: Callable[..., Actor]
) -> None:
    where = f"/portal/proposals/{proposal.pk}/"
    neighbour = portal_client(party_of(make_resident()), "es")
    assert 'data-testid="withdraw-link"' not in neighbour.get(where).content.decode()
    assert neighbour.get(f"{where}withdraw/").status_code == 404
    mine = portal_client(party_of(author), "es")
    page = mine.get(where).content.decode()
    assert "Retirar mi propuesta" in page

    asked = mine.get(f"{where}withdraw/").content.decode()
    assert "¿Retirar su propuesta?" in asked and "Más sombra en la plaza" in asked
    assert "¿Por qué la retira? (opcional)" in asked
    too_long = mine.post(f"{where}withdraw/", {"reason": "x" * 1001})
    assert too_long.status_code == 422 and 'id="withdraw-reason-error"' in too_long.text
    assert "x" * 1001 in too_long.text  # what was written is kept to shorten it
    done = mine.post(f"{where}withdraw/", {"reason": "Ya está hecho."}, follow=True)

    assert done.redirect_chain[-1][0] == "/portal/proposals/"
    text = done.content.decode()
    assert "Su propuesta se ha retirado" in text and "Más sombra en la plaza" not in text
    assert Client().get(where).status_code == 404
    proposal.refresh_from_db()
    assert proposal.withdrawal_reason == "Ya está hecho."


def test_staff_and_the_loop_banner_say_a_proposal_was_withdrawn(
    proposal: Proposal, author: Actor, make_staff: Any
) -> None:
    Proposal.objects.filter(pk=proposal.pk).update(answer_due=timezone.localdate())
    proposal_withdraw(actor=author, proposal_id=proposal.pk, reason="Me mudo de barrio.")
    console = sign_in(Client(HTTP_ACCEPT_LANGUAGE="en"), make_staff("jefa", "ayto", "supervisor"))

    page = console.get(f"/console/proposals/{proposal.pk}/").content.decode()

    assert "Withdrawn by its author" in page and "no answer is owed" in page
    assert "In the author's words:" in page and "Me mudo de barrio." in page
    assert 'data-testid="answer-send"' not in page
    assert "The answer is due" not in page and "Overdue" not in page
    assert f"/portal/proposals/{proposal.pk}/" not in page  # a page no one can open
