"""Load a program from the database and propose its pairings, in the worker process.

``match_program`` runs load + solve in the shared worker (``bot.matching.worker``), which
opens its own database from the URL. Small runs, tests and in-memory SQLite (which another
process cannot see) use ``in_process=True``.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import datetime

from bot.matching.engine import MatchResult
from bot.matching.worker import solve, worker_pool
from storage.db import Database
from storage.matching.population import ProgramPopulation, load_program_population


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


def needs_in_process(database_url: str) -> bool:
    """An in-memory SQLite database lives in this process only."""
    return database_url.startswith("sqlite") and (
        ":memory:" in database_url or "mode=memory" in database_url or database_url.endswith("://")
    )


async def _load(
    database_url: str, program_id: int, now: datetime, database: Database | None = None
) -> ProgramPopulation:
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
    return await loop.run_in_executor(worker_pool(), _run_in_child, database_url, program_id, now)
