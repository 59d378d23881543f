"""The closing review in the conversation core: a mentor with two pairings answers each
review on its own (a half-way review of the other is set aside, its form answered late
changes nothing), and a button without a request opens the oldest one still open."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from dialogs.core.ui import Button, Form
from dialogs.feedback.closing_cards import OPEN_ACTION
from storage.db import Database
from storage.feedback.closing import queue_closing
from storage.models import Feedback, FeedbackRequest, Pairing
from tests.support.messages import button, done_message, field_names, words
from tests.support.people import add_person, add_program, enroll, pair
from tests.support.world import world


async def test_each_review_of_a_mentor_with_two_pairings_is_its_own(database: Database) -> None:
    w = await world(database, every_feature=True)
    program = await add_program(database)
    anna = await add_person(database, "UANNA", "anna@acme.example", first="Anna")
    ben = await add_person(database, "UBEN", "ben@acme.example", first="Ben")
    cleo = await add_person(database, "UCLEO", "cleo@acme.example", first="Cleo")
    await enroll(database, anna, program, role="mentor")
    for mentee in (ben, cleo):
        await enroll(database, mentee, program, role="mentee")
    pairings = [await pair(database, program, anna, mentee) for mentee in (ben, cleo)]
    async with database.unit_of_work() as session:
        for pairing_id in pairings:
            row = await session.get(Pairing, pairing_id)
            assert row is not None
            row.status = "completed"
            await queue_closing(session, pairing_id, w.clock.now(), early=False)
    await w.drain(w.clock.now() + timedelta(seconds=5))  # the second is paced a second later
    cards = [m for m in w.channel.to(anna) if "Your closing review" in words(m)]
    assert len(cards) == 2
    async with database.unit_of_work() as session:
        mine = {
            r.pairing_id: r.id
            for r in await session.scalars(
                select(FeedbackRequest).where(FeedbackRequest.person_id == anna)
            )
        }

    # A bare opener (no request named) opens the oldest review still open: Ben's.
    opened = await w.click("UANNA", Button("x", OPEN_ACTION))
    assert isinstance(opened.form, Form)
    with_ben = opened.form
    # Cleo's card: her own review, Ben's half-way one set aside.
    [cleo_card] = [c for c in cards if button(c, OPEN_ACTION).value == str(mine[pairings[1]])]
    opened = await w.click("UANNA", button(cleo_card, OPEN_ACTION))
    assert isinstance(opened.form, Form) and opened.form.ref != with_ben.ref
    late = await w.submit("UANNA", with_ben, {"nps": "1"})
    assert "already" in words(done_message(late))
    step = await w.submit("UANNA", opened.form, {"nps": "8", "changed": "I listen more"})
    assert step.form_answer is not None
    form = getattr(step.form_answer, "form", None)
    assert isinstance(form, Form)  # no skill stated at enrollment: straight to the last step
    assert field_names(form) == ["testimonial", "consent"]
    done = await w.submit("UANNA", form, {"testimonial": ""})
    assert "Thank you for your review" in words(done_message(done))
    async with database.unit_of_work() as session:
        [answer] = (await session.scalars(select(Feedback))).all()
        assert (answer.request_id, answer.nps, answer.changed) == (
            mine[pairings[1]], 8, "I listen more",
        )  # fmt: skip

    # Three weeks on, the review has closed: the card answers so and opens nothing.
    w.clock.set(w.clock.now() + timedelta(days=21))
    closed = await w.click("UANNA", button(cleo_card, OPEN_ACTION))
    assert closed.form is None and "This review has closed" in words(closed)
    # Someone else's card is not theirs.
    other = await w.click("UBEN", button(cleo_card, OPEN_ACTION))
    assert other.form is None and "This review is not for you." in words(other)
