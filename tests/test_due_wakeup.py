"""Work due now starts now: a committed unit of work wakes the runner, on this process and,
on PostgreSQL, on the other replicas (LISTEN/NOTIFY); the 30-second poll in these tests can
never be what ran the action within the few seconds each wait allows."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bot.clock import SystemClock, Ticker
from storage.db import Database
from storage.due_runner import DueRunner
from storage.models import DueAction
from storage.queue import ClaimedAction, DueQueue
from storage.wakeup import LISTENER_NAME
from tests.due_woken import KIND as WOKEN
from tests.support.waiting import eventually, within

POLL = timedelta(seconds=30)  # the fallback, far beyond every deadline below
SOON = 5.0  # seconds: "well before the poll"


class Handled:
    """The keys the runner handled, and a way to wait for one."""

    def __init__(self) -> None:
        self.keys: list[str] = []

    async def __call__(self, action: ClaimedAction) -> None:
        self.keys.append(action.idempotency_key)

    async def ran(self, key: str) -> None:
        await eventually(lambda: key in self.keys, f"{key!r} to run", timeout=SOON)


async def enqueue(database: Database, key: str, due_at: datetime, kind: str = "ping") -> None:
    async with database.unit_of_work() as session:
        assert await DueQueue(database).enqueue(session, kind, key, due_at)


@pytest.fixture
async def ticking(database: Database) -> AsyncIterator[tuple[Ticker, Handled]]:
    """A runner on the wall clock that polls every 30 s, past its first drain."""
    handled = Handled()
    await enqueue(database, "first", datetime.now(UTC))
    ticker = Ticker(
        DueRunner(DueQueue(database), {"ping": handled}, clock=SystemClock()), interval=POLL
    )
    ticker.start()
    try:
        await handled.ran("first")  # the drain at start: it now sleeps until woken
        if ticker.listener is not None:
            await within(ticker.listener.listening.wait(), "the listener to LISTEN")
        yield ticker, handled
    finally:
        await ticker.shutdown()


@pytest.mark.timeout(60)
async def test_an_action_due_now_runs_once_its_unit_of_work_commits(
    database: Database, ticking: tuple[Ticker, Handled]
) -> None:
    _, handled = ticking
    await enqueue(database, "now", datetime.now(UTC))
    await handled.ran("now")
    # One due in a second, queued while the runner sleeps: its alarm is set for it.
    await enqueue(database, "in-a-second", datetime.now(UTC) + timedelta(seconds=1))
    await handled.ran("in-a-second")
    assert handled.keys == ["first", "now", "in-a-second"]


@pytest.mark.timeout(60)
async def test_a_rolled_back_unit_of_work_runs_nothing_and_the_next_one_still_wakes(
    database: Database, ticking: tuple[Ticker, Handled]
) -> None:
    _, handled = ticking
    with pytest.raises(RuntimeError):
        async with database.unit_of_work() as session:
            await DueQueue(database).enqueue(session, "ping", "undone", datetime.now(UTC))
            raise RuntimeError("the flow failed after queueing")
    await enqueue(database, "after", datetime.now(UTC))
    await handled.ran("after")
    assert handled.keys == ["first", "after"]
    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(DueAction)) == 2


@pytest.mark.timeout(60)
async def test_a_replica_is_woken_by_another_one_and_after_its_listener_is_killed(
    database_url: str, database: Database, ticking: tuple[Ticker, Handled]
) -> None:
    if database.is_sqlite:
        pytest.skip("replicas share a PostgreSQL database")
    ticker, handled = ticking
    assert ticker.listener is not None
    other = Database(database_url)  # another replica: its commits ring no alarm here
    try:
        await enqueue(other, "from-the-other", datetime.now(UTC))
        await handled.ran("from-the-other")

        async with other.engine.begin() as connection:
            killed = await connection.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = :name AND pid <> pg_backend_pid()"
                ),
                {"name": LISTENER_NAME},
            )
        assert killed == 1
        await eventually(
            lambda: ticker.listener is not None and ticker.listener.connections == 2,
            "the listener to reconnect",
        )
        await within(ticker.listener.listening.wait(), "the listener to LISTEN again")
        await enqueue(other, "after-the-kill", datetime.now(UTC))
        await handled.ran("after-the-kill")
    finally:
        await other.dispose()


@pytest.mark.timeout(90)
async def test_a_runner_in_another_process_is_woken_by_notify(
    database_url: str, database: Database, tmp_path: Path
) -> None:
    if database.is_sqlite:
        pytest.skip("NOTIFY is PostgreSQL's")
    out = tmp_path / "handled.txt"
    await enqueue(database, "warm-up", datetime.now(UTC), kind=WOKEN)
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.due_woken", "--url", database_url, "--out", str(out)]
    )
    try:

        def handled() -> list[str]:
            return out.read_text().split() if out.exists() else []

        # Listening, and past its first drain: only a NOTIFY can wake it within the wait.
        await eventually(
            lambda: Path(f"{out}.ready").exists() and handled() == ["warm-up"],
            "the other process to drain and listen",
            timeout=30,
        )
        await enqueue(database, "woken", datetime.now(UTC), kind=WOKEN)
        await eventually(lambda: "woken" in handled(), "the other process to run it", SOON)
        assert handled() == ["warm-up", "woken"]
    finally:
        process.terminate()
        deadline = time.monotonic() + 20
        while process.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
