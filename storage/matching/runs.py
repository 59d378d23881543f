"""Match runs and their proposals in the database: record a dry run, let admins edit it,
send it, answer proposals, start and end pairings.

Every function works inside the caller's unit of work; nothing here commits. The rules of
a proposal's life are in ``bot.domain.proposals``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.participation import partner_of
from bot.domain.proposals import (
    DECLINED,
    DRAFT,
    EXPIRED,
    REMOVED,
    SENT,
    WITHDRAWN,
    ProposalWithdrawn,
    expiry,
)
from storage.enqueue import enqueue_due
from storage.models import AdminPin, Enrollment, Goal, MatchRun, Pairing, Person, Proposal

if TYPE_CHECKING:  # the engine (NumPy, the solver) loads only where matching runs
    from bot.matching import MatchResult

UNMATCHED_KEPT = 200  # a dry run keeps this many unmatched mentees' reasons for the report


@dataclass(frozen=True)
class RunSummary:
    run: MatchRun
    proposals: list[Proposal]  # draft ones, numbered from 1 in this order


async def record_run(
    session: AsyncSession,
    program_id: int,
    result: MatchResult,
    *,
    created_by: str | None,
    trigger: str = "admin",
    now: datetime,
) -> MatchRun:
    """Store a dry run with its draft proposals; an earlier unsent draft is superseded."""
    await supersede_drafts(session, program_id, now)
    stats = result.stats
    run = MatchRun(
        program_id=program_id,
        dry_run=True,
        status="draft",
        created_by=created_by,
        trigger=trigger,
        started_at=now,
        finished_at=now,
        stats={
            "mentors": stats.eligible_mentors,
            "mentees": stats.eligible_mentees,
            "capacity": stats.capacity,
            "served": stats.served,
            "pinned": stats.pinned,
            "average_score": round(stats.average_score, 3),
            "optimality": stats.optimality.status,
            "gap_score": round(stats.optimality.gap_score, 3),
            "unmatched_count": len(result.unmatched),
            "unmatched": [
                {"mentee_id": u.mentee_id, "reasons": u.reasons}
                for u in result.unmatched[:UNMATCHED_KEPT]
            ],
            "hints": result.hints,
            "warnings": result.warnings,
            "seconds": round(stats.timings.get("total", 0.0), 3),
        },
    )
    session.add(run)
    await session.flush()
    if result.pairs:
        await session.execute(
            insert(Proposal),
            [
                {
                    "match_run_id": run.id,
                    "program_id": program_id,
                    "mentor_id": p.mentor_id,
                    "mentee_id": p.mentee_id,
                    "score": p.score,
                    "reasons": p.reasons,
                    "status": DRAFT,
                    "created_at": now,
                    "updated_at": now,
                }
                for p in result.pairs
            ],
        )
    return run


async def supersede_drafts(session: AsyncSession, program_id: int, now: datetime) -> None:
    drafts = select(MatchRun.id).where(
        MatchRun.program_id == program_id, MatchRun.status == "draft"
    )
    await session.execute(
        update(Proposal)
        .where(Proposal.match_run_id.in_(drafts), Proposal.status == DRAFT)
        .values(status=REMOVED, updated_at=now)
    )
    await session.execute(
        update(MatchRun)
        .where(MatchRun.program_id == program_id, MatchRun.status == "draft")
        .values(status="superseded")
    )


async def draft_run(
    session: AsyncSession, program_id: int, run_id: int | None = None
) -> RunSummary | None:
    """The program's current dry run (or that one, if it is still a draft)."""
    query = select(MatchRun).where(MatchRun.program_id == program_id, MatchRun.status == "draft")
    if run_id is not None:
        query = query.where(MatchRun.id == run_id)
    run = await session.scalar(query.order_by(MatchRun.id.desc()).limit(1).with_for_update())
    if run is None:
        return None
    proposals = list(
        await session.scalars(
            select(Proposal)
            .where(Proposal.match_run_id == run.id, Proposal.status == DRAFT)
            .order_by(Proposal.id)
        )
    )
    return RunSummary(run, proposals)


def by_number(summary: RunSummary, number: int) -> Proposal | None:
    return summary.proposals[number - 1] if 1 <= number <= len(summary.proposals) else None


def edit_pair(proposal: Proposal, mentor_id: str, score: float, reasons: list[Any]) -> None:
    """An admin's edit of a draft pair, re-scored and re-explained; the first reason says
    a program admin edited it (for admins' eyes: people's cards leave it out)."""
    proposal.mentor_id = mentor_id
    proposal.score = score
    proposal.reasons = [{"code": "admin_swap"}, *reasons]


async def remove_pins(
    session: AsyncSession, program_id: int, pairs: Iterable[tuple[str, str]]
) -> int:
    """Forget the admin's pins of these (mentor, mentee) pairs: used, or no longer possible."""
    wanted = set(pairs)
    if not wanted:
        return 0
    pins = await session.scalars(select(AdminPin).where(AdminPin.program_id == program_id))
    gone = [pin for pin in pins if (pin.mentor_id, pin.mentee_id) in wanted]
    for pin in gone:
        await session.delete(pin)
    return len(gone)


