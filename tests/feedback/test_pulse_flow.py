"""The monthly pulse through the real core, notifier and due queue, on the injected clock:
asked once a month per person in each side's words, reminded once, closed at the month's
end; answers changed (never added), refused late or from someone else; a concern alerts
only the readers the rule allows and flags the pair in ``admin sessions`` for them only."""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta
from typing import Any, cast

import pytest
from sqlalchemy import select

from bot.domain.feedback.pulse import CONCERN, FINE, TALK
from dialogs.core.events import Inbound
from dialogs.core.feature import Turn
from dialogs.core.flow import FlowContext
from dialogs.core.i18n import Translator
from dialogs.feedback.pulse import reopen_pulse
from dialogs.feedback.pulse_cards import COMMENT_ACTION
from storage.db import Database
from storage.models import FeedbackRequest, Person, ProgramAdmin
from tests.feedback.pulse_world import (
    answer_rows,
    answers,
    choice,
    day,
    later,
    pulse_cast,
    pulses,
    routine_at,
    set_french,
)
from tests.support.messages import button, done_message, words
from tests.support.world import actor

pytestmark = pytest.mark.timeout(120)


async def test_each_side_is_asked_monthly_in_its_own_words_reminded_once_then_closed(
    database: Database,
) -> None:
    c = await pulse_cast(database)
    w = c.w
    await routine_at(w, day(13))
    assert pulses(w, c.jules) == [] and pulses(w, c.helene) == []  # the pair is too new
    await routine_at(w, day(14))  # Tuesday 15 December
    [junior] = pulses(w, c.jules)
    [leader] = pulses(w, c.helene)
    assert junior.summary == "How is it going?"
    assert "How is it going with Hélène Test? Anything the program team should know?" in words(
        junior
    )
    assert [b.label for b in junior.blocks[-1].buttons] == ["Fine", "A concern", "I'd like to talk"]  # type: ignore[union-attr]
    assert leader.summary == "Your reverse mentoring this month"
    assert "How is your reverse mentoring with Jules Test going?" in words(leader)
    assert [b.label for b in leader.blocks[-1].buttons] == [  # type: ignore[union-attr]
        "All is well",
        "A point of attention",
        "I would welcome a word",
    ]
    await routine_at(w, day(14.5))  # a rerun the same month asks nothing twice
    assert len(pulses(w, c.jules)) == 1 and len(pulses(w, c.helene)) == 1

    await w.click("U0JULES01", choice(junior, FINE))  # Jules answers; Hélène does not
    await routine_at(w, day(21))
    assert len(pulses(w, c.jules)) == 1
    [_, reminder] = pulses(w, c.helene)
    assert "A gentle reminder" in words(reminder)
    await routine_at(w, day(28))
    assert len(pulses(w, c.helene)) == 2  # one reminder at most

    await routine_at(w, day(31))  # 1 January: December closes, January is asked
    closed = w.channel.updated(c.helene)
    assert closed and closed[-1].summary == "This month's pulse is closed"
    async with w.database.unit_of_work() as session:
        rows = (await session.scalars(select(FeedbackRequest).order_by(FeedbackRequest.id))).all()
    assert [(r.key.rsplit(":", 1)[1], r.status) for r in rows] == [
        ("2026-12", "answered"),
        ("2026-12", "expired"),
        ("2027-01", "open"),
        ("2027-01", "open"),
    ]
    assert len(pulses(w, c.jules)) == 2 and len(pulses(w, c.helene)) == 3


async def test_quiet_hours_hold_the_question(database: Database) -> None:
    c = await pulse_cast(database)
    w = c.w
    async with w.database.unit_of_work() as session:
        helene = await session.get(Person, c.helene)
        assert helene is not None
        helene.quiet_start, helene.quiet_end, helene.quiet_days = time(8), time(18), []
    await routine_at(w, day(14))  # 12:00 in Paris: inside Hélène's quiet hours
    assert len(pulses(w, c.jules)) == 1 and pulses(w, c.helene) == []
    await later(w, timedelta(hours=6, minutes=15))  # 18:15 in Paris
    assert len(pulses(w, c.helene)) == 1


