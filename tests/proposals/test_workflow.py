"""The proposal workflow through the conversation core, on SQLite and PostgreSQL: a dry
run, admin edits, sending, Accept / Decline, the intro and goals, expiry with one reminder,
someone leaving meanwhile, and the next round."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from dialogs.core.ui import Form
from dialogs.matching.cards import ACCEPT_ACTION, DECLINE_ACTION, GOALS_ACTION, SEND_ACTION
from storage.db import Database
from storage.models import DueAction, Goal, MatchRun, Pairing, Proposal
from tests.support.messages import button, done_message, field_errors, words
from tests.support.people import add_program
from tests.support.world import World, add_member, admin, later, world


async def two_pairs(database: Database) -> tuple[World, dict[str, str]]:
    """Two young mentors and two leaders; each leader wants what one mentor offers."""
    w = await world(database)
    w.program_id = await add_program(database)
    await admin(w)
    ids = {
        "lea": await add_member(w, "ULEA", first="Lea", role="mentor", stage="junior",
                                department="Marketing", offers=["seo", "social_ads"]),
        "tom": await add_member(w, "UTOM", first="Tom", role="mentor", stage="junior",
                                department="IT", offers=["web_analytics"]),
        "marc": await add_member(w, "UMARC", first="Marc", role="mentee", stage="director",
                                 department="Finance", wants=["seo", "social_ads"]),
        "anne": await add_member(w, "UANNE", first="Anne", role="mentee", stage="executive",
                                 department="Sales", wants=["web_analytics"]),
    }  # fmt: skip
    return w, ids


async def sent(w: World) -> dict[str, int]:
    """admin match, then Send: returns mentee person id -> proposal id."""
    report = (await w.say("UADMIN", "admin match")).messages[0]
    await w.click("UADMIN", button(report, SEND_ACTION))
    await w.drain()
    async with w.database.unit_of_work() as session:
        rows = (await session.scalars(select(Proposal).where(Proposal.status == "sent"))).all()
        return {p.mentee_id: p.id for p in rows}


async def test_dry_run_reports_and_sends_nothing(database: Database) -> None:
    w, _ = await two_pairs(database)
    outcome = await w.say("UADMIN", "admin match")
    text = words(outcome.messages)
    assert "Dry run: Program rm-2027" in text
    assert "2 mentees of 2 have a partner" in text
    assert "optimal over all pairs" in text
    assert "1. Lea Test → Marc Test" in text and "Tom Test → Anne Test" in text
    await w.drain()
    assert w.channel.sent == []  # a dry run tells nobody
    async with database.unit_of_work() as session:
        run = await session.scalar(select(MatchRun))
        assert run is not None and run.status == "draft"


async def test_non_admin_is_refused_and_nothing_runs(database: Database) -> None:
    w, _ = await two_pairs(database)
    outcome = await w.say("UMARC", "admin match")
    assert "for program admins" in words(outcome.messages)
    async with database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(MatchRun)) == 0


async def test_send_then_both_accept_starts_the_pairing_and_introduces_them(
    database: Database,
) -> None:
    w, ids = await two_pairs(database)
    proposals = await sent(w)
    card = w.channel.to(ids["marc"])[-1]
    text = words([card])
    assert "A reverse-mentoring partner for you" in text
    assert "Lea Test" in text and "Why this pair:" in text
    assert "A first session could cover:" in text
    assert len(w.channel.to(ids["lea"])) == 1
    # a reminder and an expiry wait in the queue for each proposal
    async with database.unit_of_work() as session:
        kinds = (await session.scalars(select(DueAction.kind).where(
            DueAction.status == "pending"))).all()  # fmt: skip
    assert sorted(kinds).count("proposal.remind") == 2
    assert sorted(kinds).count("proposal.expire") == 2

    first = await w.click("UMARC", button(card, ACCEPT_ACTION))
    assert first.close_source and "accepts too" in words(first.messages)
    second = await w.click("ULEA", button(w.channel.to(ids["lea"])[-1], ACCEPT_ACTION))
    assert second.close_source and "You both accepted" in words(second.messages)
    await w.drain()
    async with database.unit_of_work() as session:
        pairing = await session.scalar(select(Pairing))
        assert pairing is not None and pairing.status == "active"
        assert (pairing.mentor_id, pairing.mentee_id) == (ids["lea"], ids["marc"])
        proposal = await session.get(Proposal, proposals[ids["marc"]])
        assert proposal is not None and proposal.status == "accepted"
    people, intro = w.channel.introductions[-1]
    assert sorted(people) == sorted([ids["lea"], ids["marc"]])
    assert "Meet your reverse-mentoring partner" in words([intro])

    # kickoff goals: the first is required, then they are saved
    opened = await w.click("UMARC", button(intro, GOALS_ACTION))
    assert isinstance(opened.form, Form)
    refused = await w.submit("UMARC", opened.form, {"goal1": " ", "goal2": "x"})
    assert "goal1" in field_errors(refused)
    done = await w.submit("UMARC", opened.form, {"goal1": "Post on LinkedIn", "goal2": "SEO"})
    assert "Saved: 2 goals" in words([done_message(done)])
    async with database.unit_of_work() as session:
        goals = (await session.scalars(select(Goal.text).order_by(Goal.position))).all()
    assert goals == ["Post on LinkedIn", "SEO"]


async def test_a_double_click_on_accept_counts_once(database: Database) -> None:
    w, ids = await two_pairs(database)
    await sent(w)
    marc_card, lea_card = w.channel.to(ids["marc"])[-1], w.channel.to(ids["lea"])[-1]
    await w.click("UMARC", button(marc_card, ACCEPT_ACTION))
    again = await w.click("UMARC", button(marc_card, ACCEPT_ACTION))
    assert again.close_source and "accepts too" in words(again.messages)
    both = await asyncio.gather(
        w.click("ULEA", button(lea_card, ACCEPT_ACTION)),
        w.click("ULEA", button(lea_card, ACCEPT_ACTION)),
    )
    assert sum("You both accepted" in words(o.messages) for o in both) == 1
    await w.drain()
    async with database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(Pairing)) == 1
    assert len(w.channel.introductions) == 1


async def test_a_decline_is_private_and_the_next_round_pairs_differently(
    database: Database,
) -> None:
    w, ids = await two_pairs(database)
    await sent(w)
    opened = await w.click("UMARC", button(w.channel.to(ids["marc"])[-1], DECLINE_ACTION))
    assert isinstance(opened.form, Form)
    done = await w.submit("UMARC", opened.form, {"reason": "Lea works <b>too</b> close to me"})
    assert "you declined the proposal" in words([done_message(done)])
    await w.drain()
    told = words(w.channel.to(ids["lea"])[1:])
    assert "will not go ahead" in told and "back in the pool" in told
    assert "too" not in told and "close to me" not in told  # the reason stays private
    assert w.channel.updated(ids["lea"]), "Lea's card is closed (its buttons gone)"
    async with database.unit_of_work() as session:
        proposal = await session.scalar(select(Proposal).where(Proposal.status == "declined"))
        assert proposal is not None
        assert proposal.decline_reason == "Lea works <b>too</b> close to me"

    # Tom and Anne accept theirs; the next round may not pair Lea and Marc again
    await w.click("UTOM", button(w.channel.to(ids["tom"])[-1], ACCEPT_ACTION))
    await w.click("UANNE", button(w.channel.to(ids["anne"])[-1], ACCEPT_ACTION))
    await w.drain()
    text = words((await w.say("UADMIN", "admin match")).messages)
    assert "Lea Test → Marc Test" not in text
    assert (
        "0 mentees of 1 have a partner" in text
    )  # Marc is back in the pool, Lea is not proposed again
    # the program team, and only they, read why
    assert "Lea works <b>too</b> close to me" in text


async def test_an_unanswered_proposal_is_reminded_once_then_expires(database: Database) -> None:
    w, ids = await two_pairs(database)
    await sent(w)
    await w.click("UMARC", button(w.channel.to(ids["marc"])[-1], ACCEPT_ACTION))
    await w.drain(later(5))
    lea = w.channel.to(ids["lea"])
    assert "Reminder:" in words([lea[-1]])
    assert not any("Reminder:" in words([m]) for m in w.channel.to(ids["marc"]))  # answered
    await w.drain(later(8))
    async with database.unit_of_work() as session:
        statuses = sorted((await session.scalars(select(Proposal.status))).all())
    assert statuses == ["expired", "expired"]
    assert "expired" in words(w.channel.to(ids["lea"])[-1:])
    assert len(w.channel.updated(ids["lea"])) == 2  # the card and its reminder are closed
    late = await w.click("ULEA", button(lea[-1], ACCEPT_ACTION))
    assert "expired" in words(late.messages) and late.close_source


async def test_someone_leaving_meanwhile_frees_the_other(database: Database) -> None:
    w, ids = await two_pairs(database)
    await sent(w)
    confirm = (await w.say("ULEA", "leave")).messages[0]
    await w.click("ULEA", button(confirm, "leave"))
    await w.drain()
    told = words(w.channel.to(ids["marc"])[1:])
    assert "no longer available" in told and "back in the pool" in told
    late = await w.click("UMARC", button(w.channel.to(ids["marc"])[0], ACCEPT_ACTION))
    assert "will not go ahead" in words(late.messages)
    async with database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(Pairing)) == 0


async def test_admin_edits_the_dry_run_before_sending(database: Database) -> None:
    w, ids = await two_pairs(database)
    await w.say("UADMIN", "admin match")
    swapped = words((await w.say("UADMIN", "admin match swap 1 2")).messages)
    assert "1. Tom Test → Marc Test" in swapped
    removed = words((await w.say("UADMIN", "admin match remove 2")).messages)
    assert "1 mentee of 2 has a partner" in removed and "Lea Test → Anne Test" not in removed
    bad = words((await w.say("UADMIN", "admin match remove 9")).messages)
    assert "no pair 9" in bad
    pinned = words(
        (await w.say("UADMIN", "admin match pin tom@acme.example marc@acme.example")).messages
    )
    assert "Tom Test → Marc Test" in pinned
    await w.say("UADMIN", "admin match send")
    await w.drain()
    assert "Tom Test" in words(w.channel.to(ids["marc"]))


async def test_a_program_without_mentors_gets_a_clear_report(database: Database) -> None:
    w = await world(database)
    w.program_id = await add_program(database)
    await admin(w)
    await add_member(w, "UMARC", first="Marc", role="mentee", stage="director",
                     department="Finance", wants=["seo"])  # fmt: skip
    text = words((await w.say("UADMIN", "admin match")).messages)
    assert "Nobody to pair yet" in text and "no mentor" in text


async def test_either_side_can_end_a_pairing_without_fault(database: Database) -> None:
    w, ids = await two_pairs(database)
    await sent(w)
    await w.click("UMARC", button(w.channel.to(ids["marc"])[-1], ACCEPT_ACTION))
    await w.click("ULEA", button(w.channel.to(ids["lea"])[-1], ACCEPT_ACTION))
    await w.drain()
    opened = await w.say("UMARC", "end")
    assert isinstance(opened.form, Form)
    await w.submit("UMARC", opened.form, {"reason": "no time"})
    await w.drain()
    told = words(w.channel.to(ids["lea"])[-1:])
    assert "ended your pairing" in told and "nobody's fault" in told and "no time" not in told
    async with database.unit_of_work() as session:
        pairing = await session.scalar(select(Pairing))
        assert pairing is not None and pairing.status == "ended"
    nothing = await w.say("UMARC", "end")
    assert "no active pairing" in words(nothing.messages)
