"""A pair's series through the whole server on loopback: Léa in Slack (Paris, French) and
Marc in Teams (Montréal, English). Signed Slack requests and Bot Framework activities go
through the real endpoints; the injected clock moves forward and the due queue is drained.

Reminders reach each person on their own platform and in their language; Marc moves the
session in Teams (a past time is refused, nothing changes); Léa is told in Slack; the
question after the session reaches both; both say yes; the next session is announced.
"""

from __future__ import annotations

import json
from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from bot.domain.sessions.series import instant
from dialogs.sessions.lifecycle import session_confirmed
from storage.models import CheckIn, Pairing, Person, Program
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_signing import interactivity_request
from tests.slack.test_cards import click_on
from tests.teams.cards import inputs, texts
from tests.test_matching_over_platforms import (
    LEA,
    MARC_EMAIL,
    RH,
    SECRET,
    TOM,
    Server,
    TeamsPerson,
    server,
)

__all__ = ["server"]  # the fixture, shared with the matching test

pytestmark = pytest.mark.timeout(180)

PARIS = "Europe/Paris"
# The test clock stands on Tuesday 1 December 2026; the session is the next Wednesday.
START = instant(date(2026, 12, 9), time(16), PARIS)


async def plan_first_session(srv: Server) -> int:
    """Léa mentors Marc; their first session was confirmed at 16:00 Paris (sched's part)."""
    async with srv.runtime.database.unit_of_work() as session:
        people = {p.email: p for p in (await session.scalars(select(Person))).all()}
        lea, marc = people[LEA.email], people[MARC_EMAIL]
        marc.timezone = "America/Montreal"
        program = (await session.scalars(select(Program))).one()
        pairing = Pairing(program_id=program.id, mentor_id=lea.id, mentee_id=marc.id)
        session.add(pairing)
        await session.flush()
        check_in = CheckIn(
            pairing_id=pairing.id, scheduled_at=START, status="planned", zone=PARIS,
            local_start=time(16), confirmed_at=srv.runtime.clock.now(), duration_minutes=45,
        )  # fmt: skip
        session.add(check_in)
        await session_confirmed(session, check_in, now=srv.runtime.clock.now())
        await session.flush()
        return check_in.id


async def move_to(srv: Server, moment: object) -> None:
    srv.runtime.clock.set(moment)  # type: ignore[attr-defined]
    await srv.due()


async def test_reminders_reschedule_and_did_it_happen_across_slack_and_teams(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, connector = server
    marc = TeamsPerson(srv, connector)
    for person in (RH, LEA, TOM):
        await srv.command(person, "help")
    await marc.says("help")
    check_in_id = await plan_first_session(srv)
    await srv.due()

    await move_to(srv, START - timedelta(hours=24))
    [lea_reminder] = srv.posted_to(LEA, "Votre séance approche")
    assert "Déplacer" in json.dumps(lea_reminder.args, ensure_ascii=False)
    [marc_reminder] = marc.cards("Your session is coming up")
    assert "Skip this one" in json.dumps(marc_reminder)

    # Marc moves it in Teams: a past day is refused and changes nothing.
    form = await marc.clicks(marc_reminder, "Reschedule")
    assert {"day", "time"} <= set(inputs(form))
    refused = await marc.clicks(form, "Move it", {"day": "2026-11-20", "time": "10:00"})
    assert "This moment has passed" in texts(refused)
    async with srv.runtime.database.unit_of_work() as session:
        row = await session.get(CheckIn, check_in_id)
        assert row is not None and (row.scheduled_at, row.sequence) == (START, 0)
    # Thursday 10 December, 11:00 in Montréal = 17:00 in Paris.
    done = await marc.clicks(form, "Move it", {"day": "2026-12-10", "time": "11:00"})
    assert "your session is now on" in texts(done)
    new_start = instant(date(2026, 12, 10), time(17), PARIS)
    async with srv.runtime.database.unit_of_work() as session:
        row = await session.get(CheckIn, check_in_id)
        assert row is not None and (row.scheduled_at, row.sequence) == (new_start, 1)
    await srv.due()
    assert srv.posted_to(LEA, "a déplacé votre séance")

    # The old 1 h reminder never comes; the new session's do.
    await move_to(srv, START - timedelta(minutes=30))
    assert len(srv.posted_to(LEA, "Votre séance approche")) == 1
    await move_to(srv, new_start - timedelta(hours=1))
    assert len(srv.posted_to(LEA, "Votre séance approche")) == 3  # old 24 h, new 24 h, 1 h
    assert len(marc.cards("Your session is coming up")) == 3

    # An hour after the end: "did it happen?" to both; both say yes.
    await move_to(srv, new_start + timedelta(minutes=45 + 60))
    [lea_question] = srv.posted_to(LEA, "Votre séance a-t-elle eu lieu")
    [marc_question] = marc.cards("Did your session happen?")
    await srv.slack_post(
        interactivity_request(SECRET, click_on(srv.slack, LEA.id, lea_question, "Oui"))
    )
    answered = await marc.clicks(marc_question, "Yes")
    assert "Thank you" in texts(answered)
    await srv.due()
    assert srv.posted_to(LEA, "Votre prochaine séance est prévue")
    assert marc.cards("Your next session is planned")
    async with srv.runtime.database.unit_of_work() as session:
        rows = (await session.scalars(select(CheckIn).order_by(CheckIn.id))).all()
    assert [r.status for r in rows] == ["held", "planned"]
    assert rows[1].scheduled_at == instant(date(2026, 12, 24), time(17), PARIS)
