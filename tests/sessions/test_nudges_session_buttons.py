"""The nudge about a session nobody answered asks "did it happen?" again with the session's
own *Yes* / *No* / *Moved* (besides *Snooze* and *We're fine*), through the real core,
notifier and due queue: a click records the answer exactly as "did it happen?" does (a
held session plans the next one), Moved opens the reschedule, and someone outside the pair
or the leader's assistant is refused and changes nothing. English and French readers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clock import Ticker
from bot.domain.sessions.nudges import NUDGES_ROUTINE
from dialogs.core.ui import Button, Message
from dialogs.notify.notifier import Notifier, NotifierConfig
from dialogs.sessions.cards import ANSWER_ACTION
from dialogs.sessions.nudge_cards import SNOOZE_DAY_ACTION
from dialogs.sessions.nudges import NUDGES
from storage.db import Database
from storage.models import CheckIn, Nudge, Person
from tests.sessions.test_did_it_happen_flow import (
    PARIS,
    QUIET,
    START,
    at,
    pair_with_session,
    series_world,
)
from tests.support.messages import buttons, words
from tests.support.people import add_person
from tests.support.world import World

pytestmark = pytest.mark.timeout(120)

# Thursday 18:00 in Paris, 12:00 in Montréal: the session of Wednesday is a day over.
NUDGE_DAY = START + timedelta(days=1, hours=2)


async def nudge_world(database: Database) -> World:
    """The series world (core, notifier, queue, sessions' due actions) with the nudges'
    daily routine registered as the server registers it."""
    w = await series_world(database)
    notifier = Notifier(
        database,
        {"slack": w.channel},
        NotifierConfig(default_locale="en", quiet_hours=QUIET),
        clock=w.clock,
    )
    routines = NUDGES.register(w.runner.handlers, database, notifier)
    w.ticker = Ticker(w.runner, routines, timezone=PARIS)
    return w


async def nudged(w: World) -> None:
    """ "Did it happen?" is asked and goes unanswered; a day later the daily look at the
    pairs is fired as the scheduler would, and what falls due runs."""
    await at(w, START + timedelta(hours=2))
    assert w.ticker is not None
    [routine] = [r for r in w.ticker.routines if r.name == NUDGES_ROUTINE]
    w.clock.set(NUDGE_DAY)
    await w.ticker.fire(routine, NUDGE_DAY)
    await w.drain(NUDGE_DAY)


def nudge_to(w: World, person_id: str, title: str) -> Message:
    """The nudge (it can be snoozed), not the "did it happen?" card of the same title."""
    [message] = [
        m
        for m in w.channel.to(person_id)
        if m.summary == title and any(b.action == SNOOZE_DAY_ACTION for b in buttons(m))
    ]
    return message


def labelled(message: Message, label: str) -> Button:
    [found] = [b for b in buttons(message) if b.label == label]
    return found


async def session_row(w: World, check_in_id: int) -> CheckIn:
    async with w.database.unit_of_work() as session:
        row = await session.get(CheckIn, check_in_id)
        assert row is not None
        return row


@pytest.mark.parametrize(
    ("french", "title", "yes", "no", "moved", "snooze", "refused", "held", "planned"),
    [
        (False, "Did your session happen?", "Yes", "No", "Moved", "Snooze 1 day",
         "Only the two people of the pair answer this.",
         "Thank you! Noted: your session happened.", "Your next session is planned"),
        (True, "Votre séance a-t-elle eu lieu\u202f?", "Oui", "Non", "Déplacée", "Reporter d’un jour",
         "Seules les deux personnes du binôme répondent à cette question.",
         "Merci\u202f! C’est noté\u202f: votre séance a eu lieu.", "Votre prochaine séance est prévue"),
    ],
)  # fmt: skip
async def test_the_nudge_answers_the_session_like_did_it_happen(
    database: Database,
    french: bool,
    title: str,
    yes: str,
    no: str,
    moved: str,
    snooze: str,
    refused: str,
    held: str,
    planned: str,
) -> None:
    w = await nudge_world(database)
    anna, ben, check_in_id = await pair_with_session(w, french=french)
    helper = await add_person(database, "UHELP", "helper@acme.example", first="Helper")
    stranger = await add_person(database, "USTRANGER", "stranger@acme.example", first="Sam")
    async with database.unit_of_work() as session:
        (await session.get(Person, ben)).assistant_id = helper  # type: ignore[union-attr]
        for other in (helper, stranger):
            (await session.get(Person, other)).locale = "fr" if french else "en"  # type: ignore[union-attr]
    await nudged(w)  # "did it happen?" went unanswered by both: each is nudged about it

    nudges = {who: nudge_to(w, who, title) for who in (anna, ben)}
    for message in nudges.values():
        shown = [b.label for b in buttons(message)]
        assert shown[:3] == [yes, no, moved] and snooze in shown
        assert all(b.value.startswith(f"{check_in_id}:") for b in buttons(message)[:3])
        assert [b.action for b in buttons(message)[:3]] == [ANSWER_ACTION] * 3

    # The leader's assistant and someone outside the pair are refused; nothing changes.
    for user in ("UHELP", "USTRANGER"):
        outcome = await w.click(user, labelled(nudges[ben], yes))
        assert refused in words(outcome)
    row = await session_row(w, check_in_id)
    assert (row.status, row.answers) == ("planned", {})

    # Moved, from the nudge, opens the same reschedule form as from "did it happen?".
    opened = await w.click("UANNA", labelled(nudges[anna], moved))
    assert opened.form is not None

    # Both say Yes from their nudge: the session is held and the next one planned.
    await w.click("UANNA", labelled(nudges[anna], yes))
    outcome = await w.click("UBEN", labelled(nudges[ben], yes))
    assert held in words(outcome) and outcome.close_source
    row = await session_row(w, check_in_id)
    assert row.status == "held" and set(row.answers or {}) == {anna, ben}
    await w.drain(NUDGE_DAY)
    for who in (anna, ben):
        assert [m.summary for m in w.channel.to(who)].count(planned) == 1
    assert [m for m in w.channel.to(stranger)] == [] and w.channel.to(helper) == []
    # Answering was acting on the nudge: it never counts as ignored.
    async with database.unit_of_work() as session:
        answers = (await session.scalars(select(Nudge.answer))).all()
    assert answers == ["acted", "acted"]
    # The nudge's own Snooze, clicked afterwards, finds it answered already.
    again = await w.click("UBEN", labelled(nudges[ben], snooze))
    assert words(again) == words(await w.click("UBEN", labelled(nudges[ben], snooze)))
    async with database.unit_of_work() as session:
        assert (await session.scalars(select(Nudge.answer))).all() == ["acted", "acted"]


async def test_only_the_unanswered_nudge_carries_session_buttons(database: Database) -> None:
    w = await nudge_world(database)
    anna, ben, check_in_id = await pair_with_session(w)
    await at(w, START + timedelta(hours=2))
    for user in ("UANNA", "UBEN"):  # both answer "did it happen?": the session was held
        card = [m for m in w.channel.to(anna if user == "UANNA" else ben)
                if m.summary == "Did your session happen?"][-1]  # fmt: skip
        await w.click(user, labelled(card, "Yes"))
    await nudged(w)  # the goals are not set: that nudge has no Yes / No / Moved
    [goals] = [m for m in w.channel.to(anna) if m.summary == "Your goals"]
    assert ANSWER_ACTION not in {b.action for b in buttons(goals)}
    assert f"{check_in_id}:yes" not in {b.value for b in buttons(goals)}
