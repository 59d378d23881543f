"""Load and solve a program's matching away from the event loop.

At 20,000 people the solve takes seconds of CPU: run in the server's process it would stop
the loop from acknowledging Slack (3 s) and Teams (15 s). ``match_program`` runs load +
solve in one shared worker process (``spawn``: a clean interpreter, no inherited event loop
or database connections), which opens its own database from the URL. Small runs, tests and
in-memory SQLite (which another process cannot see) use ``in_process=True``.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from bot.matching.engine import MatchResult, propose_pairings
from bot.matching.population import Population, Rules, Weights

if TYPE_CHECKING:
    from storage.db import Database
    from storage.matching_population import ProgramPopulation


@dataclass(frozen=True)
class ProgramMatch:
    """Everything a caller needs to show or store the result (all picklable)."""

    program_id: int
    result: MatchResult
    emails: dict[str, str | None]
    names: dict[str, str]
    skill_labels: dict[str, dict[str, str]]
    stage_labels: dict[str, dict[str, str]] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)  # load, solve (seconds)


# Programs this large stop widening at a proven gap of 0.1 % of the total score (the
# certificate reports it); smaller ones are solved exactly, which costs them milliseconds.
EXACT_BELOW_ROWS = 2_000
GAP_TOLERANCE = 0.001


def solve(population: Population, rules: Rules, weights: Weights) -> MatchResult:
    """The product's solve: exact for small programs, within a proven 0.1 % gap at scale."""
    rows = population.mentors.size + population.mentees.size
    tolerance = 0.0 if rows < EXACT_BELOW_ROWS else GAP_TOLERANCE
    return propose_pairings(population, rules, weights, gap_tolerance=tolerance)


_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def _executor() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn")
            )
        return _pool


def shutdown_worker() -> None:
    """Stop the shared worker (server shutdown, tests); the next match starts a new one."""
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def needs_in_process(database_url: str) -> bool:
    """An in-memory SQLite database lives in this process only."""
    return database_url.startswith("sqlite") and (
        ":memory:" in database_url or "mode=memory" in database_url or database_url.endswith("://")
    )


async def _load(
    database_url: str, program_id: int, now: datetime, database: Database | None = None
) -> ProgramPopulation:
    from storage.db import Database
    from storage.matching_population import load_program_population

    own = database is None
    db = Database(database_url, pool_size=1) if database is None else database
    try:
        async with db.unit_of_work() as session:
            return await load_program_population(session, program_id, now=now)
    finally:
        if own:
            await db.dispose()


def _solve(loaded: ProgramPopulation, load_seconds: float) -> ProgramMatch:
    tick = time.perf_counter()
    result = solve(loaded.population, loaded.rules, loaded.weights)
    return ProgramMatch(
        program_id=loaded.program_id,
        result=result,
        emails=loaded.emails,
        names=loaded.names,
        skill_labels=loaded.skill_labels,
        stage_labels=loaded.stage_labels,
        timings={"load": load_seconds, "solve": time.perf_counter() - tick},
    )


def _run_in_child(database_url: str, program_id: int, now: datetime) -> ProgramMatch:
    """The worker process's whole job: its own event loop and database, then the solve."""
    tick = time.perf_counter()
    loaded = asyncio.run(_load(database_url, program_id, now))
    return _solve(loaded, time.perf_counter() - tick)


async def match_program(
    database_url: str,
    program_id: int,
    *,
    now: datetime,
    in_process: bool = False,
    database: Database | None = None,
) -> ProgramMatch:
    """Load program ``program_id`` and propose pairings (raises ProgramNotFound).

    ``database``: the caller's open Database, used in process (an in-memory SQLite one
    cannot be opened again from its URL).
    """
    if in_process or needs_in_process(database_url):
        tick = time.perf_counter()
        loaded = await _load(database_url, program_id, now, database)
        return _solve(loaded, time.perf_counter() - tick)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_executor(), _run_in_child, database_url, program_id, now)


async def solve_in_worker(population: Population, rules: Rules, weights: Weights) -> MatchResult:
    """Solve an already loaded population in the worker process (the chat path loads in
    its own transaction, so that a pin it just added is part of the run)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_executor(), solve, population, rules, weights)
