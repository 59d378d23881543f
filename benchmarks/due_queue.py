"""Throughput of the due-action queue against the least a per-action write can cost.

For each engine: drain N due actions with a no-op handler (claims in batches, one completion
per action), then a baseline of N one-row UPDATE transactions on the same engine. Prints
actions per second and the ratio queue / baseline (how much the queue's bookkeeping costs).

    .venv/bin/python benchmarks/due_queue.py [--actions 2000]
        [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]

PostgreSQL is measured when ``--postgres`` or TANDEM_TEST_POSTGRES_URL names a server on
which the user may create a throw-away database.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert, text, update
from sqlalchemy.engine import make_url

from bot.clock import SystemClock
from storage.db import Database
from storage.due_runner import DueRunner
from storage.migrate import upgrade
from storage.models import DueAction
from storage.queue import ClaimedAction, DueQueue
from storage.types import utcnow


async def _fill(database: Database, count: int, prefix: str) -> list[int]:
    due_at = utcnow() - timedelta(seconds=1)
    rows = [
        {
            "kind": "bench",
            "idempotency_key": f"{prefix}-{n}",
            "payload": {},
            "due_at": due_at,
            "status": "pending",
            "attempts": 0,
            "max_attempts": 5,
        }
        for n in range(count)
    ]
    async with database.unit_of_work() as session:
        result = await session.execute(insert(DueAction).returning(DueAction.id), rows)
        return list(result.scalars())


async def measure(url: str, count: int) -> tuple[float, float]:
    database = Database(url)
    await upgrade(database)

    async def nothing(action: ClaimedAction) -> None:
        return None

    await _fill(database, count, "queue")
    started = time.perf_counter()
    report = await DueRunner(DueQueue(database), {"bench": nothing}, clock=SystemClock()).drain()
    queue_seconds = time.perf_counter() - started
    assert report.done == count, report

    ids = await _fill(database, count, "baseline")
    started = time.perf_counter()
    for action_id in ids:
        async with database.engine.begin() as connection:
            await connection.execute(
                update(DueAction).where(DueAction.id == action_id).values(status="done")
            )
    baseline_seconds = time.perf_counter() - started
    await database.dispose()
    return queue_seconds, baseline_seconds


async def _admin(url: str, statement: str) -> None:
    database = Database(url)
    async with database.engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        await connection.execute(text(statement))
    await database.dispose()


def report(engine: str, count: int, queue_seconds: float, baseline_seconds: float) -> None:
    print(
        f"{engine:<10} queue {count / queue_seconds:8.0f} actions/s   "
        f"baseline {count / baseline_seconds:8.0f} updates/s   "
        f"ratio queue/baseline time {queue_seconds / baseline_seconds:5.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--actions", type=int, default=2000)
    parser.add_argument("--postgres", default=os.environ.get("TANDEM_TEST_POSTGRES_URL"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'bench.db'}"
        report("sqlite", args.actions, *asyncio.run(measure(url, args.actions)))

    if args.postgres:
        name = f"tandem_bench_{uuid.uuid4().hex[:8]}"
        asyncio.run(_admin(args.postgres, f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(args.postgres).set(database=name).render_as_string(hide_password=False)
            report("postgresql", args.actions, *asyncio.run(measure(url, args.actions)))
        finally:
            asyncio.run(_admin(args.postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    else:
        print("postgresql skipped: pass --postgres URL or set TANDEM_TEST_POSTGRES_URL")


if __name__ == "__main__":
    main()
