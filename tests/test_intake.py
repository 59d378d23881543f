"""The one record-before-ack both platforms use: a retry is a no-op, closing cancels the
recovery, and what a dead process left behind is handed back once, with its payload."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.intake import Finished, Intake
from storage.db import Database
from storage.due_runner import DueHandlers, DueRunner
from storage.migrate import upgrade
from storage.models import DueAction, InboundEvent, PlatformIdentity
from storage.queue import DueQueue
from storage.types import utcnow
from tests.support.clock import fixed_clock


async def left_behind_after(database: Database, intake: Intake) -> list[tuple[int, str]]:
    """Drain the queue past the recovery delay: what the recover callback received."""
    seen: list[tuple[int, str]] = []

    async def recover(record_id: int, body: dict[str, Any]) -> None:
        seen.append((record_id, body["text"]))

    handlers = DueHandlers()
    intake.register(handlers, recover)
    runner = DueRunner(DueQueue(database), handlers, clock=fixed_clock())
    await runner.drain(utcnow() + timedelta(minutes=3))
    return seen


async def test_a_retry_is_not_recorded_twice_and_a_dead_process_is_finished(
    database: Database,
) -> None:
    intake = Intake(database, "teams")
    first = await intake.record("a1", "message", {"text": "bonjour"})
    assert first is not None
    assert await intake.record("a1", "message", {"text": "bonjour"}) is None  # a retry
    async with database.unit_of_work() as session:  # the stored kind keeps its name
        assert (await session.execute(select(DueAction.kind))).scalars().all() == ["teams.recover"]
    assert await left_behind_after(database, intake) == [(first, "bonjour")]


async def test_closed_records_are_not_recovered(database: Database) -> None:
    intake = Intake(database, "slack")
    ids = [await intake.record(f"e{n}", "command", {"text": f"help {n}"}) for n in range(5)]
    # Closed at once: they share batched writes, each caller waiting for its own commit.
    await asyncio.gather(*(intake.close(Finished(i)) for i in ids))
    assert await left_behind_after(database, intake) == []
    async with database.unit_of_work() as session:
        statuses = (await session.execute(select(InboundEvent.status))).scalars().all()
        recoveries = (await session.execute(select(DueAction.last_error))).scalars().all()
    assert statuses == ["processed"] * 5
    assert recoveries == ["cancelled"] * 5


async def test_a_write_closed_with_the_record_shares_its_transaction(database: Database) -> None:
    intake = Intake(database, "teams")
    record = await intake.record("a2", "message", {"text": "x"}, recoverable=False)
    written: list[bool] = []

    async def also(session: AsyncSession) -> None:
        await session.execute(select(PlatformIdentity.id))
        written.append(True)

    await intake.close(Finished(record, also=also))
    await intake.close(Finished(None))  # nothing recorded, nothing to write: returns at once
    assert written == [True]
    async with database.unit_of_work() as session:
        assert await session.scalar(select(InboundEvent.status)) == "processed"
        assert (await session.execute(select(DueAction))).first() is None  # not recoverable


async def test_a_burst_is_recorded_at_once_and_a_failing_closing_fails_alone(
    database: Database,
) -> None:
    """Arrivals and closings of a burst share transactions; a retry inside the same batch as
    its original is still seen as one; an error in one closing reaches only its caller."""
    intake = Intake(database, "slack")
    keys = [f"b{n}" for n in range(8)] + ["b0"]  # the last one: Slack retrying b0 at once
    ids = await asyncio.gather(*(intake.record(k, "command", {"text": k}) for k in keys))
    assert ids[-1] is None and None not in ids[:-1] and len(set(ids[:-1])) == 8

    async def broken(session: AsyncSession) -> None:
        raise RuntimeError("this closing cannot be written")

    closings = [Finished(i) for i in ids[:-1]]
    closings[3] = Finished(ids[3], also=broken)
    results = await asyncio.gather(
        *(intake.close(f) for f in closings),
        intake.record("b9", "command", {"text": "b9"}),
        return_exceptions=True,
    )
    assert [type(r).__name__ for r in results[:-1]] == ["NoneType"] * 3 + ["RuntimeError"] + [
        "NoneType"
    ] * 4
    assert isinstance(results[-1], int)
    async with database.unit_of_work() as session:
        rows = (await session.execute(select(InboundEvent.event_id, InboundEvent.status))).all()
    assert sorted(rows) == sorted(
        [(f"b{n}", "received" if n == 3 else "processed") for n in range(8)] + [("b9", "received")]
    )


async def test_the_one_hop_journal_stores_what_the_unit_of_work_stores(tmp_path: Path) -> None:
    """On a SQLite file the journal is plain sqlite3 in one hop; the same events through the
    ordinary unit of work (a URL with options) leave the same rows, value for value, and
    what either wrote is read back alike (an aware ``received_at``, the payload's JSON)."""
    tables: list[list[tuple[Any, ...]]] = []
    for url in (f"{tmp_path / 'one_hop.db'}", f"{tmp_path / 'session.db'}?timeout=15"):
        database = Database(f"sqlite+aiosqlite:///{url}")
        try:
            await upgrade(database)
            assert database.has_one_hop == ("?" not in url)
            intake = Intake(database, "slack")
            at = utcnow()
            first = await intake.record("e1", "command", {"text": "aide « é »"})
            second = await intake.record("e2", "action", {"n": [1, 2]}, recoverable=False)
            assert await intake.record("e1", "command", {"text": "again"}) is None
            await intake.close(Finished(first, "failed"))
            rows: list[tuple[Any, ...]] = []
            async with database.unit_of_work() as session:
                for table in ("inbound_events", "due_actions"):
                    result = await session.execute(text(f"SELECT * FROM {table} ORDER BY id"))
                    rows += [tuple(_same_instant(v, at) for v in row) for row in result.all()]
                record = await session.get(InboundEvent, second)
                assert record is not None and record.payload == {"n": [1, 2]}
                assert record.received_at.tzinfo is not None
                assert abs((record.received_at - at).total_seconds()) < 5
            tables.append(rows)
        finally:
            await database.dispose()
    assert tables[0] == tables[1]
    assert len(tables[0]) == 3  # two records, one recovery (cancelled)


STORED_INSTANT = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")


def _same_instant(value: Any, at: datetime) -> Any:
    """Timestamps differ between the two runs: compare SQLAlchemy's stored format instead
    (any other format, an offset or a "T", stays as it is and makes the rows differ)."""
    if isinstance(value, str) and value[:4] == str(at.year) and STORED_INSTANT.fullmatch(value):
        return "YYYY-MM-DD HH:MM:SS.ffffff"
    return value
