"""The closing review through the whole server, Slack and Teams side by side on loopback.

Léa (mentor, Slack, French) mentors Marc (leader, Teams, English). When their program's last
day has passed, the daily routine completes the pairing (once, however often it runs) and
each is asked on their own platform in their own language: Léa answers in Slack modals
(signed ``view_submission``), Marc in Teams cards (``Action.Execute`` invokes). A double
submission counts once, answering again changes the one answer, consent to quote is
withdrawn by a button and by a typed command. After an early end, someone outside the pair
and a late answer after expiry are refused and nothing is stored.
"""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.domain.feedback.closing import CLOSING_ROUTINE
from storage.models import Feedback, FeedbackRequest, Goal, GoalCheck, Pairing, Person, Program
from storage.queue import DueQueue
from storage.routines import enqueue_fire
from tests.enrollment.test_enrollment_over_http import submission
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_api import SlackCall
from tests.fakes.slack_directory import FakeUser
from tests.fakes.slack_signing import interactivity_request
from tests.fakes.slack_spec import check_view
from tests.sessions.test_nudges_over_platforms import everyone_says_hello
from tests.slack.test_cards import click_on
from tests.support.clock import T0
from tests.teams.cards import inputs, texts
from tests.test_matching_over_platforms import LEA, SECRET, TOM, Server, TeamsPerson, server

__all__ = ["server"]  # the running server with Slack and Teams fakes, and its seeded program

pytestmark = pytest.mark.timeout(240)


async def pair_with_goals(srv: Server) -> dict[str, Any]:
    """Léa mentors Marc since T0, with two kickoff goals; the program ends on T0's day."""
    async with srv.runtime.database.unit_of_work() as session:
        people = {str(p.email).split("@")[0]: p.id for p in await session.scalars(select(Person))}
        program = (await session.scalars(select(Program))).one()
        program.starts_on, program.ends_on = date(2026, 6, 1), date(2026, 12, 1)
        pairing = Pairing(program_id=program.id, mentor_id=people["lea"],
                          mentee_id=people["marc"], started_at=T0)  # fmt: skip
        session.add(pairing)
        await session.flush()
        goals = [
            Goal(pairing_id=pairing.id, position=n, text=text, created_by=people["marc"])
            for n, text in enumerate(("Publier sur LinkedIn chaque mois", "Lire nos stats"), 1)
        ]
        session.add_all(goals)
        await session.flush()
        return {**people, "pairing": pairing.id, "goals": [g.id for g in goals]}


async def day(srv: Server, n: float) -> None:
    """The clock at ``n`` days after T0, the daily routine fired as the scheduler would."""
    at = T0 + timedelta(days=n)
    srv.runtime.clock.set(at)  # type: ignore[attr-defined]
    [routine] = [r for r in srv.runtime.all_routines() if r.name == CLOSING_ROUTINE]
    if routine.kind not in srv.runtime.handlers:  # the Ticker registers it; none runs here
        srv.runtime.handlers.register(routine.kind)(routine.fn)
    await enqueue_fire(DueQueue(srv.runtime.database), routine, at)
    await srv.due()


async def later(srv: Server, days: float) -> None:
    srv.runtime.clock.set(srv.runtime.clock.now() + timedelta(days=days))  # type: ignore[attr-defined]
    await srv.due()


async def submit_view(
    srv: Server, user: FakeUser, view: dict[str, Any], answers: dict[str, Any]
) -> dict[str, Any]:
    """A signed ``view_submission`` of ``view`` as Slack holds it, filled with ``answers``."""
    signed = interactivity_request(SECRET, submission(user.id, view, answers))
    async with srv.http.post(
        f"{srv.url}/slack/events", data=signed.body, headers=signed.headers
    ) as response:
        assert response.status == 200
        text = await response.text()
    await srv.settle()
    return dict(json.loads(text)) if text else {}


def next_view(ack: dict[str, Any], view: dict[str, Any]) -> dict[str, Any]:
    assert ack.get("response_action") == "update", ack
    assert check_view(ack["view"]) == []
    return {**ack["view"], "id": view["id"], "hash": uuid.uuid4().hex[:20]}


def opened_view(srv: Server) -> dict[str, Any]:
    [view] = [v for v in srv.slack.views.values() if v["type"] == "modal"][-1:]
    return dict(view)


def said(call: SlackCall) -> str:
    return json.dumps(call.args, ensure_ascii=False)


async def answers(srv: Server) -> list[Feedback]:
    async with srv.runtime.database.unit_of_work() as session:
        return list(await session.scalars(select(Feedback).order_by(Feedback.id)))


