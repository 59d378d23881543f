"""The survey's rules (pure), and its edges through the real core and queue: a session with
no next one stays open 14 days; the mentee's wanted skills are the chips when the mentor
offers none of them; an assistant, the partner and malformed clicks are refused and store
nothing; a reminder held by quiet hours is not sent once answered."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.domain.feedback.survey import (
    OPEN_WITHOUT_NEXT,
    REMIND_AFTER,
    chip_skills,
    expires_at,
    remind_at,
    toggled,
    valid_rating,
)
from dialogs.core.ui import Button
from dialogs.feedback.survey_cards import CHIP_ACTION, DONE_ACTION, RATE_ACTION
from dialogs.sessions.lifecycle import record_answer
from storage.db import Database
from storage.feedback.survey import follow_next_session
from storage.models import CheckIn, Feedback, FeedbackRequest, Pairing, Person
from tests.support.clock import T0
from tests.support.messages import buttons, words
from tests.support.people import add_program
from tests.support.world import World, add_member, world

pytestmark = pytest.mark.timeout(120)


def test_the_survey_closes_with_the_next_session_else_after_two_weeks() -> None:
    assert expires_at(T0 + timedelta(days=14), T0) == T0 + timedelta(days=14)
    assert expires_at(None, T0) == T0 + OPEN_WITHOUT_NEXT
    assert expires_at(T0 - timedelta(hours=1), T0) == T0 + OPEN_WITHOUT_NEXT  # already begun
    assert remind_at(T0, T0 + timedelta(days=14)) == T0 + REMIND_AFTER
    assert remind_at(T0, T0 + timedelta(days=1)) is None  # closes first: no reminder


def test_chips_are_the_shared_skills_else_what_the_mentee_wants() -> None:
    assert chip_skills(["seo", "data"], ["data", "ai", "seo"]) == ("data", "seo")
    assert chip_skills(["seo"], ["ai", "ai", "data"]) == ("ai", "data")
    assert len(chip_skills([], [f"s{n}" for n in range(20)])) == 8


def test_a_chip_sets_the_state_its_button_names() -> None:
    offered = ["seo", "ai", "data"]
    assert toggled([], "ai", True, offered) == ["ai"]
    assert toggled(["ai"], "ai", True, offered) == ["ai"]  # a double click: once
    assert toggled(["data", "seo"], "ai", True, offered) == ["seo", "ai", "data"]
    assert toggled(["ai"], "ai", False, offered) == []
    assert toggled(["ai"], "<!channel>", True, offered) == ["ai"]  # not offered: ignored
    assert [valid_rating(v) for v in ("1", "5", "0", "6", "x", "")] == [
        1,
        5,
        None,
        None,
        None,
        None,
    ]


async def pair_with_a_held_session(w: World) -> tuple[str, str, str, int]:
    """A mentor offering SEO, a mentee wanting social ads and AI (with an assistant), and a
    session both attended, with no next session planned (a self-organised pair)."""
    w.program_id = await add_program(w.database)
    mentor = await add_member(w, "UMENTOR", first="Ana", role="mentor", stage="junior",
                              department="Marketing", offers=["seo"])  # fmt: skip
    mentee = await add_member(w, "UMENTEE", first="Bob", role="mentee", stage="director",
                              department="Finance", wants=["social_ads", "seo_x"])  # fmt: skip
    assistant = await add_member(w, "UASSIST", first="Cid", role="mentor", stage="junior",
                                 department="Finance")  # fmt: skip
    async with w.database.unit_of_work() as session:
        boss = await session.get(Person, mentee)
        assert boss is not None
        boss.assistant_id = assistant
        pairing = Pairing(program_id=w.program_id, mentor_id=mentor, mentee_id=mentee)
        session.add(pairing)
        await session.flush()
        check_in = CheckIn(pairing_id=pairing.id, scheduled_at=T0 - timedelta(hours=2),
                           duration_minutes=45, status="planned", answers={})  # fmt: skip
        session.add(check_in)
        await session.flush()
        assert await record_answer(session, check_in, pairing, mentor, "yes", T0) == "held"
        check_in_id = check_in.id
    await w.drain()
    return mentor, mentee, assistant, check_in_id


async def test_refusals_store_nothing_and_the_survey_stays_open_two_weeks(
    database: Database,
) -> None:
    w = await world(database, every_feature=True)
    mentor, mentee, _assistant, _ = await pair_with_a_held_session(w)
    async with database.unit_of_work() as session:
        requests = {r.person_id: r for r in (await session.scalars(select(FeedbackRequest)))}
    assert {r.role for r in requests.values()} == {"mentor", "mentee"}
    assert requests[mentee].expires_at == T0 + OPEN_WITHOUT_NEXT
    [card] = [m for m in w.channel.to(mentee) if "How was your session?" in words(m)]
    assert "How much did you get out of" in words(card)
    [rate_4] = [b for b in buttons(card) if b.label == "4"]

    # The leader's assistant, the partner, and forged values: refused, nothing stored.
    refused = words(await w.click("UASSIST", rate_4))
    assert "This survey was sent to someone else" in refused
    assert "sent to someone else" in words(await w.click("UMENTOR", rate_4))
    for value in ("x:4", f"{requests[mentee].id}:9", f"{requests[mentee].id}"):
        answer = await w.click("UMENTEE", Button("9", RATE_ACTION, value=value))
        assert "I could not read this answer" in words(answer)
    chip_first = Button("x", CHIP_ACTION, value=f"{requests[mentee].id}:on:seo")
    assert "I could not read this answer" in words(await w.click("UMENTEE", chip_first))
    async with database.unit_of_work() as session:
        assert (await session.scalars(select(Feedback))).all() == []

    # The mentee's own tap: the chips are what he wants (the mentor offers none of it).
    chips = await w.click("UMENTEE", rate_4)
    [(_, step)] = chips.updates or [(None, chips.messages[0])]
    labels = [b.label for b in buttons(step)]
    assert labels[5:7] == ["Social media advertising", "seo_x"]  # an unknown key: as is
    assert "What did you learn?" in words(step)
    done = next(b for b in buttons(step) if b.action == DONE_ACTION)
    assert "sent to someone else" in words(await w.click("UASSIST", done))
    assert "support your learning" in words(await w.click("UMENTEE", done))

    # Three days on, the one reminder went to the mentor only (the mentee had answered).
    w.clock.set(T0 + timedelta(days=3))
    await w.drain()
    w.clock.set(T0 + timedelta(days=7))
    await w.drain()
    for person, expected in ((mentor, 1), (mentee, 0)):
        assert sum("A reminder" in words(m) for m in w.channel.to(person)) == expected

    # Two weeks on, the survey is closed: the mentor's late answer stores nothing.
    [mentor_card] = [m for m in w.channel.to(mentor) if "How was your session?" in words(m)]
    assert "as a mentor" in words(mentor_card)
    w.clock.set(T0 + OPEN_WITHOUT_NEXT + timedelta(minutes=1))
    [late] = [b for b in buttons(mentor_card) if b.label == "2"]
    assert "This survey is closed" in words(await w.click("UMENTOR", late))
    async with database.unit_of_work() as session:
        rows = (await session.scalars(select(Feedback))).all()
    assert [(r.person_id, r.rating) for r in rows] == [(mentee, 4)]


async def test_open_surveys_follow_the_next_session_when_it_moves(database: Database) -> None:
    w = await world(database, every_feature=True)
    await pair_with_a_held_session(w)
    async with database.unit_of_work() as session:
        pairing = (await session.scalars(select(Pairing))).one()
        moved_to = T0 + timedelta(days=20)
        session.add(CheckIn(pairing_id=pairing.id, scheduled_at=moved_to, duration_minutes=45,
                            ordinal=2, status="planned", answers={}))  # fmt: skip
        await session.flush()
        assert await follow_next_session(session, pairing.id, T0) == 2
        closes = {r.expires_at for r in await session.scalars(select(FeedbackRequest))}
    assert closes == {moved_to}
