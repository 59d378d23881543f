"""A runner process for tests/test_due_wakeup.py (run with ``python -m``): the clock of a
replica polling every 30 s, writing each handled action's key to the output file. It
touches ``OUT.ready`` once it listens; it runs until terminated."""

from __future__ import annotations

import argparse
import asyncio
import signal
from datetime import timedelta
from pathlib import Path

from bot.clock import SystemClock, Ticker
from storage.db import Database
from storage.due_runner import DueRunner
from storage.queue import ClaimedAction, DueQueue

KIND = "test.woken"


async def main(url: str, out: Path) -> None:
    database = Database(url)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    with out.open("a", encoding="utf-8") as handled:

        async def record(action: ClaimedAction) -> None:
            handled.write(f"{action.idempotency_key}\n")
            handled.flush()

        runner = DueRunner(DueQueue(database), {KIND: record}, clock=SystemClock())
        ticker = Ticker(runner, interval=timedelta(seconds=30))
        ticker.start()
        assert ticker.listener is not None
        await asyncio.wait_for(ticker.listener.listening.wait(), 20)
        Path(f"{out}.ready").touch()
        await asyncio.wait_for(stop.wait(), 120)
        await ticker.shutdown()
    await database.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--out", required=True)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.url, Path(arguments.out)))
