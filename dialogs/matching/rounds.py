"""A matching round for one program: load the free people, solve, keep the result as a dry
run. The same call serves ``admin match``, the scheduled rounds and tests; the solve runs
off the event loop so that Slack and Teams keep being acknowledged meanwhile.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.matching import MatchResult
from storage.matching.population import ProgramPopulation, load_program_population
from storage.matching.runs import record_run, remove_pins
from storage.models import MatchRun

# Below this many enrollment rows a solve takes milliseconds: a thread is enough. Above, it
# takes seconds of CPU and runs in the worker process so the event loop keeps acknowledging.
WORKER_FROM_ROWS = 2_000


@dataclass(frozen=True)
class Round:
    run: MatchRun
    loaded: ProgramPopulation
    result: MatchResult


async def dry_run(
    session: AsyncSession,
    program_id: int,
    *,
    created_by: str | None,
    trigger: str = "admin",
    worker_from: int = WORKER_FROM_ROWS,
    now: datetime,
) -> Round:
    loaded = await load_program_population(session, program_id, now=now)
    pop = loaded.population
    from bot.matching.worker import solve, solve_in_worker

    if pop.mentors.size + pop.mentees.size >= worker_from:
        result = await solve_in_worker(pop, loaded.rules, loaded.weights)
    else:
        result = await asyncio.to_thread(solve, pop, loaded.rules, loaded.weights)
    run = await record_run(
        session, program_id, result, created_by=created_by, trigger=trigger, now=now
    )
    # a pin that can no longer be made is forgotten: the run's warning tells the admin why
    dropped = [(w["mentor"], w["mentee"]) for w in result.warnings if w["code"] == "pin_dropped"]
    await remove_pins(session, program_id, dropped)
    return Round(run, loaded, result)
