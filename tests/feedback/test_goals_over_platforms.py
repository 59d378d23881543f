"""Goals through the whole server on loopback: Léa mentors from Slack in French, Marc (the
leader) answers from Teams in English; Tom, another mentor in Slack, is outside the pair.

The mid-point check reaches both on their own platform; someone outside the pair is
refused; Marc answers in Teams (a form sent twice counts once; answering again changes his
checks, never adds any); Léa is not reminded since the pair has answered; a form opened
before the request expired and sent after it is refused, nothing stored. Then the
``goals`` command: Marc sets goals from it when there are none, Léa sees them in French
and updates one, Marc sees who checked it.
"""

from __future__ import annotations

import json
from datetime import time, timedelta

import pytest
from sqlalchemy import func, select, update

from bot.domain.feedback.goals import MIDPOINT_ROUTINE
from storage.models import Feedback, FeedbackRequest, Goal, GoalCheck, Person
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_signing import interactivity_request
from tests.feedback.goals_world import (
    fire,
    last_modal,
    move_to,
    pair,
    people,
    say_hello,
    submit_modal,
)
from tests.slack.test_cards import click_on
from tests.support.clock import T0
from tests.teams.cards import inputs, texts
from tests.test_matching_over_platforms import LEA, SECRET, TOM, Server, TeamsPerson, server

__all__ = ["server"]

pytestmark = pytest.mark.timeout(240)

GOALS = ("Publier un premier post <b>LinkedIn</b>", "Read the web analytics dashboard *alone*")
MIDPOINT = T0 + timedelta(days=90)  # a year-long program: three months after the start


async def checks(srv: Server) -> list[tuple[str, str, str]]:
    async with srv.runtime.database.unit_of_work() as session:
        rows = await session.scalars(select(GoalCheck).order_by(GoalCheck.id))
        return [(c.person_id, c.stage, c.status) for c in rows]


async def statuses(srv: Server) -> list[tuple[str, bool]]:
    async with srv.runtime.database.unit_of_work() as session:
        goals = await session.scalars(select(Goal).order_by(Goal.position))
        return [(g.status, g.achieved_at is not None) for g in goals]


async def requests(srv: Server) -> dict[str, tuple[str, bool]]:
    async with srv.runtime.database.unit_of_work() as session:
        rows = await session.scalars(select(FeedbackRequest).where(
            FeedbackRequest.kind == "midpoint"))  # fmt: skip
        return {r.person_id: (r.status, r.reminded_at is not None) for r in rows}


