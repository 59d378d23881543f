"""Scheduled rounds for rolling enrollment: the admin turns weekly rounds on, the Monday
routine prepares a dry run of the free people only and asks the admins to send it."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.domain.proposals import ROUND
from dialogs.matching.cards import ACCEPT_ACTION, SEND_ACTION
from storage.db import Database
from storage.models import MatchRun, Proposal
from tests.proposals.test_workflow import sent, two_pairs
from tests.support.messages import button, words
from tests.support.world import World, add_member

MONDAY = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # 07:00 in Paris, already past


async def fire_round(w: World) -> None:
    assert w.ticker is not None
    [routine] = [r for r in w.ticker.routines if r.name == ROUND]
    assert await w.ticker.fire(routine, MONDAY)
    await w.drain()


async def test_rounds_only_run_for_programs_that_asked(database: Database) -> None:
    w, _ = await two_pairs(database)
    await fire_round(w)
    async with database.unit_of_work() as session:
        assert (await session.scalars(select(MatchRun))).all() == []


async def test_a_weekly_round_pairs_only_the_free_and_waits_for_the_admin(
    database: Database,
) -> None:
    w, ids = await two_pairs(database)
    on = words((await w.say("UADMIN", "admin match rounds on")).messages)
    assert "Weekly rounds are on" in on
    await sent(w)  # round 1 by hand: both pairs proposed
    await w.click("UMARC", button(w.channel.to(ids["marc"])[-1], ACCEPT_ACTION))
    await w.click("ULEA", button(w.channel.to(ids["lea"])[-1], ACCEPT_ACTION))
    await w.drain()
    # two newcomers enroll later (rolling enrollment); Anne and Tom have not answered yet
    nina = await add_member(w, "UNINA", first="Nina", role="mentee", stage="executive",
                            department="Legal", wants=["seo"])  # fmt: skip
    zoe = await add_member(w, "UZOE", first="Zoe", role="mentor", stage="apprentice",
                           department="Digital", offers=["seo"])  # fmt: skip
    await fire_round(w)
    [ready] = [m for m in w.channel.to(w.admin_id) if "round is ready" in words([m])]
    assert "1 pair proposed, 0 people without a partner" in words([ready])
    async with database.unit_of_work() as session:
        run = await session.scalar(select(MatchRun).where(MatchRun.trigger == "schedule"))
        assert run is not None and run.status == "draft"
        drafts = (await session.scalars(select(Proposal).where(
            Proposal.match_run_id == run.id))).all()  # fmt: skip
    # Lea and Marc are paired, Anne and Tom wait for their answers: only the free are matched
    assert [(p.mentor_id, p.mentee_id) for p in drafts] == [(zoe, nina)]
    await w.click("UADMIN", button(ready, SEND_ACTION))
    await w.drain()
    assert "A reverse-mentoring partner for you" in words(w.channel.to(nina))
    assert "Zoe Test" in words(w.channel.to(nina))
    assert ids["anne"] not in {r.person_id for r, _ in w.channel.sent[-2:]}