async def add_pin(
    session: AsyncSession, program_id: int, mentor_id: str, mentee_id: str, actor_id: str
) -> bool:
    exists = await session.scalar(
        select(AdminPin.id).where(
            AdminPin.program_id == program_id,
            AdminPin.mentor_id == mentor_id,
            AdminPin.mentee_id == mentee_id,
        )
    )
    if exists is not None:
        return False
    session.add(
        AdminPin(
            program_id=program_id, mentor_id=mentor_id, mentee_id=mentee_id, created_by=actor_id
        )
    )
    await session.flush()
    return True


def send_proposals(run: MatchRun, proposals: Sequence[Proposal], days: int, now: datetime) -> None:
    for proposal in proposals:
        proposal.status = SENT
        proposal.sent_at = now
        proposal.expires_at = expiry(now, days)
    run.status = "sent"
    run.dry_run = False
    run.sent_at = now


async def locked_proposal(session: AsyncSession, proposal_id: int) -> Proposal | None:
    return await session.scalar(
        select(Proposal).where(Proposal.id == proposal_id).with_for_update()
    )


async def enrollment(session: AsyncSession, program_id: int, person_id: str) -> Enrollment | None:
    return await session.scalar(
        select(Enrollment).where(
            Enrollment.program_id == program_id, Enrollment.person_id == person_id
        )
    )


async def is_taking_part(session: AsyncSession, program_id: int, person_id: str) -> bool:
    found = await enrollment(session, program_id, person_id)
    person = await session.get(Person, person_id)
    return (
        found is not None
        and found.status == "active"
        and person is not None
        and person.active
        and person.erased_at is None
    )


def start_pairing(session: AsyncSession, proposal: Proposal, now: datetime) -> Pairing:
    pairing = Pairing(
        program_id=proposal.program_id,
        proposal_id=proposal.id,
        mentor_id=proposal.mentor_id,
        mentee_id=proposal.mentee_id,
        status="active",
        started_at=now,
    )
    session.add(pairing)
    return pairing


async def waiting_proposals_of(
    session: AsyncSession, person_id: str, program_id: int | None = None
) -> list[Proposal]:
    query = select(Proposal).where(
        Proposal.status == SENT,
        (Proposal.mentor_id == person_id) | (Proposal.mentee_id == person_id),
    )
    if program_id is not None:
        query = query.where(Proposal.program_id == program_id)
    return list(await session.scalars(query.order_by(Proposal.id).with_for_update()))


async def active_pairings_of(session: AsyncSession, person_id: str) -> list[Pairing]:
    return list(
        await session.scalars(
            select(Pairing)
            .where(
                Pairing.status == "active",
                (Pairing.mentor_id == person_id) | (Pairing.mentee_id == person_id),
            )
            .order_by(Pairing.id)
        )
    )


async def withdraw_waiting(
    session: AsyncSession, person_id: str, program_id: int, now: datetime
) -> int:
    """The person left: their waiting proposals end, and the other side is told (a due
    action, in this transaction) and goes back to the pool."""
    proposals = await waiting_proposals_of(session, person_id, program_id)
    for proposal in proposals:
        proposal.status = DECLINED
        proposal.declined_by = person_id
        proposal.answered_at = now
        other = partner_of(proposal.mentor_id, proposal.mentee_id, person_id)
        told = ProposalWithdrawn(proposal.id, tell=other, outcome="partner_gone")
        await enqueue_due(session, WITHDRAWN, told, now)
    return len(proposals)


def expire(proposal: Proposal, now: datetime) -> None:
    proposal.status = EXPIRED
    proposal.answered_at = now


async def goals_of(session: AsyncSession, pairing_id: int) -> list[Goal]:
    return list(
        await session.scalars(
            select(Goal).where(Goal.pairing_id == pairing_id).order_by(Goal.position, Goal.id)
        )
    )


def add_goals(
    session: AsyncSession, pairing_id: int, person_id: str, texts: Sequence[str], start: int
) -> None:
    for offset, text in enumerate(texts):
        session.add(
            Goal(pairing_id=pairing_id, position=start + offset, text=text, created_by=person_id)
        )


async def latest_decline_reasons(
    session: AsyncSession, program_id: int, limit: int = 5
) -> list[str]:
    """What people wrote when declining, newest first: for the program team only."""
    rows = await session.scalars(
        select(Proposal.decline_reason)
        .where(
            Proposal.program_id == program_id,
            Proposal.status == DECLINED,
            Proposal.decline_reason.is_not(None),
        )
        .order_by(Proposal.answered_at.desc(), Proposal.id.desc())
        .limit(limit)
    )
    return [r for r in rows if r]
