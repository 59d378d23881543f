"""Issue 10 item 6: a pin is a preference, never an override of a hard rule. A pin that breaks
one is refused when it is made, with the reason; a pin that later becomes impossible is dropped
with a note to the admin; a used pin is cleared; accepting re-checks capacity and the rules
in the locked transaction (on SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from dialogs.core.ui import Button
from dialogs.matching.cards import ACCEPT_ACTION, SEND_ACTION
from storage.db import Database
from storage.models import AdminBlock, AdminPin, MatchRun, Pairing, Person, Proposal
from tests.support.clock import T0
from tests.support.messages import button, words
from tests.support.people import add_program
from tests.support.world import World, add_member, admin, world


async def manager(w: World, first: str, boss: str | None = None) -> str:
    """Someone in the HR data who is not enrolled (a manager in the chain)."""
    async with w.database.unit_of_work() as session:
        person = Person(email=f"{first.lower()}@acme.example", first_name=first,
                        last_name="Test", manager_id=boss)  # fmt: skip
        session.add(person)
        await session.flush()
        return person.id


async def chain_world(database: Database) -> tuple[World, dict[str, str]]:
    """Felix (capacity 1) reports to Sam, who reports to Marc-Andre: Marc-Andre is Felix's
    skip-level manager. Lea and Anne are free of that chain."""
    w = await world(database)
    w.program_id = await add_program(database)
    await admin(w)
    marc = await add_member(w, "UMARC", first="Marcandre", role="mentee", stage="director",
                            department="Finance", wants=["seo"])  # fmt: skip
    sam = await manager(w, "Sam", boss=marc)
    ids = {
        "marc": marc,
        "felix": await add_member(w, "UFELIX", first="Felix", role="mentor", stage="junior",
                                  department="IT", offers=["seo"], manager_id=sam),
        "lea": await add_member(w, "ULEA", first="Lea", role="mentor", stage="junior",
                                department="Marketing", offers=["seo"]),
        "anne": await add_member(w, "UANNE", first="Anne", role="mentee", stage="executive",
                                 department="Sales", wants=["seo"]),
    }  # fmt: skip
    return w, ids


async def pins(database: Database) -> list[tuple[str, str]]:
    async with database.unit_of_work() as session:
        rows = await session.execute(select(AdminPin.mentor_id, AdminPin.mentee_id))
        return [(a, b) for a, b in rows]


async def test_a_pin_across_a_management_chain_is_refused_with_the_reason(
    database: Database,
) -> None:
    w, _ = await chain_world(database)
    await w.say("UADMIN", "admin match")
    text = words(await w.say("UADMIN", "admin match pin felix@acme.example marcandre@acme.example"))
    assert "I cannot pin Felix Test with Marcandre Test: same management chain." in text
    assert "never overrides the program's rules. Nothing changed." in text
    assert await pins(database) == []
    # and nothing proposes the pair
    report = words(await w.say("UADMIN", "admin match"))
    assert "Felix Test → Marcandre Test" not in report


async def test_a_pin_on_a_person_already_paired_is_refused(database: Database) -> None:
    w, _ = await chain_world(database)
    report = (await w.say("UADMIN", "admin match")).messages[0]
    assert "Lea Test → Marcandre Test" in words(report)
    await w.click("UADMIN", button(report, SEND_ACTION))
    await w.drain()
    # Marcandre's proposal waits for an answer: a pin with Felix cannot stand
    await w.say("UADMIN", "admin match")
    text = words(await w.say("UADMIN", "admin match pin lea@acme.example marcandre@acme.example"))
    assert "I cannot pin Lea Test with Marcandre Test:" in text
    assert "the mentee already has a partner or a proposal waiting" in text
    assert "paired before" not in text  # a waiting proposal is not a past pairing
    assert await pins(database) == []


async def test_a_used_pin_is_cleared_when_sent_and_a_stale_one_dropped_with_a_note(
    database: Database,
) -> None:
    w, ids = await chain_world(database)
    await w.say("UADMIN", "admin match")
    pinned = words(await w.say("UADMIN", "admin match pin lea@acme.example anne@acme.example"))
    assert "Lea Test → Anne Test" in pinned
    sent = words(await w.say("UADMIN", "admin match send"))
    assert "1 pin used by these proposals is done and cleared." in sent
    assert await pins(database) == []

    # a pin made while Lea had room, and Lea's other pairing started meanwhile
    async with database.unit_of_work() as session:
        session.add(AdminPin(program_id=w.program_id, mentor_id=ids["lea"],
                             mentee_id=ids["marc"], created_by=w.admin_id))  # fmt: skip
    report = words(await w.say("UADMIN", "admin match"))
    assert (
        "Warning: the pin of Lea Test with Marcandre Test no longer applies and was removed: "
        "the mentor has no room left" in report
    )
    assert "Lea Test → Marcandre Test" not in report
    assert await pins(database) == []


async def two_waiting_proposals(w: World, ids: dict[str, str]) -> tuple[int, int]:
    """Felix (capacity 1) has accepted two proposals, one with Anne and one with Omar (sent
    when he had room for two). Both mentees still have to answer."""
    async with w.database.unit_of_work() as session:
        run = MatchRun(program_id=w.program_id, dry_run=False, status="sent", stats={})
        session.add(run)
        await session.flush()
        made = []
        for mentee in (ids["anne"], ids["other"]):
            proposal = Proposal(match_run_id=run.id, program_id=w.program_id,
                                mentor_id=ids["felix"], mentee_id=mentee, score=4.0,
                                reasons=[], status="sent", mentor_answer="accept",
                                sent_at=T0, expires_at=T0.replace(year=T0.year + 1))  # fmt: skip
            session.add(proposal)
            made.append(proposal)
        await session.flush()
        return made[0].id, made[1].id


@pytest.mark.postgres  # and SQLite: without the enrollment locks PostgreSQL made two pairings
async def test_two_accepts_at_once_for_a_capacity_one_mentor_make_one_pairing(
    database: Database,
) -> None:
    w, ids = await chain_world(database)
    ids["other"] = await add_member(w, "UOTHER", first="Omar", role="mentee", stage="director",
                                    department="Legal", wants=["seo"])  # fmt: skip
    first, second = await two_waiting_proposals(w, ids)
    answers = await asyncio.gather(
        w.click("UANNE", Button("Accept", ACCEPT_ACTION, value=str(first))),
        w.click("UOTHER", Button("Accept", ACCEPT_ACTION, value=str(second))),
    )
    texts = [words(a) for a in answers]
    assert sum("You both accepted" in t for t in texts) == 1, texts
    assert sum("will not go ahead this time" in t for t in texts) == 1, texts
    await w.drain()
    async with database.unit_of_work() as session:
        active = (await session.scalars(select(Pairing).where(Pairing.status == "active"))).all()
        assert len(active) == 1 and active[0].mentor_id == ids["felix"]
        statuses = sorted((await session.scalars(select(Proposal.status))).all())
        assert statuses == ["accepted", "removed"]
    # Felix hears, once, that the other proposal will not go ahead
    told = words(w.channel.to(ids["felix"]))
    assert "will not go ahead this time" in told


async def test_accepting_a_pair_an_admin_has_blocked_since_starts_nothing(
    database: Database,
) -> None:
    w, ids = await chain_world(database)
    report = (await w.say("UADMIN", "admin match")).messages[0]
    await w.click("UADMIN", button(report, SEND_ACTION))
    await w.drain()
    async with database.unit_of_work() as session:
        proposal = await session.scalar(select(Proposal).where(Proposal.mentee_id == ids["anne"]))
        assert proposal is not None
        session.add(AdminBlock(program_id=w.program_id, person_a=proposal.mentee_id,
                               person_b=proposal.mentor_id))  # fmt: skip
        mentor_user = w.user(proposal.mentor_id)
        pid = proposal.id
    await w.click(mentor_user, Button("Accept", ACCEPT_ACTION, value=str(pid)))
    last = await w.click("UANNE", Button("Accept", ACCEPT_ACTION, value=str(pid)))
    assert "will not go ahead this time" in words(last)
    async with database.unit_of_work() as session:
        count = await session.scalar(select(func.count()).select_from(Pairing))
        assert count == 0
