"""A claimer process for tests/test_due_queue_processes.py (run with ``python -m``).

``drain``: wait for the go file, drain every due action, appending each handled id to the
output file. ``hold``: claim one batch, write its ids, then hang until killed.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import timedelta
from pathlib import Path

from bot.clock import SystemClock
from storage.db import Database
from storage.due_runner import DueRunner
from storage.queue import ClaimedAction, DueQueue
from storage.types import utcnow

KIND = "test.work"


def _wait_for(path: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"{path} never appeared")
        time.sleep(0.01)


async def main(args: argparse.Namespace) -> None:
    database = Database(args.url)
    queue = DueQueue(database)
    out = Path(args.out)
    await database.ping()  # connect before the start line, so that all start together
    Path(f"{out}.ready").touch()
    if args.go:
        _wait_for(Path(args.go))
    lease = timedelta(seconds=args.lease)
    with out.open("a", encoding="utf-8") as handled:
        if args.mode == "hold":
            claimed = await queue.claim(args.owner, utcnow(), args.batch, lease)
            handled.write("".join(f"{c.id}\n" for c in claimed))
            handled.flush()
            Path(f"{out}.claimed").touch()
            await asyncio.sleep(3600)  # killed here, leases in hand
            return

        async def record(action: ClaimedAction) -> None:
            handled.write(f"{action.id}\n")
            handled.flush()

        report = await DueRunner(
            queue,
            {KIND: record},
            owner=args.owner,
            lease=lease,
            batch=args.batch,
            clock=SystemClock(),  # the queue on the wall clock, as the actions were enqueued
        ).drain()
    Path(f"{out}.done").write_text(f"{report.done} {report.retried} {report.parked} {report.lost}")
    await database.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["drain", "hold"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--owner", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--go")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--lease", type=float, default=300.0)
    asyncio.run(main(parser.parse_args()))
