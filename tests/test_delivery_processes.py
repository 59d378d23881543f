"""Reminders delivered by real OS processes sharing one PostgreSQL queue, to the fake Slack.

Three delivery processes (``tests/delivery_worker.py``: the notifier, the Slack channel and
a due runner, as ``tandem serve`` wires them, with a 5-second lease) drain reminders queued
through the notifier: each reaches Slack exactly once; with one process killed (SIGKILL)
mid-drain five times, nothing is lost and the only duplicates are reminders whose lease
was in flight in the killed process; after an outage of every process, reminders fallen due
meanwhile arrive in order for each person, and one whose session has begun is not sent.

``TANDEM_RELIABILITY_REMINDERS`` sets how many (default 2,000; the issue's 10,000 were run
by hand, see the closing note of the delivery branch).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from bot.clock import SystemClock
from bot.domain.notifications import Announcement
from dialogs.notify.notifier import DELIVER, Delivery, Notifier, NotifierConfig
from storage.db import Database
from storage.models import DueAction, Person, PlatformIdentity
from storage.types import utcnow
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_directory import FakeUser

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parent.parent
REMINDERS = int(os.environ.get("TANDEM_RELIABILITY_REMINDERS", "2000"))
TEAM = "T0TANDEM1"
LEASE_S = 5.0
BATCH = 10
# Each wait's deadline and each test's timeout grow with the count: about 15 reminders a
# second got through on a 2-core machine shared with a dozen other test runs.
DEADLINE_S = max(240.0, REMINDERS / 5)
TIMEOUT_S = int(DEADLINE_S * 1.75)


class SlackInAThread:
    """The fake Slack on its own event loop, so the test can block on processes."""

    def __init__(self, people: int) -> None:
        users = [FakeUser(user_id(n), f"u{n}", f"p{n}@acme.example") for n in range(people)]
        # The spec checks cost more CPU than the processes under test; tests/slack keeps them.
        self.fake = FakeSlack(users=users, check_calls=False)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def __enter__(self) -> SlackInAThread:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.fake.start(), self.loop).result(30)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.fake.close(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(30)

    def posted(self) -> list[tuple[str, str]]:
        """(channel, text) of each accepted chat.postMessage, in arrival order."""
        return [
            (str(call.answer["channel"]) if call.answer else "", str(call.args.get("text")))
            for call in list(self.fake.calls)
            if call.method == "chat.postMessage" and call.status == 200
        ]


def user_id(n: int) -> str:
    return f"U{n:08d}"


def marker(n: int) -> str:
    return f"reminder {n:05d}"


@pytest.fixture
def postgres_url(postgres_template: str) -> Iterator[str]:
    url = create_postgres_database(template=postgres_template)
    yield url
    drop_postgres_database(url)


async def _people(database: Database, count: int) -> list[str]:
    async with database.unit_of_work() as session:
        people = [
            Person(
                email=f"p{n}@acme.example",
                first_name=f"P{n}",
                last_name="Test",
                timezone="Europe/Paris",
                locale="en",
                languages=["en"],
            )
            for n in range(count)
        ]
        session.add_all(people)
        await session.flush()
        session.add_all(
            PlatformIdentity(person_id=p.id, platform="slack", tenant_id=TEAM, user_id=user_id(n))
            for n, p in enumerate(people)
        )
        return [p.id for p in people]


async def _remind(
    url: str,
    people: int,
    reminders: list[tuple[int, int, datetime, datetime | None]],
) -> list[str]:
    """Queue (reminder number, person number, due, not_after) through the notifier."""
    database = Database(url)
    ids = await _people(database, people)
    notifier = Notifier(database, {}, NotifierConfig(quiet_hours=None), clock=SystemClock())
    for start in range(0, len(reminders), 500):
        async with database.unit_of_work() as session:
            for n, person, due, not_after in reminders[start : start + 500]:
                await notifier.notify(
                    session,
                    ids[person],
                    Announcement(marker(n), marker(n)),
                    key=f"r{n}",
                    at=due,
                    not_after=not_after,
                    proactive=False,
                )
    await database.dispose()
    return ids


async def _actions(url: str) -> dict[str, tuple[str, int]]:
    database = Database(url)
    async with database.sessions() as session:
        rows = await session.execute(
            select(DueAction.idempotency_key, DueAction.status, DueAction.attempts)
        )
        found = {key: (status, attempts) for key, status, attempts in rows}
    await database.dispose()
    return found


class Workers:
    """Delivery processes started, killed and stopped by the test."""

    def __init__(self, url: str, slack_url: str, directory: Path) -> None:
        self.url, self.slack_url, self.directory = url, slack_url, directory
        self.stop_file = directory / "stop"
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.started = 0

    def start(self, clock_offset: float = 0.0) -> str:
        self.started += 1
        owner = f"worker-{self.started}"
        ready = self.directory / f"{owner}.ready"
        command = [
            sys.executable,
            "-m",
            "tests.delivery_worker",
            "--url",
            self.url,
            "--slack-url",
            self.slack_url,
            "--owner",
            owner,
            "--ready",
            str(ready),
            "--stop",
            str(self.stop_file),
            "--batch",
            str(BATCH),
            "--lease",
            str(LEASE_S),
            "--clock-offset",
            str(clock_offset),
        ]
        log = (self.directory / f"{owner}.log").open("wb")
        self.running[owner] = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=log, stderr=log
        )
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert self.running[owner].poll() is None, f"{owner} died: see {owner}.log"
            assert time.monotonic() < deadline, f"{owner} never got ready"
            time.sleep(0.05)
        return owner

    def kill(self, owner: str) -> None:
        process = self.running.pop(owner)
        process.send_signal(signal.SIGKILL)
        process.wait(30)

    def stop(self) -> None:
        self.stop_file.touch()
        for owner, process in self.running.items():
            assert process.wait(60) == 0, f"{owner} failed: see {owner}.log"
        self.running.clear()
        self.stop_file.unlink()

    def close(self) -> None:
        for process in self.running.values():
            process.kill()
            process.wait(30)


def _wait_for(slack: SlackInAThread, expected: set[str], workers: Workers) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not expected <= {text for _, text in slack.posted()}:
        for owner, process in workers.running.items():
            assert process.poll() is None, f"{owner} died: see {owner}.log"
        missing = len(expected - {text for _, text in slack.posted()})
        assert time.monotonic() < deadline, f"{missing} reminders never arrived"
        time.sleep(0.2)


def _queue_all_due_now(url: str) -> set[str]:
    """REMINDERS reminders, two per person, all due: the rows ``Notifier.notify`` queues,
    inserted in bulk (10,000 calls one by one take minutes on a busy machine). Returns
    the markers expected."""
    due = utcnow() - timedelta(seconds=5)
    people = REMINDERS // 2

    async def insert_all() -> None:
        database = Database(url)
        ids = await _people(database, people)
        rows = []
        for n in range(REMINDERS):
            person_id = ids[n % people]
            reminder = Announcement(marker(n), marker(n)).to_payload()
            rows.append(
                {
                    "kind": DELIVER.name,
                    "idempotency_key": f"r{n}",
                    "payload": DELIVER.dump(Delivery(person_id, reminder)),
                    "lane": f"person:{person_id}",
                    "due_at": due + timedelta(seconds=n // people),  # paced: 1 s apart
                    "status": "pending",
                    "attempts": 0,
                    "max_attempts": 5,
                }
            )
        async with database.unit_of_work() as session:
            await session.execute(insert(DueAction), rows)
        await database.dispose()

    asyncio.run(insert_all())
    return {marker(n) for n in range(REMINDERS)}


@contextmanager
def three_processes(
    url: str, directory: Path, people: int, clock_offset: float = 0.0
) -> Iterator[tuple[SlackInAThread, Workers]]:
    """The fake Slack and three delivery processes; stopped cleanly when the body ends."""
    with SlackInAThread(people) as slack:
        workers = Workers(url, slack.fake.base_url, directory)
        try:
            for _ in range(3):
                workers.start(clock_offset)
            yield slack, workers
            workers.stop()
        finally:
            workers.close()


@pytest.mark.timeout(TIMEOUT_S)
def test_three_processes_deliver_each_reminder_exactly_once(
    postgres_url: str, tmp_path: Path
) -> None:
    expected = _queue_all_due_now(postgres_url)
    with three_processes(postgres_url, tmp_path, REMINDERS // 2) as (slack, workers):
        _wait_for(slack, expected, workers)
    delivered = Counter(text for _, text in slack.posted())
    assert set(delivered) == expected
    assert [text for text, times in delivered.items() if times > 1] == []
    actions = asyncio.run(_actions(postgres_url))
    assert Counter(status for status, _ in actions.values()) == {"done": REMINDERS}


@pytest.mark.timeout(TIMEOUT_S)
def test_killing_a_process_five_times_mid_drain_loses_nothing(
    postgres_url: str, tmp_path: Path
) -> None:
    expected = _queue_all_due_now(postgres_url)
    killed: list[str] = []
    with three_processes(postgres_url, tmp_path, REMINDERS // 2) as (slack, workers):
        for kill in range(1, 6):
            deadline = time.monotonic() + DEADLINE_S
            while len(slack.posted()) < kill * REMINDERS // 7:
                assert time.monotonic() < deadline, "the processes stopped delivering"
                time.sleep(0.05)
            victim = sorted(workers.running)[kill % 3]  # a different one each time
            workers.kill(victim)
            killed.append(victim)
            workers.start()
        _wait_for(slack, expected, workers)
    delivered = Counter(text for _, text in slack.posted())

    assert set(delivered) == expected  # nothing lost
    duplicated = sorted(text for text, times in delivered.items() if times > 1)
    actions = asyncio.run(_actions(postgres_url))
    assert Counter(status for status, _ in actions.values()) == {"done": REMINDERS}
    # Taken over after a lease ran out: the killed processes' in-flight batches.
    taken_over = {key for key, (_, attempts) in actions.items() if attempts > 1}
    print(
        f"\n{REMINDERS} reminders, killed {killed}: {len(duplicated)} delivered twice, "
        f"{len(taken_over)} taken over after a lease ran out"
    )
    assert {f"r{int(text.split()[1])}" for text in duplicated} <= taken_over
    assert len(taken_over) <= 5 * BATCH


@pytest.mark.timeout(300)
def test_reminders_due_during_an_outage_arrive_in_order_and_late_ones_are_dropped(
    postgres_url: str, tmp_path: Path
) -> None:
    """Every process stops (SIGKILL); reminders fall due over the next minutes (75 s from
    the first to the last); the processes restart once all are due (their clock moved
    forward, rather than the test waiting), whatever the start-up took on a busy machine."""
    # Few people with many reminders each: the three processes' batches then hold the
    # same people's reminders, and any of them could overtake another without lanes.
    people, per_person = 4, 25
    start = utcnow()
    reminders: list[tuple[int, int, datetime, datetime | None]] = []
    for person in range(people):
        for k in range(per_person):
            n = person * per_person + k
            due = start + timedelta(seconds=300 + 3 * k)  # 300 to 372 s from now
            reminders.append((n, person, due, due + timedelta(hours=1)))
    stale = len(reminders)  # due at 310 s, for a session that began at 340 s: pointless
    reminders.append((stale, 0, start + timedelta(seconds=310), start + timedelta(seconds=340)))
    ids = asyncio.run(_remind(postgres_url, people, reminders))
    assert len(ids) == people
    with three_processes(postgres_url, tmp_path, people) as (slack, workers):
        for owner in sorted(workers.running):  # the outage: every process dies
            workers.kill(owner)
        assert slack.posted() == []  # nothing was due yet
        restart = start + timedelta(seconds=400)  # every reminder is due, the stale one late
        for _ in range(3):
            workers.start(clock_offset=(restart - utcnow()).total_seconds())
        _wait_for(slack, {marker(n) for n in range(stale)}, workers)
    posted = slack.posted()

    assert marker(stale) not in {text for _, text in posted}
    by_person: dict[str, list[str]] = {}
    for channel, text in posted:
        by_person.setdefault(channel, []).append(text)
    assert len(by_person) == people
    for person in range(people):
        got = by_person["D" + user_id(person)[1:]]
        assert got == [marker(person * per_person + k) for k in range(per_person)]
    actions = asyncio.run(_actions(postgres_url))
    assert Counter(status for status, _ in actions.values()) == {"done": len(reminders)}
