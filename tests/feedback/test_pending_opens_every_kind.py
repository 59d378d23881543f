"""``feedback`` lists what is pending of every kind (a session's survey, the pulse, the
mid-point and the closing review), and each Answer button opens that kind's own question."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dialogs.feedback.pending import PENDING_ACTION
from storage.db import Database
from storage.models import CheckIn, FeedbackRequest, Goal
from tests.support.clock import T0
from tests.support.messages import buttons, words
from tests.support.people import add_person, add_program, enroll, pair
from tests.support.world import world

pytestmark = pytest.mark.timeout(120)

KINDS = ("session", "pulse", "midpoint", "closing")


async def test_each_pending_kind_opens_its_own_question(database: Database) -> None:
    w = await world(database, every_feature=True)
    program = await add_program(database)
    w.program_id = program
    anna = await add_person(database, "UANNA", "anna@acme.example", first="Anna")
    ben = await add_person(database, "UBEN", "ben@acme.example", first="Ben")
    w.users.update({anna: "UANNA", ben: "UBEN"})
    await enroll(database, anna, program, role="mentor")
    await enroll(database, ben, program, role="mentee")
    pairing_id = await pair(database, program, anna, ben)
    async with database.unit_of_work() as session:
        check_in = CheckIn(pairing_id=pairing_id, scheduled_at=T0, status="held", answers={})
        session.add(check_in)
        session.add(Goal(pairing_id=pairing_id, position=1, text="Post on LinkedIn"))
        await session.flush()
        for n, kind in enumerate(KINDS):
            session.add(
                FeedbackRequest(
                    key=f"feedback:{kind}:{pairing_id}:{anna}", kind=kind,
                    pairing_id=pairing_id, person_id=anna, role="mentor", status="open",
                    check_in_id=check_in.id if kind == "session" else None,
                    asked_at=T0 - timedelta(hours=4 - n), expires_at=T0 + timedelta(days=5),
                )
            )  # fmt: skip

    listed = await w.say("UANNA", "feedback")
    answers = [b for b in buttons(listed) if b.action == PENDING_ACTION]
    assert len(answers) == len(KINDS), words(listed)
    opened = {}
    for kind, button in zip(KINDS, answers, strict=True):  # oldest first
        outcome = await w.click("UANNA", button)
        shown = repr(outcome)
        assert "closed" not in words(outcome).lower(), (kind, words(outcome))
        opened[kind] = shown
    # Each opened its own question: a rating, the pulse's choices, the goals, the review.
    assert "feedback:rate" in opened["session"] or "Rate" in opened["session"]
    assert "feedback:pulse" in opened["pulse"]
    assert "Post on LinkedIn" in opened["midpoint"]
    assert "recommend" in opened["closing"].lower()
    # Ben, the partner, has nothing pending and cannot open Anna's.
    assert not [b for b in buttons(await w.say("UBEN", "feedback")) if b.action == PENDING_ACTION]
    refused = await w.click("UBEN", answers[2])
    assert "only they can answer it" in words(refused)
    assert "Post on LinkedIn" not in repr(refused)
    # Once expired, the button answers that the question is closed, in its own words.
    w.clock.advance(timedelta(days=6))
    late = await w.click("UANNA", answers[1])
    assert "This question is closed now" in words(late)
