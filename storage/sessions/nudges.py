"""The facts the nudge policy reads, and the ``nudges`` rows it leaves behind.

Every function works inside the caller's unit of work; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.sessions.nudges import ACTED, PairFacts, SentNudge, SessionFact
from bot.domain.sessions.settings import SessionSettings, cadence_days
from storage.models import CheckIn, Enrollment, Goal, Nudge, Pairing, Program


@dataclass(frozen=True)
class PairRow:
    """An active pairing, its program, and the facts about it."""

    pairing: Pairing
    program: Program
    facts: PairFacts


T = TypeVar("T")


async def _by_pairing(
    session: AsyncSession, model: type[T], column: object, ids: Sequence[int]
) -> dict[int, list[T]]:
    found: dict[int, list[T]] = {}
    if not ids:
        return found
    rows = await session.scalars(select(model).where(column.in_(list(ids))))  # type: ignore[attr-defined]
    for row in rows:
        found.setdefault(int(row.pairing_id), []).append(row)  # type: ignore[attr-defined]
    return found


def session_fact(row: CheckIn) -> SessionFact:
    return SessionFact(
        status=row.status,
        scheduled_at=row.scheduled_at,
        duration_minutes=row.duration_minutes,
        answered_by=frozenset((row.answers or {}).keys()),
        changed_at=row.confirmed_at,
        check_in_id=row.id,
    )


def sent_nudge(row: Nudge) -> SentNudge:
    return SentNudge(
        row.person_id, row.kind, row.sent_at, row.answer, row.answered_at, row.snoozed_until
    )


async def active_pairs(
    session: AsyncSession, *, program_id: int | None = None, pairing_ids: Sequence[int] = ()
) -> list[PairRow]:
    """The active pairings (of one program, or these ones) with everything the policy reads."""
    query = (
        select(Pairing, Program)
        .join(Program, Program.id == Pairing.program_id)
        .where(Pairing.status == "active")
        .order_by(Pairing.id)
    )
    if program_id is not None:
        query = query.where(Pairing.program_id == program_id)
    if pairing_ids:
        query = query.where(Pairing.id.in_(list(pairing_ids)))
    pairs = [(p, prog) for p, prog in (await session.execute(query)).all()]
    ids = [p.id for p, _ in pairs]
    check_ins = await _by_pairing(session, CheckIn, CheckIn.pairing_id, ids)
    nudges = await _by_pairing(session, Nudge, Nudge.pairing_id, ids)
    goals = await _by_pairing(session, Goal, Goal.pairing_id, ids)
    enrollments = {
        (e.program_id, e.person_id): e
        for e in await session.scalars(
            select(Enrollment).where(
                Enrollment.person_id.in_(
                    [p.mentor_id for p, _ in pairs] + [p.mentee_id for p, _ in pairs]
                )
            )
        )
    }

    def paused(pairing: Pairing) -> bool:
        """A person on a pause hears nothing about the pair, and the team is not alerted."""
        return any(
            (e := enrollments.get((pairing.program_id, p))) is not None and e.status == "paused"
            for p in (pairing.mentor_id, pairing.mentee_id)
        )

    rows = []
    for pairing, program in pairs:
        if paused(pairing):
            continue
        chosen = [pairing.cadence] if pairing.cadence else [
            e.preferred_cadence if (e := enrollments.get((program.id, p))) else None
            for p in (pairing.mentor_id, pairing.mentee_id)
        ]  # fmt: skip
        facts = PairFacts(
            pairing_id=pairing.id,
            mentor_id=pairing.mentor_id,
            mentee_id=pairing.mentee_id,
            started_at=pairing.started_at,
            cadence_days=cadence_days(*chosen, program=program.cadence),
            settings=SessionSettings.of(program.session_settings),
            sessions=tuple(session_fact(c) for c in check_ins.get(pairing.id, [])),
            goals_set=bool(goals.get(pairing.id)),
            nudges=tuple(sent_nudge(n) for n in nudges.get(pairing.id, [])),
        )
        rows.append(PairRow(pairing, program, facts))
    return rows


def record_nudge(
    session: AsyncSession, pairing_id: int, person_id: str, kind: str, now: datetime
) -> Nudge:
    row = Nudge(pairing_id=pairing_id, person_id=person_id, kind=kind, sent_at=now)
    session.add(row)
    return row


async def acted_on(
    session: AsyncSession, pairing_id: int, person_id: str, kinds: Sequence[str], now: datetime
) -> None:
    """The person did what their open nudges about the pair asked: those are answered
    (``acted``), so none counts as ignored and one held by quiet hours is not sent."""
    rows = await session.scalars(
        select(Nudge).where(
            Nudge.pairing_id == pairing_id,
            Nudge.person_id == person_id,
            Nudge.kind.in_(list(kinds)),
            Nudge.answer.is_(None),
        )
    )
    for row in rows:
        row.answer, row.answered_at = ACTED, now


async def nudges_of(session: AsyncSession, person_id: str, ids: Sequence[int]) -> list[Nudge]:
    """The person's own nudges among ``ids`` (someone else's are never theirs to answer)."""
    if not ids:
        return []
    rows = await session.scalars(
        select(Nudge).where(Nudge.id.in_(list(ids)), Nudge.person_id == person_id)
    )
    return list(rows)


@dataclass(frozen=True)
class PairTally:
    pairing: Pairing
    planned: int
    held: int
    skipped: int
    nudges: int
    ignored: int
    at_risk: bool


async def tallies(session: AsyncSession, program_id: int) -> list[PairTally]:
    """Per active pair of the program: sessions planned / held / skipped, nudges sent and
    ignored (no answer), and whether the team was alerted."""
    pairs = list(
        await session.scalars(
            select(Pairing)
            .where(Pairing.program_id == program_id, Pairing.status == "active")
            .order_by(Pairing.id)
        )
    )
    ids = [p.id for p in pairs]
    check_ins = await _by_pairing(session, CheckIn, CheckIn.pairing_id, ids)
    nudges = await _by_pairing(session, Nudge, Nudge.pairing_id, ids)
    result = []
    for pairing in pairs:
        statuses = [c.status for c in check_ins.get(pairing.id, [])]
        sent = [n for n in nudges.get(pairing.id, []) if n.kind != "at_risk"]
        result.append(
            PairTally(
                pairing,
                planned=statuses.count("planned"),
                held=statuses.count("held"),
                skipped=statuses.count("skipped"),
                nudges=len(sent),
                ignored=len([n for n in sent if n.answer is None]),
                at_risk=any(n.kind == "at_risk" for n in nudges.get(pairing.id, [])),
            )
        )
    return result
