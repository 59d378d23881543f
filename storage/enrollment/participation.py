"""Queries around an enrollment: pause and resume, leave (ending pairings), the program
team, invitations, and leavers from the HRIS.

Every function works inside the caller's unit of work; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.participation import OPEN_STATUSES, partner_of
from storage.feedback.closing import queue_closing
from storage.matching.runs import withdraw_waiting
from storage.models import (
    CareerStage,
    Enrollment,
    Pairing,
    Person,
    Program,
)
from storage.sessions.series import cancel_future_sessions


async def enrollments_of(
    session: AsyncSession, person_id: str, statuses: Sequence[str]
) -> list[tuple[Enrollment, Program]]:
    rows = await session.execute(
        select(Enrollment, Program)
        .join(Program, Program.id == Enrollment.program_id)
        .where(Enrollment.person_id == person_id, Enrollment.status.in_(list(statuses)))
        .order_by(Program.name, Program.id)
    )
    return [(e, p) for e, p in rows]


async def resume_paused(
    session: AsyncSession, enrollment_id: int, until: datetime
) -> tuple[Enrollment, Program] | None:
    """End the pause that was set to ``until``; None if it ended already or changed."""
    row = (
        await session.execute(
            select(Enrollment, Program)
            .join(Program, Program.id == Enrollment.program_id)
            .where(Enrollment.id == enrollment_id)
            .with_for_update()
        )
    ).one_or_none()
    if row is None:
        return None
    enrollment, program = row
    if enrollment.status != "paused" or enrollment.paused_until != until:
        return None
    enrollment.status = "active"
    enrollment.paused_until = None
    return enrollment, program


@dataclass(frozen=True)
class EndedPairing:
    pairing_id: int
    program_id: int
    partner_id: str


async def end_pairings(
    session: AsyncSession,
    person_id: str,
    program_id: int,
    *,
    reason: str | None,
    now: datetime,
) -> list[EndedPairing]:
    """End the person's active pairings in a program; the reason stays private."""
    pairings = (
        await session.scalars(
            select(Pairing).where(
                Pairing.program_id == program_id,
                Pairing.status == "active",
                (Pairing.mentor_id == person_id) | (Pairing.mentee_id == person_id),
            )
        )
    ).all()
    ended = []
    for pairing in pairings:
        pairing.status = "ended"
        pairing.ended_at = now
        pairing.ended_by = person_id
        pairing.end_reason = reason
        await queue_closing(session, pairing.id, now)  # both are asked for their review
        partner = partner_of(pairing.mentor_id, pairing.mentee_id, person_id)
        ended.append(EndedPairing(pairing.id, program_id, partner))
    return ended


async def leave_enrollment(
    session: AsyncSession, enrollment: Enrollment, *, reason: str | None, now: datetime
) -> list[EndedPairing]:
    enrollment.status = "left"
    enrollment.left_reason = reason
    enrollment.paused_until = None
    await withdraw_waiting(session, enrollment.person_id, enrollment.program_id, now)
    await cancel_future_sessions(
        session, enrollment.person_id, reason="leave", now=now, program_id=enrollment.program_id
    )
    return await end_pairings(
        session, enrollment.person_id, enrollment.program_id, reason=reason, now=now
    )


async def open_programs(session: AsyncSession) -> list[Program]:
    return list(
        await session.scalars(
            select(Program).where(Program.status == "open").order_by(Program.name)
        )
    )


async def departments(session: AsyncSession) -> list[str]:
    found = await session.scalars(
        select(Person.department)
        .where(Person.department.is_not(None), Person.active.is_(True))
        .distinct()
        .order_by(Person.department)
    )
    return [d for d in found if d]


@dataclass(frozen=True)
class Invitees:
    people: list[Person]
    unknown_emails: list[str]


async def find_invitees(
    session: AsyncSession,
    emails: Sequence[str],
    stage_keys: Sequence[str],
    department_names: Sequence[str],
) -> Invitees:
    """Active people with these emails, or of these career stages or departments."""
    found: dict[str, Person] = {}
    known: set[str] = set()
    if emails:
        for person in await session.scalars(
            select(Person).where(
                func.lower(Person.email).in_([e.lower() for e in emails]),
                Person.erased_at.is_(None),
                Person.active.is_(True),
            )
        ):
            found[person.id] = person
            known.add((person.email or "").lower())
    if stage_keys:
        for person in await session.scalars(
            select(Person)
            .join(CareerStage, CareerStage.id == Person.career_stage_id)
            .where(
                CareerStage.key.in_(list(stage_keys)),
                Person.erased_at.is_(None),
                Person.active.is_(True),
            )
        ):
            found[person.id] = person
    if department_names:
        lowered = [d.lower() for d in department_names]
        for person in await session.scalars(
            select(Person).where(
                func.lower(Person.department).in_(lowered),
                Person.erased_at.is_(None),
                Person.active.is_(True),
            )
        ):
            found[person.id] = person
    people = sorted(found.values(), key=lambda p: ((p.email or "").lower(), p.id))
    return Invitees(people, [e for e in emails if e.lower() not in known])


async def answered(session: AsyncSession, person_id: str, program_id: int) -> bool:
    """Whether the person enrolled (or was decided on) since: a draft is no answer yet."""
    status = await session.scalar(
        select(Enrollment.status).where(
            Enrollment.person_id == person_id, Enrollment.program_id == program_id
        )
    )
    return status is not None and status != "draft"


async def close_enrollments(
    session: AsyncSession, person_id: str, *, reason: str | None, now: datetime
) -> tuple[int, list[EndedPairing]]:
    """Close every open enrollment of a person; returns (closed, pairings ended)."""
    closed = 0
    ended: list[EndedPairing] = []
    for enrollment, _program in await enrollments_of(session, person_id, OPEN_STATUSES):
        ended += await leave_enrollment(session, enrollment, reason=reason, now=now)
        closed += 1
    return closed, ended


async def leavers_with_open_enrollments(session: AsyncSession) -> list[str]:
    """People marked as left (e.g. by a ``--full`` import) whose enrollments are still open."""
    found = await session.scalars(
        select(Person.id)
        .join(Enrollment, Enrollment.person_id == Person.id)
        .where(Person.active.is_(False), Enrollment.status.in_(OPEN_STATUSES))
        .distinct()
        .order_by(Person.id)
    )
    return list(found)
