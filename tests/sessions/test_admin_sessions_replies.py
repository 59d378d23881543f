"""``admin sessions`` as the core answers it: the program picked from what an admin runs,
a long program cut short with a count, at-risk pairs first; a program that does not exist
or is someone else's gets a clear answer, with what was typed shown inert."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.domain.notifications import Announcement
from dialogs.core.ui import Actions, Message, Section
from dialogs.notify.notifier import DELIVER, Delivery
from dialogs.sessions.admin_sessions import MAX_PAIRS, SESSIONS_ACTION
from storage.db import Database
from storage.enqueue import enqueue_due
from storage.models import Nudge, PlatformIdentity, ProgramAdmin
from tests.support.clock import T0
from tests.support.people import add_person, add_program, enroll, pair
from tests.support.world import admin, world


def text(message: Message) -> str:
    return "\n".join(
        p.plain() for b in message.blocks if isinstance(b, Section) for p in b.paragraphs
    )


async def test_a_long_program_is_cut_short_with_a_count_and_at_risk_pairs_first(
    database: Database,
) -> None:
    w = await world(database)
    await admin(w)
    program = await add_program(database)
    leaders = [await add_person(database, f"UL{n}", f"l{n}@acme.example", first=f"Leader{n:02}")
               for n in range(MAX_PAIRS + 5)]  # fmt: skip
    young = await add_person(database, "UY", "y@acme.example", first="Young")
    pairs = [await pair(database, program, young, leader) for leader in leaders]
    async with database.unit_of_work() as session:
        # the last pair drifted: the team was alerted about it
        session.add(Nudge(pairing_id=pairs[-1], person_id=leaders[-1], kind="at_risk",
                          sent_at=T0 + timedelta(days=20)))  # fmt: skip

    [report] = (await w.say("UADMIN", "admin sessions")).messages
    shown = text(report)
    assert "Program rm-2027 — 20 active pairs, 1 at risk" in shown
    lines = [line for line in shown.splitlines() if "↔" in line]
    assert len(lines) == MAX_PAIRS
    assert "Leader19" in lines[0] and lines[0].endswith("at risk")
    assert "… and 5 more pairs." in shown
    assert "Everyone was reached." in shown
    assert report.visibility == "private"


async def test_unknown_and_foreign_programs_are_refused_with_the_words_shown_inert(
    database: Database,
) -> None:
    w = await world(database)
    await admin(w)
    mine = await add_program(database, "mine")
    await add_program(database, "theirs")
    boss = await add_person(database, "UBOSS", "boss@acme.example", first="Boss")
    async with database.unit_of_work() as session:
        session.add(ProgramAdmin(program_id=mine, person_id=boss))

    [answer] = (await w.say("UADMIN", "admin sessions <!channel>")).messages
    assert "I do not know a program called <!channel>" in text(answer)
    assert "Programs: mine, theirs" in text(answer)

    [answer] = (await w.say("UBOSS", "admin sessions theirs")).messages
    assert "You are not an admin of this program: theirs" in text(answer)
    [report] = (await w.say("UBOSS", "admin sessions")).messages  # the only one they run
    assert "Program mine" in text(report)

    [answer] = (await w.say("UNOBODY", "admin sessions mine")).messages
    assert "This command is for program admins" in text(answer)


async def test_an_admin_of_several_programs_picks_one_with_a_click(database: Database) -> None:
    w = await world(database)
    await admin(w)
    await add_program(database, "one")
    await add_program(database, "two")
    [question] = (await w.say("UADMIN", "admin sessions")).messages
    [buttons] = [b for b in question.blocks if isinstance(b, Actions)]
    assert [b.value for b in buttons.buttons] == ["one", "two"]
    assert {b.action for b in buttons.buttons} == {SESSIONS_ACTION}
    [report] = (await w.click("UADMIN", buttons.buttons[1])).messages
    assert "Program two — 0 active pairs" in text(report)
    assert "No active pair in this program yet." in text(report)
    # someone who runs nothing clicking an admin's button is refused by the core
    [refused] = (await w.click("UNOBODY", buttons.buttons[0])).messages
    assert "Program one" not in text(refused)


async def test_a_person_with_no_reachable_platform_is_listed_with_the_reason(
    database: Database,
) -> None:
    w = await world(database)
    await admin(w)
    program = await add_program(database)
    gone = await add_person(database, "UGONE", "gone@acme.example", first="Gone")
    other = await add_person(database, "UOTHER", "other@acme.example", first="Other")
    await enroll(database, gone, program, role="mentee")
    await pair(database, program, other, gone)
    w.channel.unreachable.add("UGONE")  # the platform answers user_not_found
    async with database.unit_of_work() as session:
        message = Delivery(gone, Announcement("Bonjour", "Hello").to_payload())
        await enqueue_due(session, DELIVER, message, w.clock.now(), key="test:hello")
    await w.drain()

    async with database.unit_of_work() as session:
        identity = (await session.scalars(
            select(PlatformIdentity).where(PlatformIdentity.person_id == gone))).one()  # fmt: skip
        assert identity.reachable is False
    [report] = (await w.say("UADMIN", "admin sessions")).messages
    assert "Gone Test (slack) — left the workspace" in text(report)
    assert "Other Test" not in text(report).split("Could not reach:")[1]