async def test_a_concern_with_a_comment_alerts_only_the_readers_and_flags_the_pair(
    database: Database,
) -> None:
    c = await pulse_cast(database)
    w = c.w
    await routine_at(w, day(14))
    [junior] = pulses(w, c.jules)
    noted = await w.click("U0JULES01", choice(junior, CONCERN))
    assert "Thank you, noted: A concern." in words(noted) and noted.close_source
    opened = await w.click("U0JULES01", button(noted.messages[1], COMMENT_ACTION))
    assert opened.form is not None and opened.form.title == "Your monthly pulse"
    typed = "<!channel> She cancels every session *at the last minute*"
    done = await w.submit("U0JULES01", opened.form, {"answer": CONCERN, "comment": typed})
    assert "your answer and your comment are with the program team" in words(done_message(done))
    await later(w)

    [alert] = w.channel.to(c.rose)
    assert alert.summary == "A pulse asks for a follow-up"
    said = words(alert)
    assert "Jules Test (mentor) answered the monthly pulse: a concern." in said
    assert typed in said and "changed" not in said  # one alert: the click and the comment
    # Never Paul (Jules's manager), nor the pair, nor the deployment admin (Rose reads it).
    for never in (c.paul, c.helene, c.team):
        assert [m for m in w.channel.to(never) if "pulse" in m.summary.lower()] == []
    assert await answers(w) == [(c.jules, CONCERN, typed)]

    rose_view = words(await w.say("U0ROSE001", "admin sessions"))
    assert "Jules Test ↔ Hélène Test" in rose_view and "follow up: a concern (pulse)" in rose_view
    for user in ("U0PAUL001", "UADMIN"):
        view = words(await w.say(user, "admin sessions"))
        assert "Jules Test ↔ Hélène Test" in view and "follow up" not in view

    # A week later Jules adds to his comment: Rose is told again, as a change.
    w.clock.set(w.clock.now() + timedelta(days=7))
    reopened = await w.click("U0JULES01", button(noted.messages[1], COMMENT_ACTION))
    assert reopened.form is not None
    assert [f.initial for f in reopened.form.fields] == [(CONCERN,), typed]  # as stored
    await w.submit("U0JULES01", reopened.form, {"answer": TALK, "comment": "Can we talk?"})
    await later(w)
    [_, again] = w.channel.to(c.rose)
    assert "They changed their answer or added a comment." in words(again)
    assert "would like to talk" in words(again) and "Can we talk?" in words(again)
    assert await answers(w) == [(c.jules, TALK, "Can we talk?")]


async def test_an_admin_in_the_junior_s_chain_never_sees_it_and_the_leader_never_does(
    database: Database,
) -> None:
    # Rose is gone; Paul (Jules's manager) and Hélène (the leader) run the program: the
    # deployment admin reads Jules's pulse, never either of them.
    c = await pulse_cast(database, rose=False, helene_admin=True)
    w = c.w
    await routine_at(w, day(14))
    [junior] = pulses(w, c.jules)
    await w.click("U0JULES01", choice(junior, TALK))
    await later(w)
    [alert] = [m for m in w.channel.to(c.team) if m.summary == "A pulse asks for a follow-up"]
    assert "would like to talk" in words(alert)
    for never in (c.paul, c.helene):
        assert [m for m in w.channel.to(never) if "follow-up" in m.summary] == []
        view = words(await w.say(w.user(never), "admin sessions"))
        assert "Jules Test ↔ Hélène Test" in view and "follow up" not in view
    assert "follow up: would like to talk (pulse)" in words(await w.say("UADMIN", "admin sessions"))


async def test_answering_twice_changes_the_one_answer(database: Database) -> None:
    c = await pulse_cast(database)
    w = c.w
    await set_french(w, c.helene)
    await routine_at(w, day(14))
    [leader] = pulses(w, c.helene)
    assert leader.summary == "Votre mentorat inversé ce mois-ci"
    first = await w.click("U0HELENE1", choice(leader, FINE))
    assert "Merci, c’est noté\u202f: Tout va bien." in words(first)
    again = await w.click("U0HELENE1", choice(leader, CONCERN))  # the same card, clicked again
    assert "Votre réponse est mise à jour\u202f: Un point d’attention." in words(again)
    assert await answers(w) == [(c.helene, CONCERN, None)]
    await later(w)
    [alert] = [m for m in w.channel.to(c.rose) if m.summary == "A pulse asks for a follow-up"]
    assert "Hélène Test (mentee) answered the monthly pulse: a concern." in words(alert)
    for never in (c.jules, c.paul, c.team):  # the partner, the junior's manager
        assert [m for m in w.channel.to(never) if "follow-up" in m.summary] == []