async def count(srv: Server, model: Any) -> int:
    async with srv.runtime.database.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_program_end_asks_both_once_and_each_answers_on_their_platform(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, connector = server
    marc = TeamsPerson(srv, connector)
    await everyone_says_hello(srv, marc)
    ids = await pair_with_goals(srv)

    await day(srv, 0)  # the program's last day: nothing yet
    assert srv.posted_to(LEA, "bilan de fin") == [] and marc.cards("closing review") == []
    await day(srv, 1)
    await day(srv, 1.2)  # a rerun the same day completes nothing twice, asks nothing twice
    await day(srv, 2)
    async with srv.runtime.database.unit_of_work() as session:
        pairing = await session.get(Pairing, ids["pairing"])
        assert pairing is not None and pairing.status == "completed"
        requests = (await session.scalars(select(FeedbackRequest))).all()
        assert sorted((r.kind, r.role) for r in requests) == [
            ("closing", "mentee"),
            ("closing", "mentor"),
        ]
        assert all(r.expires_at == T0 + timedelta(days=22) for r in requests)
    [lea_card] = srv.posted_to(LEA, "Votre bilan de fin")
    assert "Ce que vous y avez gagné compte aussi" in said(lea_card)  # the mentor's growth
    assert "Marc Durand" in said(lea_card)
    [marc_card] = marc.cards("Your closing review")
    assert "Léa Martin" in texts(marc_card) and "What you gained" not in texts(marc_card)

    # Léa answers in Slack's modals, in French.
    click = click_on(srv.slack, LEA.id, lea_card, "Donner mon bilan")
    await srv.slack_post(interactivity_request(SECRET, click))
    first = opened_view(srv)
    assert first["title"]["text"] == "Bilan de fin"
    goal_fields = [f"goal_{g}" for g in ids["goals"]]
    ack = await submit_view(srv, LEA, first, {
        "nps": "9", "changed": "J’ose dire <!channel> non à un directeur",
        goal_fields[0]: "done", goal_fields[1]: "on_track",
    })  # fmt: skip
    skills = next_view(ack, first)
    shown = json.dumps(skills, ensure_ascii=False)
    assert "À l’inscription, vous aviez indiqué 4 sur 5." in shown  # her offer's level
    ack = await submit_view(srv, LEA, skills, {"now_0": "5", "before_0": "3", "now_1": "4"})
    last = next_view(ack, skills)
    typed_fr = {"testimonial": "Une belle aventure", "consent": ("quote",)}
    ack = await submit_view(srv, LEA, last, typed_fr)
    assert ack == {"response_action": "clear"}
    [thanks] = srv.posted_to(LEA, "Merci pour votre bilan")
    # The last modal sent twice (a double click): one answer, as first given.
    await submit_view(srv, LEA, last, {"testimonial": "Autre chose", "consent": ()})
    [lea_row] = await answers(srv)
    assert lea_row.testimonial == "Une belle aventure" and lea_row.updated_at is None
    assert "Retirer mon accord de citation" in said(thanks) and "temoignage retirer" in said(thanks)

    # Marc answers in Teams, in English: a missing score keeps the step, nothing stored.
    form = await marc.clicks(marc_card, "Give my review")
    assert set(goal_fields) | {"nps", "changed"} <= set(inputs(form))
    kept = await marc.clicks(form, "Next", {"changed": "More confident"})
    assert "Choose a score from 0 to 10." in texts(kept)
    assert len(await answers(srv)) == 1
    skills_card = await marc.clicks(form, "Next", {"nps": "7", "changed": "Less afraid of AI"})
    assert "At enrollment you said 1 out of 5." in json.dumps(skills_card)
    testimonial_card = await marc.clicks(
        skills_card, "Next", {"now_0": "3", "before_0": "1", "now_1": "2", "before_1": "1"}
    )
    typed = {"testimonial": "Léa opened my eyes", "consent": "quote"}
    done = await marc.clicks(testimonial_card, "Send my review", typed)
    assert "Thank you for your review" in texts(done)
    assert "testimonial withdraw" in texts(done)

    # The same card sent twice (a double click): answered once, nothing added.
    again = await marc.clicks(testimonial_card, "Send my review", typed)
    assert "already" in texts(again)
    rows = {f.role: f for f in await answers(srv)}
    assert len(rows) == 2
    lea_row, marc_row = rows["mentor"], rows["mentee"]
    assert (lea_row.nps, lea_row.skill_levels, lea_row.retrospective) == (
        9, {"seo": 5, "social_ads": 4}, {"seo": 3},
    )  # fmt: skip
    assert lea_row.changed == "J’ose dire <!channel> non à un directeur"
    assert lea_row.quote_consent_at is not None and lea_row.quote_withdrawn_at is None
    assert (marc_row.nps, marc_row.skill_levels, marc_row.retrospective) == (
        7, {"seo": 3, "social_ads": 2}, {"seo": 1, "social_ads": 1},
    )  # fmt: skip
    assert marc_row.quote_consent_at is not None and marc_row.quote_withdrawn_at is None
    async with srv.runtime.database.unit_of_work() as session:
        checks = (await session.scalars(select(GoalCheck).order_by(GoalCheck.id))).all()
        assert [(c.stage, c.status) for c in checks] == [
            ("closing", "done"),
            ("closing", "on_track"),
        ]
        goals = (await session.scalars(select(Goal).order_by(Goal.position))).all()
        assert [g.status for g in goals] == ["done", "on_track"]

    # Marc changes his answer from the same card: the one row changes, none is added.
    form = await marc.clicks(marc_card, "Give my review")
    assert inputs(form)["nps"].get("value") == "7"  # his earlier answer, filled in
    skills_card = await marc.clicks(form, "Next", {"nps": "10", "changed": "Much"})
    testimonial_card = await marc.clicks(skills_card, "Next", {"now_0": "4"})
    done = await marc.clicks(testimonial_card, "Send my review", typed)
    assert "Your closing review is updated" in texts(done)
    rows = {f.role: f for f in await answers(srv)}
    assert len(rows) == 2 and rows["mentee"].nps == 10 and rows["mentee"].updated_at is not None
    assert rows["mentee"].id == marc_row.id

    # Consent withdrawn: the confirmation's button, then the typed word has nothing left.
    assert "Withdraw my consent to quote" in json.dumps(done)
    withdrawn = await marc.clicks(done, "Withdraw it")  # the button's confirmation
    assert "your consent is withdrawn" in texts(withdrawn)
    [marc_row] = [f for f in await answers(srv) if f.role == "mentee"]
    assert marc_row.quote_withdrawn_at is not None and marc_row.testimonial
    await marc.says("testimonial withdraw")
    assert "There is no consent to withdraw" in texts(marc.cards("no consent")[-1])
    await srv.command(LEA, "temoignage retirer")  # typed, in French
    assert srv.posted_to(LEA, "votre accord est retiré")
    [lea_row] = [f for f in await answers(srv) if f.role == "mentor"]
    assert lea_row.quote_withdrawn_at is not None
    await srv.command(LEA, "temoignage retirer")
    assert srv.posted_to(LEA, "Il n’y a aucun accord à retirer")


async def test_after_an_early_end_an_outsider_and_a_late_answer_are_refused(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, connector = server
    marc = TeamsPerson(srv, connector)
    await everyone_says_hello(srv, marc)
    await pair_with_goals(srv)
    await marc.says("end")
    [end_form] = marc.cards("End the pairing")[-1:]
    ended = await marc.clicks(end_form, "End the pairing", {"reason": ""})
    assert "Your pairing has ended" in texts(ended)
    await srv.due()
    assert srv.posted_to(LEA, "bilan de fin") == []  # "your pairing ended" comes first
    await later(srv, 1 / 24)
    [lea_card] = srv.posted_to(LEA, "Votre bilan de fin")
    assert "est terminé" in said(lea_card)
    [marc_card] = marc.cards("Your closing review")

    # Tom, outside the pair, sends a click on Léa's card: refused, nothing opens.
    views = len(srv.slack.calls_to("views.open"))
    outsider = click_on(srv.slack, TOM.id, lea_card, "Donner mon bilan")
    await srv.slack_post(interactivity_request(SECRET, outsider))
    assert srv.posted_to(TOM, "This review is not for you.")
    assert len(srv.slack.calls_to("views.open")) == views

    # Léa opens the review in time but sends it after it closed: refused, nothing stored.
    await srv.slack_post(
        interactivity_request(SECRET, click_on(srv.slack, LEA.id, lea_card, "Donner mon bilan"))
    )
    first = opened_view(srv)
    # Tom sends Léa's modal as his own: refused, her review still stands where it was.
    forged = await submit_view(srv, TOM, {**first, "hash": "forged"}, {"nps": "0"})
    assert forged.get("response_action") != "update"
    assert await answers(srv) == []
    await later(srv, 7)  # one reminder each, never a second
    assert len(srv.posted_to(LEA, "Un rappel")) == 1
    assert len(marc.cards("A reminder: your closing review")) == 1
    await later(srv, 15)
    assert len(srv.posted_to(LEA, "Un rappel")) == 1
    skills = next_view(await submit_view(srv, LEA, first, {"nps": "8"}), first)
    last = next_view(await submit_view(srv, LEA, skills, {"now_0": "4"}), skills)
    ack = await submit_view(srv, LEA, last, {"testimonial": "Trop tard ?", "consent": ("quote",)})
    assert ack == {"response_action": "clear"}
    assert srv.posted_to(LEA, "Ce bilan est clos")
    # Marc, late too, gets the same answer in Teams and no form.
    late = await marc.clicks(marc_card, "Give my review")
    assert "This review has closed" in texts(late) and not inputs(late)
    assert await answers(srv) == [] and await count(srv, GoalCheck) == 0
    async with srv.runtime.database.unit_of_work() as session:
        statuses = [r.status for r in await session.scalars(select(FeedbackRequest))]
    assert statuses == ["expired", "expired"]
    # The card Léa still has in Slack says the review has closed, and has no button left.
    assert lea_card.answer is not None
    held = srv.slack.messages[(str(lea_card.answer["channel"]), str(lea_card.answer["ts"]))]
    assert "Ce bilan est clos" in json.dumps(held, ensure_ascii=False)
    assert not [b for b in held["blocks"] if b["type"] == "actions"]
