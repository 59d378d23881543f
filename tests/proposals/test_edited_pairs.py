"""Issue 10 item 7: after ``admin match swap`` each edited pair is re-scored and re-explained
like any other pair (the reasons people read, the score, an agenda only from skills the
mentor offers); "swapped by a program admin" is for admins' eyes only."""

from __future__ import annotations

from sqlalchemy import select

from storage.db import Database
from storage.models import AdminBlock, Enrollment, Proposal
from tests.proposals.test_workflow import two_pairs
from tests.support.messages import words
from tests.support.world import World


async def swap_world(database: Database) -> tuple[World, dict[str, str]]:
    """``two_pairs``, where Tom also teaches SEO: the solver still pairs Lea (SEO and social
    ads) with Marc and Tom (web analytics) with Anne."""
    w, ids = await two_pairs(database)
    async with database.unit_of_work() as session:
        tom = await session.scalar(select(Enrollment).where(Enrollment.person_id == ids["tom"]))
        assert tom is not None
        tom.skills_offered = [{"skill": "web_analytics", "level": 4}, {"skill": "seo", "level": 4}]
    return w, ids


async def scores(database: Database) -> dict[tuple[str, str], float]:
    async with database.unit_of_work() as session:
        rows = await session.scalars(select(Proposal).where(Proposal.status == "draft"))
        return {(p.mentor_id, p.mentee_id): p.score for p in rows}


async def test_a_swapped_pair_is_rescored_and_explained_like_any_other(
    database: Database,
) -> None:
    w, ids = await swap_world(database)
    report = words(await w.say("UADMIN", "admin match"))
    assert "1. Lea Test → Marc Test" in report and "2. Tom Test → Anne Test" in report
    before = await scores(database)

    swapped = words(await w.say("UADMIN", "admin match swap 1 2"))
    assert "1. Tom Test → Marc Test" in swapped
    assert (
        "swapped by a program admin; Tom Test teaches Search engine optimisation (SEO), which Marc Test wants"
        in swapped
    )
    after = await scores(database)
    tom_marc, lea_anne = after[(ids["tom"], ids["marc"])], after[(ids["lea"], ids["anne"])]
    assert tom_marc != before[(ids["lea"], ids["marc"])]  # not the old pair's score
    assert f"({tom_marc:.2f})" in swapped

    # the engine's own score for the same pairs: pin them and run again
    await w.say("UADMIN", "admin match pin tom@acme.example marc@acme.example")
    await w.say("UADMIN", "admin match pin lea@acme.example anne@acme.example")
    assert await scores(database) == {
        (ids["tom"], ids["marc"]): tom_marc,
        (ids["lea"], ids["anne"]): lea_anne,
    }


async def test_people_read_the_new_reasons_and_an_agenda_the_mentor_can_teach(
    database: Database,
) -> None:
    w, ids = await swap_world(database)
    await w.say("UADMIN", "admin match")
    await w.say("UADMIN", "admin match swap 1 2")
    assert "Sent: 2 proposals" in words(await w.say("UADMIN", "admin match send"))
    await w.drain()
    marc_card = words(w.channel.to(ids["marc"])[-1:])
    assert "Why this pair:" in marc_card
    # the card speaks to its reader (Marc, the mentee)
    assert "Tom Test teaches Search engine optimisation (SEO), which you want" in marc_card
    assert "swapped by a program admin" not in marc_card
    assert "A first session could cover: Search engine optimisation (SEO)" in marc_card
    assert "social" not in marc_card.split("A first session could cover:")[1].split("\n")[0]
    anne_card = words(w.channel.to(ids["anne"])[-1:])
    assert "swapped by a program admin" not in anne_card
    # Lea offers nothing Anne wants: no agenda of skills Lea does not teach
    assert "A first session could cover" not in anne_card


async def test_a_swap_that_would_break_a_rule_is_refused(database: Database) -> None:
    w, ids = await swap_world(database)
    await w.say("UADMIN", "admin match")
    # an admin blocks Tom with Marc after the dry run
    async with database.unit_of_work() as session:
        session.add(AdminBlock(program_id=w.program_id, person_a=ids["tom"],
                               person_b=ids["marc"]))  # fmt: skip
    refused = words(await w.say("UADMIN", "admin match swap 1 2"))
    assert (
        "I cannot swap pairs 1 and 2: Tom Test with Marc Test would break a rule "
        "(blocked by an admin). Nothing changed." in refused
    )
    assert set(await scores(database)) == {(ids["lea"], ids["marc"]), (ids["tom"], ids["anne"])}
