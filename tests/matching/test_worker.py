"""The matching worker: a real spawned process gives what an in-process run gives."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.matching.worker import shutdown_worker
from storage.db import Database
from storage.demo_data import write_demo_program
from storage.matching.population import ProgramNotFound
from storage.matching.program_match import ProgramMatch, match_program, needs_in_process
from storage.models import Program
from tests.support.clock import T0


@pytest.fixture
def worker() -> Iterator[None]:
    yield
    shutdown_worker()


async def test_a_worker_process_returns_the_in_process_pairs(
    database: Database, database_url: str, worker: None
) -> None:
    await write_demo_program(database, "small", 80, seed=5, now=T0)
    async with database.unit_of_work() as session:
        program_id = await session.scalar(select(Program.id).where(Program.slug == "small"))
    assert program_id is not None

    here = await match_program(database_url, program_id, now=T0, in_process=True)
    there = await match_program(database_url, program_id, now=T0)
    assert here.result.stats.served > 20

    def pairs(done: ProgramMatch) -> list[tuple[str, str, float, bool]]:
        return [(p.mentor_id, p.mentee_id, p.score, p.pinned) for p in done.result.pairs]

    assert pairs(there) == pairs(here)
    assert [u.reasons for u in there.result.unmatched] == [u.reasons for u in here.result.unmatched]
    assert there.emails == here.emails and there.names == here.names
    assert there.skill_labels["seo"]["fr"] == "Référencement naturel (SEO)"
    assert set(there.timings) == {"load", "solve"}
    # the pool is shared: a second run reuses the same worker
    again = await match_program(database_url, program_id, now=T0)
    assert pairs(again) == pairs(here)

    with pytest.raises(ProgramNotFound):
        await match_program(database_url, program_id + 1000, now=T0)


def test_in_memory_databases_run_in_process() -> None:
    assert needs_in_process("sqlite+aiosqlite:///:memory:")
    assert needs_in_process("sqlite+aiosqlite://")
    assert not needs_in_process("sqlite+aiosqlite:////tmp/tandem.db")
    assert not needs_in_process("postgresql+asyncpg://postgres@127.0.0.1/tandem")
