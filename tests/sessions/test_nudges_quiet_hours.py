"""Nudges respect people's time: the daily look at the pairs runs at 10:30 in Paris, when
it is 04:30 in Montréal, so the Montréal leader's nudge waits for his morning while the
Paris mentor's goes at once; a rerun of the same fire sends nothing twice; and a pair with
someone on a pause hears nothing at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update

from bot.clock import Ticker
from bot.domain.sessions.nudges import NUDGES_ROUTINE
from dialogs.notify.notifier import Notifier, NotifierConfig
from dialogs.sessions.nudges import NUDGES
from storage.db import Database
from storage.due_runner import DueHandlers, DueRunner
from storage.models import Enrollment, Pairing, Person
from storage.routines import Routine
from tests.support.channels import RecordingChannel
from tests.support.clock import fixed_clock
from tests.support.people import add_person, add_program, enroll, pair

PAIRED = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)  # a Monday
FRIDAY_1030_PARIS = datetime(2027, 3, 5, 9, 30, tzinfo=UTC)
FRIDAY_8_MONTREAL = datetime(2027, 3, 5, 13, 0, tzinfo=UTC)


@dataclass
class Pair:
    channel: RecordingChannel
    ticker: Ticker
    routine: Routine
    lea: str
    marc: str  # the leader, in Montréal

    async def at(self, when: datetime, *, fire: bool = False) -> None:
        self.ticker.runner.clock.set(when)  # type: ignore[attr-defined]
        if fire:
            await self.ticker.fire(self.routine, when)
        for _ in range(3):
            await self.ticker.runner.drain(when)


async def paired(database: Database, *, paused: bool = False) -> Pair:
    channel, clock = RecordingChannel(), fixed_clock(PAIRED)
    notifier = Notifier(database, {"slack": channel}, NotifierConfig(default_locale="en"),
                        clock=clock)  # fmt: skip
    handlers = DueHandlers()
    notifier.register(handlers)
    runner = DueRunner(notifier.queue, handlers, clock=clock)
    ticker = Ticker(runner, NUDGES.register(handlers, database, notifier), timezone="Europe/Paris")
    [routine] = [r for r in ticker.routines if r.name == NUDGES_ROUTINE]
    program = await add_program(database)
    lea = await add_person(database, "ULEA", "lea@acme.example", first="Lea")
    marc = await add_person(database, "UMARC", "marc@acme.example", first="Marc")
    await enroll(database, lea, program)
    await enroll(database, marc, program, status="paused" if paused else "active", role="mentee")
    pairing = await pair(database, program, lea, marc)
    async with database.unit_of_work() as session:
        await session.execute(
            update(Person).where(Person.id == marc).values(timezone="America/Montreal")
        )
        await session.execute(
            update(Pairing).where(Pairing.id == pairing).values(started_at=PAIRED)
        )
    return Pair(channel, ticker, routine, lea, marc)


async def test_a_nudge_waits_for_the_readers_morning(database: Database) -> None:
    p = await paired(database)
    await p.at(FRIDAY_1030_PARIS, fire=True)
    assert not await p.ticker.fire(p.routine, FRIDAY_1030_PARIS)  # the same fire, once
    assert [m.summary for m in p.channel.to(p.lea)] == ["Your first session"]
    assert p.channel.to(p.marc) == []  # 04:30 in Montréal

    await p.at(FRIDAY_8_MONTREAL)
    assert [m.summary for m in p.channel.to(p.marc)] == ["Your first session"]
    assert len(p.channel.to(p.lea)) == 1


async def test_a_pair_with_someone_on_a_pause_hears_nothing(database: Database) -> None:
    p = await paired(database, paused=True)
    await p.at(FRIDAY_1030_PARIS, fire=True)
    await p.at(FRIDAY_8_MONTREAL)
    assert p.channel.sent == []
    async with database.unit_of_work() as session:  # and the pause is left as it was
        status = await session.scalar(
            select(Enrollment.status).where(Enrollment.person_id == p.marc)
        )
    assert status == "paused"
