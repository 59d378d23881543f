"""Who reads a pair's scheduling cards, and the slots they are offered: the first card of
a pairing (at its start, or once for a pairing already active when scheduling shipped),
new slots on request, and the question "which date?" after "we'll organise it ourselves".
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.notifications import Notification
from bot.domain.sessions.busy import Answer, busy_as_taken, with_calendar
from bot.domain.sessions.scheduling import (
    OFFER,
    CheckInRef,
    PairingSlots,
    SelfOrganised,
    SlotPicked,
    SlotsOffered,
)
from bot.domain.sessions.slots import Offer, Side, propose
from dialogs.core.feature import DueContext
from dialogs.sessions.free_busy import read_for_pairing
from dialogs.sessions.news import tell
from storage.enqueue import enqueue_due
from storage.models import CheckIn, Pairing, Person, Program
from storage.sessions import scheduling as store

# -- who acts for whom -------------------------------------------------------------------


async def card_readers(session: AsyncSession, pairing: Pairing) -> dict[str, str]:
    """Side (person id) -> who reads its scheduling cards: the leader's assistant, when
    they named one, reads the leader's."""
    leader = await session.get(Person, pairing.mentee_id)
    helper = leader.assistant_id if leader is not None else None
    assistant = await session.get(Person, helper) if helper else None
    usable = assistant is not None and assistant.active and assistant.erased_at is None
    return {
        pairing.mentee_id: assistant.id if assistant is not None and usable else pairing.mentee_id,
        pairing.mentor_id: pairing.mentor_id,
    }


async def acting_for(session: AsyncSession, pairing: Pairing, person_id: str) -> str | None:
    """The side a person may act for in this pairing: their own, or their leader's."""
    if person_id in (pairing.mentor_id, pairing.mentee_id):
        return person_id
    readers = await card_readers(session, pairing)
    return pairing.mentee_id if readers[pairing.mentee_id] == person_id else None


def partner(pairing: Pairing, side: str) -> str:
    return pairing.mentor_id if side == pairing.mentee_id else pairing.mentee_id


# -- offering slots ----------------------------------------------------------------------


async def compute_offer(
    session: AsyncSession,
    pairing: Pairing,
    now: datetime,
    zone: str,
    avoid: list[datetime],
    calendars: Mapping[str, Answer] | None = None,
) -> tuple[Offer, Side, Side, int]:
    """``calendars``: person id -> their free/busy, when their calendar could be read."""
    calendars = calendars or {}
    leader, mentor = await store.sides(session, pairing, zone)
    leader = with_calendar(leader, calendars.get(leader.person_id))
    mentor = with_calendar(mentor, calendars.get(mentor.person_id))
    settings, minutes = await store.settings_of(session, pairing)
    held = await store.taken(session, [pairing.mentor_id, pairing.mentee_id], pairing.id)
    held = [*held, *busy_as_taken(calendars.values())]
    offer = propose(
        leader, mentor, minutes=minutes, taken=held, now=now, settings=settings, avoid=avoid
    )
    return offer, leader, mentor, minutes


async def send_slots(
    session: AsyncSession,
    pairing: Pairing,
    check_in: CheckIn,
    offer: Offer,
    *,
    key: str,
    now: datetime,
    again: bool = False,
) -> None:
    """A slot card to each side's reader (through the queue: quiet hours respected)."""
    program = await session.get(Program, pairing.program_id)
    readers = await card_readers(session, pairing)
    outside = {s.at.isoformat(): list(s.outside_for) for s in offer.slots if s.outside_for}
    for side, reader in readers.items():
        others = (partner(pairing, side),) + ((side,) if reader != side else ())
        card = SlotsOffered(
            check_in.id,
            program.name if program else "",
            others,
            tuple(check_in.slots),
            check_in.duration_minutes,
            offer.overlap,
            outside,
            for_leader=side if reader != side else "",
            again=again,
        )
        await tell(session, reader, card, key=f"{key}:{reader}", at=now)


async def offer_first_slots(due: DueContext, payload: PairingSlots) -> None:
    """The first slot card of a pairing (at its start, or for one already active)."""
    now = due.notifier.clock.now()
    zone = due.notifier.config.default_timezone
    async with due.database.unit_of_work() as session:
        pairing = await session.get(Pairing, payload.pairing_id)
        settings = (await store.settings_of(session, pairing))[0] if pairing else None
    if pairing is None or settings is None:
        return
    calendars = await read_for_pairing(due.database, pairing.id, now, settings)
    async with due.database.unit_of_work(immediate=True) as session:
        pairing = await store.locked_pairing(session, payload.pairing_id)
        if pairing is None or pairing.status != "active":
            return
        if await store.first_check_in(session, pairing.id) is not None:
            return
        offer, _, _, minutes = await compute_offer(session, pairing, now, zone, [], calendars)
        check_in = store.propose_first(session, pairing, [s.at for s in offer.slots], minutes, now)
        await session.flush()
        await send_slots(session, pairing, check_in, offer, key=due.key, now=now)


async def backfill_first_slots(due: DueContext) -> None:
    """Pairings already active when scheduling shipped get their first card, once: the
    offer's key is the pairing's, so a pairing offered at its start is not offered again."""
    now = due.notifier.clock.now()
    async with due.database.unit_of_work(immediate=True) as session:
        for pairing_id in await store.pairings_without_sessions(session):
            await enqueue_due(session, OFFER, PairingSlots(pairing_id), now)


async def ask_for_date(due: DueContext, payload: CheckInRef) -> None:
    """They said they would organise it themselves: which date did they agree on?"""
    async with due.database.unit_of_work(immediate=True) as session:
        check_in = await session.get(CheckIn, payload.check_in_id)
        if check_in is None or check_in.status != store.PROPOSED or not check_in.self_organised:
            return
        pairing = await session.get(Pairing, check_in.pairing_id)
        if pairing is None or pairing.status != "active":
            return
        for side, reader in (await card_readers(session, pairing)).items():
            question = SelfOrganised(check_in.id, (partner(pairing, side),), ask=True)
            await tell(
                session, reader, question, key=f"{due.key}:{reader}", at=due.notifier.clock.now()
            )


async def settled_meanwhile(session: AsyncSession, card: Notification, person_id: str) -> bool:
    """A slot or pick card held back by quiet hours is not sent once the session is
    settled (the notifier asks: True means outdated)."""
    check_in_id = getattr(card, "check_in_id", None)
    if not isinstance(card, SlotsOffered | SlotPicked) or check_in_id is None:
        return False
    check_in = await session.get(CheckIn, check_in_id)
    return check_in is None or check_in.status != store.PROPOSED
