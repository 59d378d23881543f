"""A pair's first session in the database: its slots, a pick, the confirmation (under a
row lock, so two simultaneous picks confirm exactly one), and the pairings still waiting
for their first card."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.sessions.settings import SessionSettings
from bot.domain.sessions.slots import Side, Window
from storage.models import AvailabilityWindow, CheckIn, Enrollment, Pairing, Person, Program

PROPOSED, PLANNED = "proposed", "planned"
# A session's time still holds (for clashes): offered or confirmed.
OPEN = (PROPOSED, PLANNED)


def parse_instant(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


async def first_check_in(session: AsyncSession, pairing_id: int) -> CheckIn | None:
    return await session.scalar(
        select(CheckIn).where(CheckIn.pairing_id == pairing_id).order_by(CheckIn.ordinal).limit(1)
    )


async def locked_check_in(session: AsyncSession, check_in_id: int) -> CheckIn | None:
    """The row, locked until the end of the unit of work (PostgreSQL ``FOR UPDATE``; on
    SQLite the conversation's ``BEGIN IMMEDIATE`` already serialises writers)."""
    return await session.scalar(select(CheckIn).where(CheckIn.id == check_in_id).with_for_update())


async def locked_pairing(session: AsyncSession, pairing_id: int) -> Pairing | None:
    return await session.scalar(select(Pairing).where(Pairing.id == pairing_id).with_for_update())


async def sides(session: AsyncSession, pairing: Pairing, default_zone: str) -> tuple[Side, Side]:
    """The leader (mentee) first, then the mentor: zones and weekly windows."""
    found: list[Side] = []
    for person_id in (pairing.mentee_id, pairing.mentor_id):
        person = await session.get(Person, person_id)
        zone = _zone((person.timezone if person else None) or default_zone, default_zone)
        rows = (
            await session.scalars(
                select(AvailabilityWindow)
                .join(Enrollment, Enrollment.id == AvailabilityWindow.enrollment_id)
                .where(
                    Enrollment.program_id == pairing.program_id,
                    Enrollment.person_id == person_id,
                )
            )
        ).all()
        windows = tuple(
            Window(w.weekday, w.start, w.end, _zone(w.timezone, zone))
            for w in rows
            if w.start != w.end
        )
        found.append(Side(person_id, zone, windows))
    return found[0], found[1]


def _zone(name: str, fallback: str) -> str:
    try:
        ZoneInfo(name)
    except (ValueError, KeyError):
        return fallback
    return name


async def settings_of(session: AsyncSession, pairing: Pairing) -> tuple[SessionSettings, int]:
    """The program's session settings and session length in minutes."""
    program = await session.get(Program, pairing.program_id)
    if program is None:
        return SessionSettings(), 45
    return SessionSettings.of(program.session_settings), program.session_minutes or 45


async def taken(
    session: AsyncSession, person_ids: Sequence[str], pairing_id: int
) -> list[tuple[datetime, int]]:
    """Times the two already hold with other partners: their planned sessions and every
    slot still offered to another pair (a mentor with several mentees is never offered the
    same slot twice)."""
    others = select(Pairing.id).where(
        Pairing.id != pairing_id,
        Pairing.status == "active",
        or_(Pairing.mentor_id.in_(list(person_ids)), Pairing.mentee_id.in_(list(person_ids))),
    )
    rows = (
        await session.scalars(
            select(CheckIn).where(CheckIn.pairing_id.in_(others), CheckIn.status.in_(OPEN))
        )
    ).all()
    held: list[tuple[datetime, int]] = []
    for row in rows:
        if row.status == PROPOSED and not row.picked_by:
            held += [(parse_instant(s), row.duration_minutes) for s in row.slots or []]
        else:
            held.append((row.scheduled_at, row.duration_minutes))
    return held


def propose_first(
    session: AsyncSession, pairing: Pairing, slots: Sequence[datetime], minutes: int, now: datetime
) -> CheckIn:
    check_in = CheckIn(
        pairing_id=pairing.id,
        ordinal=1,
        status=PROPOSED,
        scheduled_at=slots[0] if slots else now,
        duration_minutes=minutes,
        slots=[s.astimezone(UTC).isoformat() for s in slots],
    )
    session.add(check_in)
    return check_in


def offer_again(check_in: CheckIn, slots: Sequence[datetime], now: datetime) -> None:
    """New slots replace the old ones; nobody's pick holds any more."""
    check_in.slots = [s.astimezone(UTC).isoformat() for s in slots]
    check_in.scheduled_at = slots[0] if slots else now
    check_in.picked_by = None
    check_in.self_organised = False


def pick(check_in: CheckIn, at: datetime, by: str) -> None:
    """``by`` chose (or typed) ``at``; the other side confirms."""
    check_in.scheduled_at = at
    check_in.picked_by = by


def organise_ourselves(check_in: CheckIn, by: str) -> None:
    check_in.self_organised = True
    check_in.picked_by = by


def confirm(check_in: CheckIn, at: datetime, by: str, zone: str, now: datetime) -> None:
    """Planned, and the series' clock rule set: ``at`` read in ``zone``."""
    check_in.status = PLANNED
    check_in.scheduled_at = at
    check_in.confirmed_by = by
    check_in.confirmed_at = now
    check_in.zone = zone
    check_in.local_start = at.astimezone(ZoneInfo(zone)).time().replace(tzinfo=None)
    check_in.slots = []


async def pairings_without_sessions(session: AsyncSession) -> list[int]:
    """Active pairings with no check-in at all: those started before scheduling shipped."""
    any_check_in = select(CheckIn.id).where(CheckIn.pairing_id == Pairing.id).exists()
    return list(
        (
            await session.scalars(
                select(Pairing.id)
                .where(Pairing.status == "active", ~any_check_in)
                .order_by(Pairing.id)
            )
        ).all()
    )


def offered_soon(check_in: CheckIn, now: datetime) -> bool:
    """Whether the offered slots still lie ahead (at least an hour)."""
    return any(parse_instant(s) > now + timedelta(hours=1) for s in check_in.slots or [])
