"""A pair waiting for its first session, in a world that runs every feature's due actions
(as the server does): Lea mentors from Paris, Marc, the leader, works from Montréal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update

from bot.domain.sessions.scheduling import BACKFILL
from dialogs.core.ui import Message
from dialogs.sessions.scheduling_cards import PICK_ACTION
from storage.db import Database
from storage.models import CheckIn, Pairing, Person
from tests.support.clock import T0
from tests.support.messages import buttons, words
from tests.support.people import add_program
from tests.support.world import World, add_member, world


async def scheduling_world(database: Database) -> World:
    return await world(database, every_feature=True)


@dataclass
class Pair:
    w: World
    lea: str  # mentor, Paris
    marc: str  # mentee (the leader), Montréal
    pairing_id: int


async def set_person(database: Database, person_id: str, **values: object) -> None:
    async with database.unit_of_work() as session:
        await session.execute(update(Person).where(Person.id == person_id).values(**values))


async def a_pair(
    database: Database, *, marc_locale: str = "en", marc_zone: str = "America/Montreal",
    w: World | None = None, mentor: str | None = None, n: int = 0,
) -> Pair:  # fmt: skip
    """An active pairing with no session yet (as if it started before scheduling)."""
    if w is None:
        w = await scheduling_world(database)
        w.program_id = await add_program(database)
    lea = mentor or await add_member(w, "ULEA", first="Lea", role="mentor", stage="junior",
                                     department="Marketing", offers=["seo"])  # fmt: skip
    marc = await add_member(w, f"UMARC{n or ''}", first=f"Marc{n or ''}", role="mentee",
                            stage="director", department="Finance", wants=["seo"],
                            email=f"marc{n}@acme.example")  # fmt: skip
    await set_person(database, marc, locale=marc_locale, timezone=marc_zone)
    async with database.unit_of_work() as session:
        pairing = Pairing(program_id=w.program_id, mentor_id=lea, mentee_id=marc, started_at=T0)
        session.add(pairing)
        await session.flush()
        return Pair(w, lea, marc, pairing.id)


async def backfill(w: World, hours: int = 0) -> None:
    """The routine that gives already-active pairings their first card (fired ``hours``
    after the clock's time: each firing is its own)."""
    assert w.ticker is not None
    [routine] = [r for r in w.ticker.routines if r.name == BACKFILL]
    at = w.clock.now() + timedelta(hours=hours)
    assert await w.ticker.fire(routine, at)
    await w.drain(at)


def slot_cards(w: World, person_id: str) -> list[Message]:
    return [m for m in w.channel.to(person_id) if any(b.action == PICK_ACTION for b in buttons(m))]


def last_with(w: World, person_id: str, text: str) -> Message:
    found = [m for m in w.channel.to(person_id) if text in words([m])]
    assert found, f"no message with {text!r}: {words(w.channel.to(person_id))!r}"
    return found[-1]


async def check_ins(database: Database) -> list[CheckIn]:
    async with database.unit_of_work() as session:
        return list((await session.scalars(select(CheckIn).order_by(CheckIn.id))).all())
