"""After its retention period a program's free text is gone from every column that holds
it, the numbers the report reads are unchanged, other programs keep their words, and a
second run changes nothing more. Before the period nothing changes. Through the due queue
and the nightly routine, on the injected clock, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.domain.retention import ROUTINE
from storage.db import Database
from storage.models import AuditEvent, DueAction, Feedback, Pairing, Program
from storage.reports.facts import program_facts
from storage.routines import enqueue_fire
from tests.retention.texts import TEXT_COLUMNS, aggregates, seed, words, written
from tests.support.world import World, world

# "old" ended on 30 June 2027: with the default 12 months its texts go from midnight on
# 1 July 2028 in Paris (22:00 UTC the day before). "new" ends a year later.
ENDS = {"old": date(2027, 6, 30), "new": date(2028, 6, 30)}
ERASED_AT = datetime(2028, 6, 30, 22, 0, tzinfo=UTC)


async def night(w: World, at: datetime) -> None:
    """The nightly routine fires at ``at`` as the scheduler would; what is due runs."""
    assert w.ticker is not None
    [routine] = [r for r in w.ticker.routines if r.name == ROUTINE]
    if routine.kind not in w.runner.handlers:
        w.runner.handlers.register(routine.kind)(routine.fn)
    await enqueue_fire(w.runner.queue, routine, at)
    await w.drain(at)


async def report_figures(database: Database, program_id: int) -> object:
    """What ``admin report`` computes its figures from, for the program (its facts: each
    answer's rating, NPS and skill levels, requests, sessions, goals), testimonials aside."""
    async with database.unit_of_work() as session:
        program = await session.get(Program, program_id)
        assert program is not None
        facts = await program_facts(session, program, ERASED_AT + timedelta(days=2))
    facts = replace(facts, feedback=tuple(replace(f, quote=None) for f in facts.feedback))
    # In any order (an UPDATE moves rows on PostgreSQL, and the facts are read unordered).
    return {
        name: sorted(map(repr, value)) if isinstance(value, list | tuple) else value
        for name, value in vars(facts).items()
    }


async def erasures(database: Database) -> list[AuditEvent]:
    async with database.unit_of_work() as session:
        query = select(AuditEvent).where(AuditEvent.action == "retention.erased")
        return list(await session.scalars(query.order_by(AuditEvent.id)))


async def queued(database: Database) -> list[tuple[str, datetime]]:
    async with database.unit_of_work() as session:
        rows = await session.execute(
            select(DueAction.idempotency_key, DueAction.due_at)
            .where(DueAction.kind == "retention.erase")
            .order_by(DueAction.id)
        )
        return [(k, d) for k, d in rows]


async def test_free_text_is_erased_after_the_period_and_the_numbers_stay(
    database: Database,
) -> None:
    w = await world(database, every_feature=True)
    seeded = await seed(database, ENDS)
    old, new = seeded.program_ids["old"], seeded.program_ids["new"]
    before_words, before_numbers = await words(database), await aggregates(database)
    before_report = await report_figures(database, old)
    assert before_report != await report_figures(database, new)  # it does hold answers
    # Every listed column holds words in both programs: the test can see them go.
    for model, column in TEXT_COLUMNS:
        for program_id in (old, new):
            values = before_words[(model.__tablename__, column, program_id)]
            assert any(v is not None for v in values), (model.__tablename__, column)

    await night(w, ERASED_AT - timedelta(days=3))  # too early even to queue
    assert await queued(database) == []
    await night(w, ERASED_AT - timedelta(hours=20))  # queued for its instant; not run yet
    assert [d for _, d in await queued(database)] == [ERASED_AT]
    assert await words(database) == before_words
    await w.drain(ERASED_AT - timedelta(seconds=1))
    assert await words(database) == before_words and await erasures(database) == []

    await w.drain(ERASED_AT)
    after = await words(database)
    assert written(after, old) == 0
    for (table, column, program_id), values in after.items():
        if program_id == new:
            assert values == before_words[(table, column, program_id)]
    assert await aggregates(database) == before_numbers
    # The report reads the same facts: only the quotable testimonials are gone.
    assert await report_figures(database, old) == before_report
    [event] = await erasures(database)
    assert event.program_id == old and event.actor_id is None and event.at == ERASED_AT
    assert all(isinstance(v, int) for v in event.details.values())  # counts, never words
    assert event.details == {
        "learned": 2, "comments": 1, "pulse_comments": 2, "changed": 2, "testimonials": 2,
        "thanks": 1, "decline_reasons": 1, "end_reasons": 1, "quotable": 1, "total": 12,
        "months": 12,
    }  # fmt: skip

    # Running again (the next night, or the same action twice) changes nothing more.
    await night(w, ERASED_AT + timedelta(hours=5))
    await night(w, ERASED_AT + timedelta(days=1, hours=5))
    assert len(await queued(database)) == 1  # nothing left to erase: nothing queued
    assert await words(database) == after and await aggregates(database) == before_numbers
    assert len(await erasures(database)) == 1


async def test_text_written_late_is_erased_the_next_night(database: Database) -> None:
    """A closing answer that arrives after the erasure does not stay forever."""
    w = await world(database, every_feature=True)
    seeded = await seed(database, ENDS)
    old = seeded.program_ids["old"]
    await night(w, ERASED_AT - timedelta(hours=20))
    await w.drain(ERASED_AT)
    async with database.unit_of_work() as session:
        answer = (await session.scalars(
            select(Feedback).join(Pairing, Pairing.id == Feedback.pairing_id)
            .where(Pairing.program_id == old, Feedback.kind == "closing"))).first()  # fmt: skip
        assert answer is not None
        answer.changed = "Écrit en retard"
    await night(w, ERASED_AT + timedelta(days=1))
    assert written(await words(database), old) == 0
    assert [e.details["total"] for e in await erasures(database)] == [12, 1]


async def test_a_longer_period_set_after_queueing_stops_the_erasure(database: Database) -> None:
    w = await world(database, every_feature=True)
    seeded = await seed(database, ENDS)
    before = await words(database)
    await night(w, ERASED_AT - timedelta(hours=20))
    async with database.unit_of_work() as session:
        program = await session.get(Program, seeded.program_ids["old"])
        assert program is not None
        program.retention_months = 24
    await w.drain(ERASED_AT + timedelta(days=1))
    assert await words(database) == before and await erasures(database) == []


async def test_nothing_is_erased_before_the_period(database: Database) -> None:
    """A year of nights before the date: nothing queued, nothing erased."""
    w = await world(database, every_feature=True)
    await seed(database, ENDS)
    before_words, before_numbers = await words(database), await aggregates(database)
    at = datetime(2027, 7, 1, 1, 20, tzinfo=UTC)
    while at < ERASED_AT - timedelta(days=2):
        await night(w, at)
        at += timedelta(days=30)
    assert await queued(database) == [] and await erasures(database) == []
    assert await words(database) == before_words
    assert await aggregates(database) == before_numbers
