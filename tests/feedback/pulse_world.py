"""A pair and its program team for the pulse tests, with every feature wired as the server
wires it and the daily routine fired as the scheduler would.

Jules (junior mentor) reports to Paul; Paul runs the program (so he must never read
Jules's pulse). Hélène (leader, mentee) is paired with Jules. Rose runs the program too,
outside both lines. The deployment admin (TANDEM_ADMINS) is "Rh Team".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from bot.domain.feedback.pulse import PULSE_ROUTINE
from dialogs.core.ui import Button, Message
from dialogs.feedback.pulse import ALERT_DELAY
from dialogs.feedback.pulse_cards import ANSWER_ACTION
from storage.db import Database
from storage.models import Feedback, Pairing, Person, ProgramAdmin
from storage.queue import DueQueue
from storage.routines import enqueue_fire
from tests.support.clock import T0
from tests.support.messages import buttons
from tests.support.people import add_person, add_program
from tests.support.world import World, add_member, admin, world


@dataclass
class Cast:
    w: World
    jules: str
    helene: str
    paul: str
    rose: str
    team: str  # the deployment admin
    pairing_id: int


async def pulse_cast(database: Database, *, rose: bool = True, helene_admin: bool = False) -> Cast:
    w = await world(database, every_feature=True)
    w.program_id = await add_program(w.database)
    team = await admin(w)
    paul = await add_person(w.database, "U0PAUL001", "paul@acme.example", first="Paul")
    jules = await add_member(
        w, "U0JULES01", first="Jules", role="mentor", stage="junior", department="Marketing",
        manager_id=paul,
    )  # fmt: skip
    helene = await add_member(
        w, "U0HELENE1", first="Hélène", role="mentee", stage="director", department="Finance"
    )
    admins = [paul] + ([helene] if helene_admin else [])
    rose_id = ""
    if rose:
        rose_id = await add_person(w.database, "U0ROSE001", "rose@acme.example", first="Rose")
        admins.append(rose_id)
    w.users.update({paul: "U0PAUL001", rose_id: "U0ROSE001", team: "UADMIN"})
    async with w.database.unit_of_work() as session:
        for person_id in admins:
            session.add(ProgramAdmin(program_id=w.program_id, person_id=person_id))
        pairing = Pairing(program_id=w.program_id, mentor_id=jules, mentee_id=helene, started_at=T0)
        session.add(pairing)
        await session.flush()
        pairing_id = pairing.id
    return Cast(w, jules, helene, paul, rose_id, team, pairing_id)


def day(n: float) -> datetime:
    """``n`` days after T0 (Tuesday 1 December 2026, 11:00 UTC, 12:00 in Paris)."""
    return T0 + timedelta(days=n)


async def routine_at(w: World, at: datetime) -> None:
    """Move the clock, fire the daily routine as the scheduler would, run what is due."""
    w.clock.set(at)
    assert w.ticker is not None
    [routine] = [r for r in w.ticker.routines if r.name == PULSE_ROUTINE]
    await enqueue_fire(DueQueue(w.database), routine, at)
    await w.drain(at)


async def later(w: World, delay: timedelta = ALERT_DELAY + timedelta(minutes=1)) -> None:
    """Time passes (the readers' alert waits a little): only what falls due runs."""
    w.clock.set(w.clock.now() + delay)
    await w.drain()


def choice(message: Message, answer: str) -> Button:
    [found] = [
        b for b in buttons(message) if b.action == ANSWER_ACTION and b.value.endswith(answer)
    ]
    return found


def pulses(w: World, person_id: str) -> list[Message]:
    return [
        m for m in w.channel.to(person_id) if any(b.action == ANSWER_ACTION for b in buttons(m))
    ]


async def answers(w: World) -> list[tuple[str, str | None, str | None]]:
    async with w.database.unit_of_work() as session:
        rows = await session.scalars(select(Feedback).order_by(Feedback.id))
        return [(f.person_id, f.pulse, f.comment) for f in rows]


async def answer_rows(w: World) -> int:
    async with w.database.unit_of_work() as session:
        return int(await session.scalar(select(func.count()).select_from(Feedback)) or 0)


async def set_french(w: World, *people: str) -> None:
    async with w.database.unit_of_work() as session:
        for person_id in people:
            person = await session.get(Person, person_id)
            assert person is not None
            person.locale = "fr"
