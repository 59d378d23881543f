"""Leave, the end of a pairing and ``forget`` cancel the sessions to come and their
reminders, and the partner is told (pause is in test_did_it_happen_flow)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from dialogs.core.ui import Button
from storage.db import Database
from storage.erasure import forget_person
from storage.models import CheckIn, DueAction
from tests.sessions.test_did_it_happen_flow import (
    START,
    at,
    pair_with_session,
    series_world,
    titles,
)
from tests.support.messages import buttons, words
from tests.support.world import World

pytestmark = pytest.mark.timeout(120)


async def nothing_left(w: World, check_in_id: int) -> None:
    async with w.database.unit_of_work() as session:
        row = await session.get(CheckIn, check_in_id)
        assert row is not None and row.status == "cancelled" and row.sequence == 1
        pending = await session.scalars(
            select(DueAction.idempotency_key).where(
                DueAction.status == "pending",
                DueAction.idempotency_key.startswith(f"session:{check_in_id}:"),
            )
        )
        assert list(pending) == []


async def no_reminder_ever(w: World, person_id: str) -> None:
    before = len(w.channel.to(person_id))
    await at(w, START + timedelta(hours=3))
    later = w.channel.to(person_id)[before:]
    assert "Your session is coming up" not in titles(later)
    assert "Did your session happen?" not in titles(later)


async def test_leaving_cancels_the_sessions_and_the_partner_is_told(database: Database) -> None:
    w = await series_world(database)
    _, ben, check_in_id = await pair_with_session(w)
    await at(w, w.clock.now())
    card = (await w.say("UANNA", "leave")).messages[0]
    leave: Button = next(b for b in buttons(card) if b.action == "leave")
    await w.click("UANNA", leave)
    await nothing_left(w, check_in_id)
    await at(w, w.clock.now())
    told = [m for m in w.channel.to(ben) if m.summary == "Sessions cancelled"]
    assert len(told) == 1 and "left the program" in words(told)
    await no_reminder_ever(w, ben)


async def test_ending_the_pairing_cancels_the_sessions(database: Database) -> None:
    w = await series_world(database)
    anna, _, check_in_id = await pair_with_session(w)
    opened = await w.say("UBEN", "end")
    assert opened.form is not None
    await w.submit("UBEN", opened.form, {"reason": ""})
    await nothing_left(w, check_in_id)
    await at(w, w.clock.now())
    assert "ended your pairing" in words([m for m in w.channel.to(anna)])
    await no_reminder_ever(w, anna)


async def test_forget_cancels_the_sessions_and_tells_the_partner_without_a_name(
    database: Database,
) -> None:
    w = await series_world(database)
    _, ben, check_in_id = await pair_with_session(w)
    await forget_person(database, "anna@acme.example", now=w.clock.now())
    await nothing_left(w, check_in_id)
    await at(w, w.clock.now())
    told = [m for m in w.channel.to(ben) if m.summary == "Sessions cancelled"]
    assert len(told) == 1
    assert "Anna" not in words(told) and "no longer in the program" in words(told)
    await no_reminder_ever(w, ben)
