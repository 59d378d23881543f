"""Solve a program's matching away from the event loop, in one shared worker process.

At 20,000 people the solve takes seconds of CPU: run in the server's process it would stop
the loop from acknowledging Slack (3 s) and Teams (15 s). The worker is ``spawn``ed (a
clean interpreter, no inherited event loop or database connections). Loading a program
from the database and solving it there is ``storage.matching.program_match``'s job.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor

from bot.matching.engine import MatchResult, propose_pairings
from bot.matching.population import Population, Rules, Weights

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


def worker_pool() -> ProcessPoolExecutor:
    """The one shared worker process (started on first use)."""
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


async def solve_in_worker(population: Population, rules: Rules, weights: Weights) -> MatchResult:
    """Solve an already loaded population in the worker process (the chat path loads in
    its own transaction, so that a pin it just added is part of the run)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(worker_pool(), solve, population, rules, weights)
