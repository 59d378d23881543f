"""What the goals and tips tests over Slack and Teams share: the pair, firing a daily
routine as the scheduler would, and a Slack modal filled and sent (signed)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select

from storage.models import Goal, Pairing, Person, Program
from storage.queue import DueQueue
from storage.routines import enqueue_fire
from tests.enrollment.test_enrollment_over_http import filled
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_signing import interactivity_request, new_trigger_id
from tests.support.clock import T0
from tests.test_matching_over_platforms import LEA, RH, SECRET, TOM, Server, TeamsPerson


async def say_hello(srv: Server, marc: TeamsPerson) -> None:
    """Everyone has talked to Tandem once: each platform knows them."""
    for person in (RH, LEA, TOM):
        await srv.command(person, "help")
    await marc.says("help")


async def people(srv: Server) -> dict[str, str]:
    """Person ids by the name before the @ of their email (lea, marc, tom, rh)."""
    async with srv.runtime.database.unit_of_work() as session:
        return {str(p.email).split("@")[0]: p.id for p in await session.scalars(select(Person))}


async def pair(srv: Server, mentor: str, mentee: str, goals: tuple[str, ...] = ()) -> int:
    """A pairing accepted at T0, with kickoff goals set by the mentor (straight in storage:
    the kickoff is not what these tests are about)."""
    ids = await people(srv)
    async with srv.runtime.database.unit_of_work() as session:
        program = (await session.scalars(select(Program))).one()
        pairing = Pairing(program_id=program.id, mentor_id=ids[mentor], mentee_id=ids[mentee],
                          started_at=T0)  # fmt: skip
        session.add(pairing)
        await session.flush()
        for n, text in enumerate(goals, 1):
            session.add(Goal(pairing_id=pairing.id, position=n, text=text, created_by=ids[mentor]))
        return pairing.id


async def fire(srv: Server, name: str, at: datetime) -> None:
    """Move the server's clock to ``at``, fire the daily routine ``name`` as the scheduler
    would at that moment, and run what falls due."""
    srv.runtime.clock.set(at)  # type: ignore[attr-defined]
    [routine] = [r for r in srv.runtime.all_routines() if r.name == name]
    if routine.kind not in srv.runtime.handlers:  # the server's Ticker registers it
        srv.runtime.handlers.register(routine.kind)(routine.fn)
    await enqueue_fire(DueQueue(srv.runtime.database), routine, at)
    await srv.due()


async def move_to(srv: Server, at: datetime) -> None:
    srv.runtime.clock.set(at)  # type: ignore[attr-defined]
    await srv.due()


def last_modal(slack: FakeSlack) -> dict[str, Any]:
    return dict(slack.calls_to("views.open")[-1].answer["view"])  # type: ignore[index]


async def submit_modal(
    srv: Server, user_id: str, view: dict[str, Any], answers: dict[str, Any]
) -> dict[str, Any]:
    """A signed ``view_submission`` of ``view`` filled with ``answers``; the ack's body."""
    payload = {
        "type": "view_submission",
        "team": {"id": srv.slack.team_id, "domain": "tandem-test"},
        "user": {"id": user_id, "team_id": srv.slack.team_id},
        "api_app_id": "A0TANDEM1",
        "trigger_id": new_trigger_id(),
        "view": {**view, "state": {"values": filled(view, answers)}},
    }
    signed = interactivity_request(SECRET, payload)
    async with srv.http.post(
        f"{srv.url}/slack/events", data=signed.body, headers=signed.headers
    ) as response:
        assert response.status == 200
        text = await response.text()
    await srv.settle()
    return dict(json.loads(text)) if text else {}


def said(srv: Server, user: Any) -> str:
    """Everything posted to ``user`` in Slack, as one text."""
    return json.dumps([c.args for c in srv.posted_to(user, "")], ensure_ascii=False)
