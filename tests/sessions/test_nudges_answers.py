"""The answers to a nudge as the core takes them: a snooze holds the nudge and plans the
moment it comes back; "we're fine" is kept; a second click, someone else's click or a
forged value changes nothing and gets a clear answer."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from dialogs.core.ui import Button, Section
from dialogs.sessions.nudge_cards import FINE_ACTION, SNOOZE_DAY_ACTION, SNOOZE_WEEK_ACTION
from storage.db import Database
from storage.models import DueAction, Nudge
from tests.support.clock import T0
from tests.support.people import add_person, add_program, pair
from tests.support.world import world


def said(outcome: object) -> str:
    messages = getattr(outcome, "messages", ())
    return " ".join(
        p.plain()
        for m in messages
        for b in m.blocks
        if isinstance(b, Section)
        for p in b.paragraphs
    )


async def test_snooze_fine_and_clicks_that_change_nothing(database: Database) -> None:
    w = await world(database)
    program = await add_program(database)
    lea = await add_person(database, "ULEA", "lea@acme.example", first="Lea")
    marc = await add_person(database, "UMARC", "marc@acme.example", first="Marc")
    pairing = await pair(database, program, lea, marc)
    async with database.unit_of_work() as session:
        rows = [Nudge(pairing_id=pairing, person_id=who, kind="no_session", sent_at=T0)
                for who in (lea, marc, marc)]  # fmt: skip
        session.add_all(rows)
        await session.flush()
        lea_nudge, marc_nudge, marc_other = (str(r.id) for r in rows)

    # Léa clicks Marc's button (a forwarded card): not hers, nothing changes
    outcome = await w.click("ULEA", Button("Snooze", SNOOZE_DAY_ACTION, value=marc_nudge))
    assert "This reminder is not for you." in said(outcome) and outcome.close_source
    forged = await w.click("ULEA", Button("x", FINE_ACTION, value="<!channel>,-1,abc"))
    assert "not for you" in said(forged)

    outcome = await w.click("UMARC", Button("Snooze", SNOOZE_DAY_ACTION, value=marc_nudge))
    assert "Snoozed: I will remind you tomorrow." in said(outcome) and outcome.close_source
    again = await w.click("UMARC", Button("Fine", FINE_ACTION, value=marc_nudge))
    assert "You have answered this reminder already." in said(again)
    week = await w.click("UMARC", Button("Snooze", SNOOZE_WEEK_ACTION, value=marc_other))
    assert "in a week" in said(week)
    fine = await w.click("ULEA", Button("Fine", FINE_ACTION, value=lea_nudge))
    assert "I will not remind you of this unless something changes" in said(fine)

    async with database.unit_of_work() as session:
        answers = {str(n.id): (n.answer, n.snoozed_until) for n in await session.scalars(
            select(Nudge))}  # fmt: skip
        comebacks = sorted((await session.scalars(select(DueAction.due_at).where(
            DueAction.kind == "sessions.snooze_over"))).all())  # fmt: skip
    now = w.clock.now()
    assert answers == {
        marc_nudge: ("snoozed", now + timedelta(days=1)),
        marc_other: ("snoozed", now + timedelta(days=7)),
        lea_nudge: ("fine", None),
    }
    assert comebacks == [now + timedelta(days=1), now + timedelta(days=7)]
