"""A matching round for one program: load the free people, solve, keep the result as a dry
run. The same call serves ``admin match``, the scheduled rounds and tests; the solve runs
off the event loop so that Slack and Teams keep being acknowledged meanwhile.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.matching import MatchResult, propose_pairings
from storage.match_runs import record_run
from storage.matching_population import ProgramPopulation, load_program_population
from storage.models import MatchRun


@dataclass(frozen=True)
class Round:
    run: MatchRun
    loaded: ProgramPopulation
    result: MatchResult


async def dry_run(
    session: AsyncSession, program_id: int, *, created_by: str | None, trigger: str = "admin"
) -> Round:
    loaded = await load_program_population(session, program_id)
    result = await asyncio.to_thread(
        propose_pairings, loaded.population, loaded.rules, loaded.weights
    )
    run = await record_run(session, program_id, result, created_by=created_by, trigger=trigger)
    return Round(run, loaded, result)
