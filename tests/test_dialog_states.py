"""Flow state is shared by replicas and advances once per version."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from storage.db import Database
from storage.dialog_states import (
    advance_flow,
    load_flow,
    open_flow,
    purge_finished,
    start_flow,
)
from tests.support.clock import T0


async def test_a_flow_resumes_where_it_stopped(database: Database) -> None:
    async with database.unit_of_work() as session:
        started = await start_flow(session, "p1", "enrollment", "role", {"program": "mi"})
    async with database.unit_of_work() as session:
        moved = await advance_flow(
            session, started.id, started.version, "skills", {"role": "mentor"}, now=T0
        )
    assert moved is not None and moved.step == "skills" and moved.version == started.version + 1
    async with database.unit_of_work() as session:
        resumed = await open_flow(session, "p1", "enrollment")
    assert resumed == moved


async def test_a_late_submission_of_an_old_step_changes_nothing(database: Database) -> None:
    async with database.unit_of_work() as session:
        started = await start_flow(session, "p1", "proposal", "waiting", {})
    async with database.unit_of_work() as session:
        assert await advance_flow(
            session, started.id, started.version, "accepted", {"a": 1}, now=T0
        )
    async with database.unit_of_work() as session:
        # The same card clicked again carries the old version.
        assert (
            await advance_flow(session, started.id, started.version, "declined", {"a": 2}, now=T0)
            is None
        )
    async with database.unit_of_work() as session:
        current = await load_flow(session, started.id)
    assert current is not None and current.step == "accepted" and current.data == {"a": 1}


async def test_concurrent_answers_from_two_replicas_count_once(database_url: str) -> None:
    setup = Database(database_url)
    async with setup.unit_of_work() as session:
        started = await start_flow(session, "p1", "proposal", "waiting", {})
    await setup.dispose()

    async def answer(choice: str) -> bool:
        replica = Database(database_url)  # its own engine and connections, like a replica
        try:
            async with replica.unit_of_work() as session:
                return (
                    await advance_flow(session, started.id, started.version, choice, {}, now=T0)
                    is not None
                )
        finally:
            await replica.dispose()

    outcomes = await asyncio.gather(*(answer(c) for c in ["accepted", "declined"] * 4))
    assert sum(outcomes) == 1


async def test_a_finished_flow_does_not_move_and_is_purged_later(database: Database) -> None:
    async with database.unit_of_work() as session:
        started = await start_flow(session, "p1", "feedback", "rating", {})
        done = await advance_flow(
            session, started.id, started.version, "done", {}, finished=True, now=T0
        )
    assert done is not None and done.finished
    async with database.unit_of_work() as session:
        assert await advance_flow(session, started.id, done.version, "rating", {}, now=T0) is None
        assert await open_flow(session, "p1", "feedback") is None
    async with database.unit_of_work() as session:
        assert await purge_finished(session, T0 + timedelta(seconds=1)) == 1
        assert await load_flow(session, started.id) is None
