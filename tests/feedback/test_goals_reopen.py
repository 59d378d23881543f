"""``reopen_midpoint``, for the ``feedback`` command: the same checks as the card's button
(the form for its own person while the request is open; "not yours", "closed" otherwise),
in process with the real core."""

from __future__ import annotations

from datetime import timedelta

from dialogs.core.events import Inbound, Outcome
from dialogs.core.flow import FlowContext
from dialogs.core.i18n import Translator
from dialogs.feedback.goals import reopen_midpoint
from storage.db import Database
from storage.feedback.requests import ask
from storage.models import FeedbackRequest, Goal, Person
from tests.sessions.scheduling_world import a_pair
from tests.support.clock import T0
from tests.support.messages import words
from tests.support.world import World, actor


async def reopened(
    w: World, person_id: str, user: str, request_id: int, days: float = 0
) -> Outcome:
    async with w.database.unit_of_work() as session:
        person = await session.get(Person, person_id)
        assert person is not None
        clock = w.clock
        clock.set(T0 + timedelta(days=days))
        ctx = FlowContext(session, person, "en", Translator("en"), clock)
        turn = w.conversation._turn(ctx, Inbound(actor(user), "command", text="feedback"))
        request = await session.get(FeedbackRequest, request_id)
        assert request is not None
        return await reopen_midpoint(turn, request)


async def test_reopen_midpoint_opens_the_form_for_its_person_only(database: Database) -> None:
    pair = await a_pair(database)
    w = pair.w
    async with database.unit_of_work() as session:
        session.add(Goal(pairing_id=pair.pairing_id, position=1, text="Post weekly",
                         created_by=pair.lea))  # fmt: skip
        request = await ask(
            session, key=f"feedback:midpoint:{pair.pairing_id}:{pair.marc}", kind="midpoint",
            pairing_id=pair.pairing_id, person_id=pair.marc, role="mentee", now=T0,
            expires_at=T0 + timedelta(days=21),
        )  # fmt: skip
        assert request is not None
        request_id = request.id

    opened = await reopened(w, pair.marc, "UMARC", request_id)
    assert opened.form is not None and opened.form.title == "Our goals"
    assert [f.label for f in opened.form.fields] == ["Post weekly"]
    others = await reopened(w, pair.lea, "ULEA", request_id)
    assert others.form is None and "not addressed to you" in words(others)
    late = await reopened(w, pair.marc, "UMARC", request_id, days=22)
    assert late.form is None and "has closed" in words(late)
