"""The hard rules, checked again when a pairing is about to start.

A proposal was made by a dry run that may be days old: since then the mentor may have
started another pairing, an admin may have blocked the pair, or a stale draft may have been
sent. ``start_obstacles`` locks both people's enrollments (so two proposals accepted at the
same moment for one mentor are decided one after the other, on PostgreSQL as on SQLite) and
says which rule starting this pairing would break.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AdminBlock, Enrollment, Pairing, Person, Program, Proposal

ACTIVE = "active"
# The codes of bot.matching.pins (not imported: NumPy loads only where matching runs)
NOT_ENROLLED, ALREADY_PAIRED, NO_ROOM = "not_enrolled", "already_paired", "no_room"
MAX_CHAIN = 200  # deeper than any real organisation; a cycle in the data stops the walk too


async def start_obstacles(session: AsyncSession, proposal: Proposal) -> list[str]:
    """Why the proposal's pairing may not start now (empty: it may). Call it in the
    transaction that starts the pairing: the enrollment rows stay locked until it ends."""
    program_id, mentor_id, mentee_id = proposal.program_id, proposal.mentor_id, proposal.mentee_id
    rows = {
        e.person_id: e
        for e in await session.scalars(
            select(Enrollment)
            .where(
                Enrollment.program_id == program_id,
                Enrollment.person_id.in_((mentor_id, mentee_id)),
            )
            .order_by(Enrollment.id)
            .with_for_update()
        )
    }
    mentor, mentee = rows.get(mentor_id), rows.get(mentee_id)
    if mentor is None or mentee is None or ACTIVE not in (mentor.status, mentee.status):
        return [NOT_ENROLLED]
    out: list[str] = []
    if await _active_count(session, program_id, Pairing.mentee_id == mentee_id):
        out.append(ALREADY_PAIRED)
    program = await session.get(Program, program_id)
    room = mentor.capacity or (program.capacity_default if program else 0) or 1
    if await _active_count(session, program_id, Pairing.mentor_id == mentor_id) >= room:
        out.append(NO_ROOM)
    if await _in_one_chain(session, mentor_id, mentee_id):
        out.append("management_chain")
    if await _blocked(session, program_id, mentor_id, mentee_id):
        out.append("admin_block")
    if await _paired_before(session, program_id, mentor_id, mentee_id):
        out.append("past_pair")
    return out


async def _active_count(session: AsyncSession, program_id: int, who: ColumnElement[bool]) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(Pairing)
        .where(Pairing.program_id == program_id, Pairing.status == ACTIVE, who)
    )
    return int(count or 0)


async def _managers(session: AsyncSession, person_id: str) -> list[str]:
    """Everyone above the person, nearest first (a cycle in the HR data ends the walk)."""
    above: list[str] = []
    current: str | None = person_id
    while current is not None and len(above) < MAX_CHAIN:
        current = await session.scalar(select(Person.manager_id).where(Person.id == current))
        if current is None or current in above or current == person_id:
            break
        above.append(current)
    return above


async def _in_one_chain(session: AsyncSession, a: str, b: str) -> bool:
    return b in await _managers(session, a) or a in await _managers(session, b)


async def _blocked(session: AsyncSession, program_id: int, a: str, b: str) -> bool:
    found = await session.scalar(
        select(AdminBlock.id).where(
            AdminBlock.program_id == program_id,
            or_(
                (AdminBlock.person_a == a) & (AdminBlock.person_b == b),
                (AdminBlock.person_a == b) & (AdminBlock.person_b == a),
            ),
        )
    )
    return found is not None


async def _paired_before(session: AsyncSession, program_id: int, a: str, b: str) -> bool:
    """Any pairing of the two, active or ended, in either direction."""
    found = await session.scalar(
        select(Pairing.id)
        .where(
            Pairing.program_id == program_id,
            or_(
                (Pairing.mentor_id == a) & (Pairing.mentee_id == b),
                (Pairing.mentor_id == b) & (Pairing.mentee_id == a),
            ),
        )
        .limit(1)
    )
    return found is not None