async def test_a_late_answer_after_the_month_is_refused_and_nothing_is_stored(
    database: Database,
) -> None:
    c = await pulse_cast(database)
    w = c.w
    await routine_at(w, day(14))
    [junior] = pulses(w, c.jules)
    [leader] = pulses(w, c.helene)
    opened = await w.click("U0HELENE1", button(leader, "feedback:pulse"))  # a first answer
    form = await w.click("U0HELENE1", button(opened.messages[1], COMMENT_ACTION))
    assert form.form is not None
    w.clock.set(
        day(31) - timedelta(hours=12, minutes=15)
    )  # 23:45 in Paris, 31 December: still open
    await w.drain()
    w.clock.set(day(31) - timedelta(hours=10, minutes=15))  # 01:45 in Paris, 1 January: closed
    late = await w.click("U0JULES01", choice(junior, CONCERN))
    assert "This month's pulse is closed, so your answer was not recorded." in words(late)
    submitted = await w.submit("U0HELENE1", form.form, {"answer": TALK, "comment": "too late"})
    assert "your answer was not recorded" in words(done_message(submitted))
    assert await answers(w) == [(c.helene, FINE, None)]  # only the answer given in time
    await later(w)
    assert [m for m in w.channel.to(c.rose) if "follow-up" in m.summary] == []


async def test_someone_outside_the_pair_cannot_answer(database: Database) -> None:
    c = await pulse_cast(database)
    w = c.w
    await set_french(w, c.paul)
    await routine_at(w, day(14))
    [junior] = pulses(w, c.jules)
    refused = await w.click("U0PAUL001", choice(junior, FINE))  # Paul, with Jules's button
    assert "Cette question ne vous était pas destinée" in words(refused)
    comment = await w.click("U0PAUL001", replace(choice(junior, FINE), action=COMMENT_ACTION))
    assert comment.form is None and "pas destinée" in words(comment)
    forged = await w.click("U0PAUL001", replace(choice(junior, FINE), value="999999:fine"))
    assert "pas destinée" in words(forged)
    assert await answer_rows(w) == 0
    async with w.database.unit_of_work() as session:
        statuses = (await session.scalars(select(FeedbackRequest.status))).all()
    assert sorted(statuses) == ["open", "open"]


async def test_reopen_pulse_shows_the_card_again_for_an_open_request(database: Database) -> None:
    c = await pulse_cast(database)
    w = c.w
    await routine_at(w, day(14))
    async with w.database.unit_of_work() as session:
        request = (
            await session.scalars(
                select(FeedbackRequest).where(FeedbackRequest.person_id == c.jules)
            )
        ).one()
        person = await session.get(Person, c.jules)
        assert person is not None
        ctx = FlowContext(session, person, "en", Translator("en"), w.clock)
        turn = Turn(ctx, Inbound(actor("U0JULES01"), "command", text="feedback"), cast(Any, None))
        shown = await reopen_pulse(turn, request)
    [card] = shown.messages
    assert card.summary == "How is it going?" and "Hélène Test" in words(card)
    clicked = await w.click("U0JULES01", choice(card, FINE))
    assert "Thank you, noted: Fine." in words(clicked)
    assert await answers(w) == [(c.jules, FINE, None)]


async def test_a_program_admin_row_is_all_it_takes_to_read(database: Database) -> None:
    """The deployment admins read only when no program admin may: Rose reads, they don't."""
    c = await pulse_cast(database)
    w = c.w
    async with w.database.unit_of_work() as session:
        rows = (await session.scalars(select(ProgramAdmin.person_id))).all()
    assert set(rows) == {c.paul, c.rose}
    await routine_at(w, day(14))
    [leader] = pulses(w, c.helene)
    await w.click("U0HELENE1", choice(leader, TALK))
    await later(w)
    assert [m.summary for m in w.channel.to(c.rose)] == ["A pulse asks for a follow-up"]
    assert [m for m in w.channel.to(c.team) if "follow-up" in m.summary] == []
