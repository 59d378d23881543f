"""Inbound events are recorded once whatever the retries; the audit keeps opaque ids."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from storage.audit import audit_since, record_audit
from storage.db import Database
from storage.inbound import mark_processed, record_inbound, unprocessed_before


async def test_the_same_event_delivered_four_times_is_recorded_once(database_url: str) -> None:
    async def deliver() -> int | None:
        replica = Database(database_url)
        try:
            async with replica.unit_of_work() as session:
                return await record_inbound(session, "slack", "Ev123", "message", {"text": "hi"})
        finally:
            await replica.dispose()

    first = await deliver()
    retries = await asyncio.gather(deliver(), deliver(), deliver())  # two at once, and more
    assert first is not None
    assert retries == [None, None, None]


async def test_a_record_left_by_a_dead_process_is_found_and_closed_once(
    database: Database,
) -> None:
    async with database.unit_of_work() as session:
        record = await record_inbound(session, "teams", "act-1", "invoke", {})
        await record_inbound(session, "teams", "act-2", "invoke", {})
    assert record is not None
    later = datetime.now(UTC) + timedelta(minutes=1)
    async with database.unit_of_work() as session:
        left = await unprocessed_before(session, later)
        assert [r.event_id for r in left] == ["act-1", "act-2"]
        assert await mark_processed(session, record)
        assert not await mark_processed(session, record)
    async with database.unit_of_work() as session:
        assert [r.event_id for r in await unprocessed_before(session, later)] == ["act-2"]


async def test_audit_events_are_listed_since_a_date(database: Database) -> None:
    start = datetime(2027, 1, 1, tzinfo=UTC)
    async with database.unit_of_work() as session:
        record_audit(session, "program.opened", actor_id="a1", program_id=1, at=start)
        record_audit(session, "consent.accepted", actor_id="p1", at=start + timedelta(days=2))
    async with database.unit_of_work() as session:
        recent = await audit_since(session, start + timedelta(days=1))
        everything = await audit_since(session)
    assert [e.action for e in recent] == ["consent.accepted"]
    assert [e.action for e in everything] == ["program.opened", "consent.accepted"]
