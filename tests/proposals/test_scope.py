"""A program admin matches only the programs they run; a deployment admin any."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.db import Database
from storage.models import MatchRun, ProgramAdmin
from tests.proposals.test_workflow import two_pairs
from tests.support.messages import words
from tests.support.people import add_program
from tests.support.world import add_member


async def test_a_program_admin_matches_only_their_programs(database: Database) -> None:
    w, _ = await two_pairs(database)
    other = await add_program(database, "other-2027")
    lead = await add_member(w, "ULEAD", first="Lead", role="mentor", stage="senior",
                            department="HR")  # fmt: skip
    async with database.unit_of_work() as session:
        session.add(ProgramAdmin(program_id=other, person_id=lead))
    refused = words((await w.say("ULEAD", "admin match rm-2027")).messages)
    assert "not an admin of this program" in refused
    async with database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(MatchRun)) == 0
    # without a slug: the one open program they run, never the other
    own = words((await w.say("ULEAD", "admin match")).messages)
    assert "Dry run: Program other-2027" in own
    async with database.unit_of_work() as session:
        runs = (await session.scalars(select(MatchRun.program_id))).all()
    assert runs == [other]
