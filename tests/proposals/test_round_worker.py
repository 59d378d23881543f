"""A large round is solved in the worker process (spawned), with the pins of the admin's
own transaction, and gives the same pairs as a solve in this process."""

from __future__ import annotations

from sqlalchemy import select

from bot.matching.worker import shutdown_worker
from dialogs.matching.rounds import dry_run
from storage.db import Database
from storage.matching.runs import add_pin
from storage.models import Proposal
from tests.proposals.test_workflow import two_pairs


async def test_the_worker_process_gives_the_same_round(database: Database) -> None:
    w, ids = await two_pairs(database)
    try:
        async with database.unit_of_work() as session:
            here = await dry_run(session, w.program_id, created_by=None, now=w.clock.now())
            # an admin's pin, not committed yet, is part of the worker's run
            await add_pin(session, w.program_id, ids["tom"], ids["marc"], ids["tom"])
            there = await dry_run(
                session, w.program_id, created_by=None, worker_from=0, now=w.clock.now()
            )
    finally:
        shutdown_worker()
    assert sorted((p.mentor_id, p.mentee_id) for p in here.result.pairs) == sorted(
        [(ids["lea"], ids["marc"]), (ids["tom"], ids["anne"])]
    )
    assert sorted((p.mentor_id, p.mentee_id) for p in there.result.pairs) == sorted(
        [(ids["tom"], ids["marc"]), (ids["lea"], ids["anne"])]
    )
    async with database.unit_of_work() as session:
        drafts = (await session.scalars(select(Proposal).where(Proposal.status == "draft"))).all()
    assert {(p.mentor_id, p.mentee_id) for p in drafts} == {
        (ids["tom"], ids["marc"]),
        (ids["lea"], ids["anne"]),
    }
