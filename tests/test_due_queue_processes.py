"""Real OS processes claiming from one queue: no double claims, dead claimers taken over.

Each test runs on PostgreSQL (``FOR UPDATE SKIP LOCKED``) and on a SQLite file (one writer,
``BEGIN IMMEDIATE``), through the ``database_url`` fixture.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from storage.db import Database
from storage.models import DueAction
from storage.types import utcnow
from tests.due_claimer import KIND

ROOT = Path(__file__).resolve().parent.parent
ACTIONS = 10_000
PROCESS_TIMEOUT_S = 120


async def _enqueue_due(url: str, count: int) -> set[int]:
    database = Database(url)
    due_at = utcnow() - timedelta(minutes=1)
    rows = [
        {
            "kind": KIND,
            "idempotency_key": f"work-{n}",
            "payload": {"n": n},
            "due_at": due_at,
            "status": "pending",
            "attempts": 0,
            "max_attempts": 5,
        }
        for n in range(count)
    ]
    async with database.unit_of_work() as session:
        await session.execute(insert(DueAction), rows)
    async with database.sessions() as session:
        ids = set((await session.execute(select(DueAction.id))).scalars())
    await database.dispose()
    return ids


async def _actions(url: str) -> dict[int, tuple[str, int, str | None]]:
    database = Database(url)
    async with database.sessions() as session:
        rows = await session.execute(
            select(DueAction.id, DueAction.status, DueAction.attempts, DueAction.lease_owner)
        )
        found = {row.id: (row.status, row.attempts, row.lease_owner) for row in rows}
    await database.dispose()
    return found


def _claimer(mode: str, url: str, owner: str, out: Path, *extra: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "tests.due_claimer", mode, "--url", url]
    command += ["--owner", owner, "--out", str(out), *extra]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def _wait_for(paths: list[Path], processes: list[subprocess.Popen[bytes]]) -> None:
    deadline = time.monotonic() + PROCESS_TIMEOUT_S
    while not all(path.exists() for path in paths):
        assert all(p.poll() is None for p in processes), "a claimer died before it was ready"
        assert time.monotonic() < deadline, f"timed out waiting for {paths}"
        time.sleep(0.02)


def _finish(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        assert process.wait(PROCESS_TIMEOUT_S) == 0


def _handled(out: Path) -> list[int]:
    return [int(line) for line in out.read_text().split()]


@pytest.mark.slow  # 15-20 s per engine on 2 idle cores: 10,000 one-row completions
@pytest.mark.timeout(300)  # 31 s on SQLite on a busy machine; the processes get 120 s each
def test_three_processes_complete_each_action_exactly_once(
    database_url: str, tmp_path: Path
) -> None:
    enqueued = asyncio.run(_enqueue_due(database_url, ACTIONS))
    assert len(enqueued) == ACTIONS
    owners = ["claimer-1", "claimer-2", "claimer-3"]
    outs = [tmp_path / f"{owner}.ids" for owner in owners]
    go = tmp_path / "go"
    processes = [
        _claimer("drain", database_url, owner, out, "--go", str(go), "--batch", "50")
        for owner, out in zip(owners, outs, strict=True)
    ]
    try:
        _wait_for([Path(f"{out}.ready") for out in outs], processes)
        go.touch()  # all three are connected: let them race
        _finish(processes)
    finally:
        for process in processes:
            process.kill()

    handled = {owner: _handled(out) for owner, out in zip(owners, outs, strict=True)}
    every_claim = Counter(i for ids in handled.values() for i in ids)
    assert set(every_claim) == enqueued
    assert [i for i, times in every_claim.items() if times > 1] == []  # no double claims
    assert all(handled[owner] for owner in owners), "each process should have won some claims"

    actions = asyncio.run(_actions(database_url))
    assert Counter(status for status, _, _ in actions.values()) == {"done": ACTIONS}
    assert {attempts for _, attempts, _ in actions.values()} == {1}
    by_owner = Counter(owner for _, _, owner in actions.values())
    assert by_owner == {owner: len(ids) for owner, ids in handled.items()}


def test_a_killed_claimers_actions_are_taken_over_after_the_lease(
    database_url: str, tmp_path: Path
) -> None:
    enqueued = asyncio.run(_enqueue_due(database_url, 50))
    dead_out, rescuer_out = tmp_path / "dead.ids", tmp_path / "rescuer.ids"
    dead = _claimer("hold", database_url, "dead", dead_out, "--batch", "20", "--lease", "2")
    try:
        _wait_for([Path(f"{dead_out}.claimed")], [dead])
    finally:
        dead.send_signal(signal.SIGKILL)
        dead.wait(PROCESS_TIMEOUT_S)
    held = set(_handled(dead_out))
    assert len(held) == 20

    actions = asyncio.run(_actions(database_url))
    assert {actions[i] for i in held} == {("running", 1, "dead")}
    time.sleep(2.2)  # the dead claimer's lease runs out

    rescuer = _claimer("drain", database_url, "rescuer", rescuer_out)
    _finish([rescuer])

    assert sorted(_handled(rescuer_out)) == sorted(enqueued)
    actions = asyncio.run(_actions(database_url))
    assert {actions[i] for i in held} == {("done", 2, "rescuer")}
    assert {actions[i] for i in enqueued - held} == {("done", 1, "rescuer")}