async def test_the_midpoint_check_across_slack_and_teams(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, connector = server
    marc = TeamsPerson(srv, connector)
    await say_hello(srv, marc)
    await pair(srv, "lea", "marc", GOALS)
    ids = await people(srv)

    await fire(srv, MIDPOINT_ROUTINE, MIDPOINT - timedelta(days=1))
    assert srv.posted_to(LEA, "mi-parcours") == [] and marc.cards("Half-way") == []
    await fire(srv, MIDPOINT_ROUTINE, MIDPOINT + timedelta(hours=1))
    [lea_card] = srv.posted_to(LEA, "À mi-parcours")
    assert "LinkedIn" in json.dumps(lea_card.args, ensure_ascii=False)
    assert "&lt;b&gt;" in json.dumps(lea_card.args) or "<b>" not in json.dumps(lea_card.args)
    [marc_card] = marc.cards("Half-way through")
    assert "not checked yet" in texts(marc_card) and "Léa Martin" in texts(marc_card)
    await fire(srv, MIDPOINT_ROUTINE, MIDPOINT + timedelta(days=1))  # asked once
    assert len(srv.posted_to(LEA, "À mi-parcours")) == 1

    # Tom, outside the pair, sends a click on Léa's card: refused, nothing stored.
    opened = len(srv.slack.calls_to("views.open"))
    await srv.slack_post(
        interactivity_request(SECRET, click_on(srv.slack, TOM.id, lea_card, "Faire le point"))
    )
    assert srv.posted_to(TOM, "not addressed to you")
    assert len(srv.slack.calls_to("views.open")) == opened and await checks(srv) == []

    # Marc answers in Teams: one select per goal.
    form = await marc.clicks(marc_card, "Check our goals")
    fields = sorted(inputs(form))
    assert len(fields) == 2 and all(f.startswith("goal_") for f in fields)
    done = await marc.clicks(form, "Save", {fields[0]: "done", fields[1]: "stuck"})
    assert "Saved: 2 goals checked" in texts(done)
    assert await checks(srv) == [
        (ids["marc"], "midpoint", "done"),
        (ids["marc"], "midpoint", "stuck"),
    ]
    assert await statuses(srv) == [("done", True), ("stuck", False)]
    # The same form sent again: already answered, nothing changes.
    again = await marc.clicks(form, "Save", {fields[0]: "stuck", fields[1]: "stuck"})
    assert "already been answered" in texts(again)
    assert await statuses(srv) == [("done", True), ("stuck", False)]
    # Answering again from the card changes his checks, never adds one.
    form = await marc.clicks(marc_card, "Check our goals")
    await marc.clicks(form, "Save", {fields[1]: "on_track"})
    assert await checks(srv) == [
        (ids["marc"], "midpoint", "done"),
        (ids["marc"], "midpoint", "on_track"),
    ]
    async with srv.runtime.database.unit_of_work() as session:
        answers = await session.scalar(select(func.count()).select_from(Feedback).where(
            Feedback.kind == "midpoint"))  # fmt: skip
    assert answers == 1

    # Léa opens the form in Slack (before the request expires)...
    await srv.slack_post(
        interactivity_request(SECRET, click_on(srv.slack, LEA.id, lea_card, "Faire le point"))
    )
    view = last_modal(srv.slack)
    assert view["title"]["text"] == "Nos objectifs"
    # ...a week later: the pair answered, so no reminder for her.
    await move_to(srv, MIDPOINT + timedelta(days=8))
    assert srv.posted_to(LEA, "Rappel") == []
    assert await requests(srv) == {ids["lea"]: ("open", False), ids["marc"]: ("answered", False)}
    # Three weeks after asking, her answer is late: refused, nothing stored.
    await move_to(srv, MIDPOINT + timedelta(days=22))
    blocks = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    ack = await submit_modal(srv, LEA.id, view, {blocks[0]: "stuck"})
    assert ack.get("response_action") in ("clear", "update", None), ack
    assert srv.posted_to(LEA, "Ce point est clos")
    assert await checks(srv) == [
        (ids["marc"], "midpoint", "done"),
        (ids["marc"], "midpoint", "on_track"),
    ]
    assert (await requests(srv))[ids["lea"]][0] == "open"


async def test_a_midpoint_request_keeps_quiet_hours_and_is_reminded_once(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, connector = server
    marc = TeamsPerson(srv, connector)
    await say_hello(srv, marc)
    await pair(srv, "lea", "marc", GOALS[:1])
    ids = await people(srv)
    # Léa's quiet hours cover the mid-point (noon in Paris): her card waits for 14:00.
    async with srv.runtime.database.unit_of_work() as session:
        await session.execute(update(Person).where(Person.id == ids["lea"]).values(
            quiet_start=time(11), quiet_end=time(14), quiet_days=[]))  # fmt: skip
    await fire(srv, MIDPOINT_ROUTINE, MIDPOINT)
    assert len(marc.cards("Half-way through")) == 1
    assert srv.posted_to(LEA, "mi-parcours") == []
    await move_to(srv, MIDPOINT + timedelta(hours=3, minutes=1))
    assert len(srv.posted_to(LEA, "À mi-parcours")) == 1
    await move_to(srv, MIDPOINT + timedelta(days=7, hours=3, minutes=1))  # after her quiet hours
    assert len(srv.posted_to(LEA, "Rappel\u202f: à mi-parcours")) == 1
    assert len(marc.cards("Reminder: half-way through")) == 1
    await move_to(srv, MIDPOINT + timedelta(days=15))
    assert len(srv.posted_to(LEA, "Rappel")) == 1  # never twice
    assert await requests(srv) == {ids["lea"]: ("open", True), ids["marc"]: ("open", True)}


async def test_the_goals_command_in_slack_and_teams(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, connector = server
    marc = TeamsPerson(srv, connector)
    await say_hello(srv, marc)
    ids = await people(srv)
    await pair(srv, "lea", "marc")

    # No goals yet: Marc sets them from the overview (the kickoff form).
    await marc.says("goals")
    [overview] = marc.cards("Your goals")
    assert "No goals yet" in texts(overview)
    form = await marc.clicks(overview, "Set our goals")
    assert {"goal1", "goal2", "goal3"} <= set(inputs(form))
    saved = await marc.clicks(form, "Save", {"goal1": "Post on LinkedIn <!channel>"})
    assert "Saved: 1 goal" in texts(saved)

    # Léa, in French, sees it unchecked and marks it done.
    await srv.command(LEA, "objectifs")
    [lea_overview] = srv.posted_to(LEA, "Vos objectifs")
    shown = json.dumps(lea_overview.args, ensure_ascii=False)
    assert "Post on LinkedIn" in shown and "pas encore fait le point" in shown
    assert "<!channel>" not in shown
    await srv.slack_post(
        interactivity_request(SECRET, click_on(srv.slack, LEA.id, lea_overview, "Mettre à jour"))
    )
    view = last_modal(srv.slack)
    [block] = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    ack = await submit_modal(srv, LEA.id, view, {block: "done"})
    assert ack.get("response_action") in ("clear", None), ack
    assert srv.posted_to(LEA, "Enregistré\u202f: 1 objectif")
    assert await checks(srv) == [(ids["lea"], "update", "done")]
    assert await statuses(srv) == [("done", True)]
    # Sent again unchanged: nothing is recorded.
    await srv.slack_post(
        interactivity_request(SECRET, click_on(srv.slack, LEA.id, lea_overview, "Mettre à jour"))
    )
    ack = await submit_modal(srv, LEA.id, last_modal(srv.slack), {})
    assert srv.posted_to(LEA, "Rien n’a changé")
    assert len(await checks(srv)) == 1
    # A status that is not in the list (a forged answer): refused by field, nothing changes.
    await marc.says("goals")
    form = await marc.clicks(marc.cards("Your goals")[-1], "Update a status")
    [field] = inputs(form)
    refused = await marc.clicks(form, "Save", {field: "finished"})
    assert "Choose a status in the list." in json.dumps(refused)
    assert len(await checks(srv)) == 1 and await statuses(srv) == [("done", True)]

    # Marc reads who checked it, and when.
    await marc.says("goals")
    latest = marc.cards("Your goals")[-1]
    assert "done" in texts(latest) and "checked by" in texts(latest)
    assert "Léa Martin" in texts(latest)
