"""The one record-before-ack both platforms use: a retry is a no-op, closing cancels the
recovery, and what a dead process left behind is handed back once, with its payload."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.intake import Finished, Intake
from storage.db import Database
from storage.due_runner import DueHandlers, DueRunner
from storage.inbound import Arrival, close_records, record_arrivals
from storage.journal import one_trip_journal
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


async def test_the_one_trip_journal_stores_what_a_unit_of_work_stores(
    database: Database,
) -> None:
    """Records and recoveries written in one trip (plain sqlite3 in one hop, or one
    PostgreSQL statement) are the rows ``record_arrivals`` and ``close_records`` write in a
    unit of work, value for value and in the same stored format, and read back alike."""
    journal = one_trip_journal(database, "slack", "slack.recover")
    assert journal is not None
    due = utcnow() + timedelta(minutes=2)

    def arrivals(side: str) -> list[Arrival]:
        return [
            Arrival(f"{side}1", "command", {"text": "aide « é » <b>"}, due),
            Arrival(f"{side}2", "action", {"n": [1, 2], "ok": None}),
        ]

    by_trip = await journal.write({}, arrivals("a"))
    assert await journal.write({}, arrivals("a")[:1]) == {}  # a retry: nothing new
    async with database.unit_of_work(immediate=True) as session:
        by_unit = await record_arrivals(session, "slack", "slack.recover", arrivals("b"))
    await journal.write({by_trip["a1"]: "failed"}, [])
    async with database.unit_of_work(immediate=True) as session:
        await close_records(session, "slack.recover", {by_unit["b1"]: "failed"})

    names = {str(i): e[1:] for e, i in {**by_trip, **by_unit}.items()}
    side_of = {str(i): e[0] for e, i in {**by_trip, **by_unit}.items()}
    rows: dict[str, list[tuple[Any, ...]]] = {"a": [], "b": []}
    async with database.unit_of_work() as session:
        for table, key in (("inbound_events", "id"), ("due_actions", "payload")):
            result = await session.execute(text(f"SELECT * FROM {table} ORDER BY id"))
            for row in result.mappings().all():
                record = str(row[key] if key == "id" else _payload(row[key])["record"])
                shown = {k: _kept_format(v) for k, v in row.items() if k not in ("id", "event_id")}
                shown["idempotency_key"] = shown.get("idempotency_key") and "slack.recover:N"
                payload = _payload(row["payload"])
                if key != "id":  # the recovery names its record: by event, not by id
                    payload = {k: names[str(v)] if k == "record" else v for k, v in payload.items()}
                shown["payload"] = payload
                rows[side_of[record]].append((names[record], table, sorted(shown.items())))
        record = await session.get(InboundEvent, by_trip["a2"])
        assert record is not None and record.payload == {"n": [1, 2], "ok": None}
        assert abs((record.received_at - utcnow()).total_seconds()) < 60
    assert rows["a"] == rows["b"]
    assert len(rows["a"]) == 3  # two records, one recovery (cancelled)


STORED_INSTANT = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")


def _kept_format(value: Any) -> Any:
    """Instants differ between the two writes: compare how each is stored instead (SQLite's
    text in SQLAlchemy's format, PostgreSQL's aware value). Any other format, an offset or
    a "T", stays as it is and makes the rows differ."""
    if isinstance(value, str) and STORED_INSTANT.fullmatch(value):
        return "YYYY-MM-DD HH:MM:SS.ffffff"
    if isinstance(value, datetime):
        return ("datetime", value.utcoffset())
    return value


def _payload(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


async def test_a_journal_connection_the_server_closed_is_replaced(database: Database) -> None:
    """PostgreSQL: the journal keeps one connection; when the server has ended it (a
    restart, an idle timeout), the next write reconnects and is recorded all the same."""
    if database.dialect != "postgresql":
        pytest.skip("PostgreSQL only: the SQLite journal has no server to lose")
    intake = Intake(database, "slack")
    first = await intake.record("k1", "command", {"text": "un"})
    async with database.engine.connect() as admin:
        ended = await admin.scalar(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    assert ended == 1  # the journal's kept connection
    second = await intake.record("k2", "command", {"text": "deux"})
    await intake.close(Finished(first))
    async with database.unit_of_work() as session:
        rows = (await session.execute(select(InboundEvent.id, InboundEvent.status))).all()
    assert sorted(rows) == [(first, "processed"), (second, "received")]
