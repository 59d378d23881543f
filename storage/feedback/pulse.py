"""The monthly pulse's queries: the pairs to ask, the pulses to remind or close, who reads a
pulse (``bot.domain.feedback.pulse.pulse_readers`` over the stored management tree), and
each pair's last answers for ``admin sessions``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.feedback.pulse import MAX_CHAIN, PulseSubject, pulse_readers
from storage.models import Enrollment, Feedback, FeedbackRequest, Pairing, Person, Program
from storage.people.admins import deployment_admin_ids, program_admin_ids

PULSE = "pulse"


@dataclass(frozen=True)
class PairToAsk:
    pairing: Pairing
    program: Program
    # Who of the pair takes part now (not paused, not gone): each is asked on their own.
    askable: tuple[str, ...]


async def pairs_to_ask(session: AsyncSession) -> list[PairToAsk]:
    """Active pairs of open or running programs, with who of each may be asked."""
    rows = (
        await session.execute(
            select(Pairing, Program)
            .join(Program, Program.id == Pairing.program_id)
            .where(Pairing.status == "active", Program.status.in_(("open", "running")))
            .order_by(Pairing.id)
        )
    ).all()
    ids = {p for pairing, _ in rows for p in (pairing.mentor_id, pairing.mentee_id)}
    taking_part = {
        (e.program_id, e.person_id)
        for e in await session.scalars(
            select(Enrollment).where(Enrollment.person_id.in_(ids), Enrollment.status == "active")
        )
    }
    present = set(
        await session.scalars(
            select(Person.id).where(
                Person.id.in_(ids), Person.active.is_(True), Person.erased_at.is_(None)
            )
        )
    )
    found = []
    for pairing, program in rows:
        askable = tuple(
            p
            for p in (pairing.mentor_id, pairing.mentee_id)
            if p in present and (program.id, p) in taking_part
        )
        if askable:
            found.append(PairToAsk(pairing, program, askable))
    return found


async def pulses_to_remind(session: AsyncSession, now: datetime) -> list[FeedbackRequest]:
    """Open pulses never reminded and not expired (the rule picks those a week old)."""
    return list(
        await session.scalars(
            select(FeedbackRequest)
            .where(
                FeedbackRequest.kind == PULSE,
                FeedbackRequest.status == "open",
                FeedbackRequest.reminded_at.is_(None),
                FeedbackRequest.expires_at > now,
            )
            .order_by(FeedbackRequest.id)
        )
    )


async def pulses_run_out(session: AsyncSession, now: datetime) -> list[FeedbackRequest]:
    """Unanswered pulses whose month is over, not yet marked expired (an answered pulse
    stays answered: its card closed when it was clicked)."""
    return list(
        await session.scalars(
            select(FeedbackRequest)
            .where(
                FeedbackRequest.kind == PULSE,
                FeedbackRequest.status == "open",
                FeedbackRequest.expires_at <= now,
            )
            .order_by(FeedbackRequest.id)
        )
    )


async def managers_above(session: AsyncSession, people: Iterable[str]) -> dict[str, str | None]:
    """person -> manager for everyone on the management lines above ``people``."""
    manager_of: dict[str, str | None] = {}
    frontier = set(people)
    for _ in range(MAX_CHAIN):
        frontier -= set(manager_of)
        if not frontier:
            break
        rows = (
            await session.execute(
                select(Person.id, Person.manager_id).where(Person.id.in_(frontier))
            )
        ).all()
        for person_id, manager_id in rows:
            manager_of[person_id] = manager_id
        for missing in frontier - {r[0] for r in rows}:
            manager_of[missing] = None
        frontier = {m for _, m in rows if m is not None}
    return manager_of


async def readers_of(
    session: AsyncSession, pairing: Pairing, writer_id: str, deployment_admins: Sequence[str]
) -> tuple[str, ...]:
    """Who may read ``writer_id``'s pulse about ``pairing`` (see the domain rule)."""
    program_admins = await program_admin_ids(session, pairing.program_id)
    deployment = await deployment_admin_ids(session, deployment_admins)
    candidates = set(program_admins) | deployment
    gone = set(
        await session.scalars(
            select(Person.id).where(Person.id.in_(candidates), Person.erased_at.is_not(None))
        )
    )
    manager_of = await managers_above(session, (pairing.mentor_id, pairing.mentee_id))
    subject = PulseSubject(pairing.mentor_id, pairing.mentee_id, writer_id)
    return pulse_readers(subject, set(program_admins) - gone, deployment - gone, manager_of)


@dataclass(frozen=True)
class OpenConcern:
    """A pair's latest pulse from one side that asks for a follow-up."""

    pairing: Pairing
    writer_id: str
    answer: str  # concern | talk
    period_key: str


async def open_concerns(session: AsyncSession, program_id: int) -> list[OpenConcern]:
    """Per active pair and side, the latest answered pulse, when it says concern or talk."""
    rows = (
        await session.execute(
            select(Pairing, FeedbackRequest, Feedback)
            .join(FeedbackRequest, FeedbackRequest.pairing_id == Pairing.id)
            .join(Feedback, Feedback.request_id == FeedbackRequest.id)
            .where(
                Pairing.program_id == program_id,
                Pairing.status == "active",
                FeedbackRequest.kind == PULSE,
            )
            .order_by(FeedbackRequest.asked_at, FeedbackRequest.id)
        )
    ).all()
    latest: dict[tuple[int, str], tuple[Pairing, FeedbackRequest, Feedback]] = {}
    for pairing, request, feedback in rows:
        latest[(pairing.id, request.person_id)] = (pairing, request, feedback)
    return [
        OpenConcern(pairing, request.person_id, str(feedback.pulse), request.key)
        for pairing, request, feedback in latest.values()
        if feedback.pulse in ("concern", "talk")
    ]


async def visible_concerns(
    session: AsyncSession, program_id: int, reader_id: str, deployment_admins: Sequence[str]
) -> dict[int, str]:
    """pairing id -> the open concern (or wish to talk) of its last pulse, for the pairs
    whose pulse ``reader_id`` may read; a "talk" outweighs a concern of the other side."""
    shown: dict[int, str] = {}
    for concern in await open_concerns(session, program_id):
        readers = await readers_of(session, concern.pairing, concern.writer_id, deployment_admins)
        if reader_id in readers and shown.get(concern.pairing.id) != "talk":
            shown[concern.pairing.id] = concern.answer
    return shown
