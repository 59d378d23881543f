"""The free text each program keeps, counted and erased (the rules: ``bot.domain.retention``).

Every column a person writes in freely about a program, by the program it belongs to:
feedback answers and reviews (``learned``, ``comment`` for sessions, reviews and pulses,
``changed``, ``testimonial``), thank-you notes (``recognitions.text``), and the private
reasons for declining a proposal or ending a pairing. Erased text becomes NULL; the rows,
and every number in them (ratings, NPS, skill levels, statuses), stay.

Everything works inside the caller's unit of work; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.retention import ERASE, EraseTexts, Texts, erase_at
from storage.audit import record_audit
from storage.enqueue import enqueue_due
from storage.models import Feedback, Pairing, Program, Proposal, Recognition

FEEDBACK_TEXTS = ("learned", "comment", "changed", "testimonial")


def program_erase_at(program: Program) -> datetime:
    return erase_at(program.ends_on, program.retention_months, program.timezone)


def _count(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _pairings_of(program_ids: Sequence[int]) -> ColumnElement[bool]:
    return Pairing.program_id.in_(program_ids)


async def waiting_texts(session: AsyncSession, program_ids: Sequence[int]) -> dict[int, Texts]:
    """The texts not erased yet, per program (programs without any are absent)."""
    if not program_ids:
        return {}
    found: dict[int, dict[str, int]] = {}

    def add(program_id: int, **counts: int) -> None:
        found.setdefault(program_id, {}).update(counts)

    pulse = Feedback.kind == "pulse"
    quotable = and_(
        Feedback.testimonial.is_not(None),
        Feedback.quote_consent_at.is_not(None),
        Feedback.quote_withdrawn_at.is_(None),
    )
    feedback = await session.execute(
        select(
            Pairing.program_id,
            func.count(Feedback.learned),
            _count(and_(Feedback.comment.is_not(None), ~pulse)),
            _count(and_(Feedback.comment.is_not(None), pulse)),
            func.count(Feedback.changed),
            func.count(Feedback.testimonial),
            _count(quotable),
        )
        .join(Pairing, Pairing.id == Feedback.pairing_id)
        .where(_pairings_of(program_ids))
        .group_by(Pairing.program_id)
    )
    for program_id, learned, comments, pulses, changed, testimonials, quoted in feedback:
        add(program_id, learned=learned, comments=comments, pulse_comments=pulses,
            changed=changed, testimonials=testimonials, quotable=quoted)  # fmt: skip
    thanks = await session.execute(
        select(Pairing.program_id, func.count(Recognition.text))
        .join(Pairing, Pairing.id == Recognition.pairing_id)
        .where(_pairings_of(program_ids))
        .group_by(Pairing.program_id)
    )
    for program_id, n in thanks:
        add(program_id, thanks=n)
    declined = await session.execute(
        select(Proposal.program_id, func.count(Proposal.decline_reason))
        .where(Proposal.program_id.in_(program_ids))
        .group_by(Proposal.program_id)
    )
    for program_id, n in declined:
        add(program_id, decline_reasons=n)
    ended = await session.execute(
        select(Pairing.program_id, func.count(Pairing.end_reason))
        .where(_pairings_of(program_ids))
        .group_by(Pairing.program_id)
    )
    for program_id, n in ended:
        add(program_id, end_reasons=n)
    texts = {p: Texts(**{k: int(v) for k, v in counts.items()}) for p, counts in found.items()}
    return {p: t for p, t in texts.items() if t.total}


async def erase_texts(session: AsyncSession, program: Program, at: datetime) -> Texts:
    """Erase the program's free text now (whatever its date: the caller checked it); what
    was erased. Audited with counts only, and only when something was erased, so a rerun
    leaves no trace."""
    erased = (await waiting_texts(session, [program.id])).get(program.id, Texts())
    if not erased.total:
        return erased
    pairings = select(Pairing.id).where(Pairing.program_id == program.id).scalar_subquery()
    written = or_(*(getattr(Feedback, c).is_not(None) for c in FEEDBACK_TEXTS))
    await session.execute(
        update(Feedback)
        .where(Feedback.pairing_id.in_(pairings), written)
        .values({c: None for c in FEEDBACK_TEXTS})
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Recognition)
        .where(Recognition.pairing_id.in_(pairings), Recognition.text.is_not(None))
        .values(text=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Proposal)
        .where(Proposal.program_id == program.id, Proposal.decline_reason.is_not(None))
        .values(decline_reason=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(Pairing)
        .where(Pairing.program_id == program.id, Pairing.end_reason.is_not(None))
        .values(end_reason=None)
        .execution_options(synchronize_session=False)
    )
    record_audit(
        session,
        "retention.erased",
        program_id=program.id,
        details={**erased.counts(), "total": erased.total, "months": program.retention_months},
        at=at,
    )
    return erased


async def queue_erasure(session: AsyncSession, program: Program, when: datetime) -> bool:
    """Queue the program's erasure for ``when``; False if it was queued for then already."""
    return await enqueue_due(session, ERASE, EraseTexts(program.id, when.isoformat()), when)


def set_retention(
    session: AsyncSession, program: Program, months: int, actor_id: str | None, at: datetime
) -> int:
    """Change the period (the caller checked it); the period it replaces. Audited (no actor:
    the command line)."""
    before = program.retention_months
    program.retention_months = months
    record_audit(
        session,
        "retention.set",
        actor_id=actor_id,
        program_id=program.id,
        details={"before": before, "months": months},
        at=at,
    )
    return before
