"""Does the server keep answering while a big match runs? /healthz latency, same run.

    .venv/bin/python benchmarks/match_server.py [--people 20000] [--database URL]

Serves the real application (``create_app``) on 127.0.0.1 and probes ``GET /healthz``
from another thread (20 per second, as a platform's retries would arrive) while, in the
server's own event loop:

- idle: nothing else runs (the baseline);
- worker: ``match_program`` loads and solves in the spawned worker process (the design);
- load here, solve in worker: the population is loaded in the server's loop and only the
  solve goes to the worker (``solve_in_worker``, what ``admin match`` does so that its own
  uncommitted pins are part of the run);
- on the loop: load and solve in the server's loop (what the worker exists to avoid).

Prints p50 / p95 / max latency and the ratio to idle. Slack wants an ack within 3 s.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.clock import SystemClock
from bot.matching import propose_pairings
from bot.matching.worker import shutdown_worker, solve_in_worker
from bot.server import build_runtime, create_app
from bot.settings import load_settings
from storage.db import Database
from storage.demo_data import write_demo_program
from storage.matching.population import load_program_population
from storage.matching.program_match import match_program
from storage.migrate import upgrade

PROBES_PER_SECOND = 20


class Prober(threading.Thread):
    """GET /healthz at a steady pace on its own connection; records each latency."""

    def __init__(self, port: int) -> None:
        super().__init__(daemon=True)
        self.port, self.running = port, True
        self.latencies: list[float] = []

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        while self.running:
            start = time.perf_counter()
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            self.latencies.append(time.perf_counter() - start)
            time.sleep(max(0.0, 1 / PROBES_PER_SECOND - (time.perf_counter() - start)))
        conn.close()


async def probe_while(
    port: int, work: Callable[[], Awaitable[object]]
) -> tuple[list[float], float]:
    prober = Prober(port)
    prober.start()
    await asyncio.sleep(0.5)  # a few probes before the work starts
    start = time.perf_counter()
    await work()
    seconds = time.perf_counter() - start
    await asyncio.sleep(0.5)
    prober.running = False
    await asyncio.to_thread(prober.join)
    return prober.latencies, seconds


def summary(name: str, latencies: list[float], seconds: float, idle: float | None) -> str:
    ms = sorted(x * 1000 for x in latencies)
    p50, p95 = statistics.median(ms), ms[int(0.95 * (len(ms) - 1))]
    ratio = f"{p95 / idle:7.1f}x" if idle else "   1.0x"
    return (
        f"{name:<30} {seconds:6.2f} s  probes {len(ms):4d}  p50 {p50:7.1f} ms  "
        f"p95 {p95:8.1f} ms  max {ms[-1]:8.1f} ms  p95 vs idle {ratio}"
    )


async def main(people: int, url: str | None) -> None:
    folder = tempfile.mkdtemp(prefix="tandem-match-server-")
    url = url or f"sqlite+aiosqlite:///{folder}/bench.db"
    database = Database(url)
    await upgrade(database)
    tick = time.perf_counter()
    await write_demo_program(database, "bench", people, seed=11, now=SystemClock().now())
    print(f"{people} enrolled people written in {time.perf_counter() - tick:.1f} s ({url})")
    async with database.unit_of_work() as session:
        from sqlalchemy import select

        from storage.models import Program

        program_id = int(await session.scalar(select(Program.id).where(Program.slug == "bench")))  # type: ignore[arg-type]

    settings = load_settings(database_url=url)
    runtime = await build_runtime(settings, "serve", "127.0.0.1")
    runner = web.AppRunner(create_app(runtime, clock=False))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def idle() -> None:
        await asyncio.sleep(4)

    async def in_worker() -> None:
        await match_program(url, program_id, now=SystemClock().now())

    async def load_here() -> None:
        async with database.unit_of_work() as session:
            loaded = await load_program_population(session, program_id, now=SystemClock().now())
        await solve_in_worker(loaded.population, loaded.rules, loaded.weights)

    async def on_loop() -> None:
        async with database.unit_of_work() as session:
            loaded = await load_program_population(session, program_id, now=SystemClock().now())
        propose_pairings(loaded.population, loaded.rules, loaded.weights)

    try:
        base, seconds = await probe_while(port, idle)
        p95_idle = sorted(base)[int(0.95 * (len(base) - 1))] * 1000
        print(summary("idle", base, seconds, None))
        for name, work in (
            ("worker (load + solve)", in_worker),
            ("load here, solve in worker", load_here),
            ("everything on the loop", on_loop),
        ):
            latencies, seconds = await probe_while(port, work)
            print(summary(name, latencies, seconds, p95_idle))
    finally:
        shutdown_worker()
        await runner.cleanup()
        await database.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--database", default=None, help="default: a new SQLite file")
    args = parser.parse_args()
    asyncio.run(main(args.people, args.database))
