"""A pair's sessions in the database: the series' rows, their pending due actions, and the
cancellations that pause, leave, the end of a pairing and ``forget`` cause.

Everything here runs inside the caller's unit of work, so a session changes and its
reminders are cancelled in one transaction: no reminder of a cancelled session can go out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.sessions.lifecycle import TELL_CANCELLED, TellCancelled, session_keys
from storage.enqueue import enqueue_due
from storage.models import CheckIn, DueAction, Pairing

# Sessions still to come: what a cancellation or a "sessions" list is about.
UPCOMING = ("proposed", "planned")


async def cancel_due_of(session: AsyncSession, check_in_id: int, now: datetime) -> int:
    """Drop every pending due action of a session (reminders, "did it happen?", queued
    messages), by key prefix; kept as done so that no key can be queued twice."""
    result = await session.execute(
        update(DueAction)
        .where(
            DueAction.idempotency_key.startswith(session_keys(check_in_id), autoescape=True),
            DueAction.status.in_(("pending", "waiting")),
        )
        .values(status="done", finished_at=now, last_error="cancelled")
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def keys_under(session: AsyncSession, prefix: str) -> dict[str, str]:
    """The due actions whose key starts with ``prefix``: key → pending | cancelled | done
    (done: ran, or running now)."""
    rows = await session.execute(
        select(DueAction.idempotency_key, DueAction.status, DueAction.last_error).where(
            DueAction.idempotency_key.startswith(prefix, autoescape=True)
        )
    )
    found = {}
    for key, status, error in rows:
        if status in ("pending", "waiting"):
            found[key] = "pending"
        else:
            found[key] = "cancelled" if error == "cancelled" else "done"
    return found


async def cancel_keys(session: AsyncSession, keys: Sequence[str], now: datetime) -> None:
    """Drop these pending due actions (kept as done, so that no key repeats)."""
    if keys:
        await session.execute(
            update(DueAction)
            .where(DueAction.idempotency_key.in_(list(keys)), DueAction.status == "pending")
            .values(status="done", finished_at=now, last_error="cancelled")
            .execution_options(synchronize_session=False)
        )


async def locked_check_in(session: AsyncSession, check_in_id: int) -> CheckIn | None:
    """The session, locked against a concurrent answer (a double click counts once)."""
    return (
        await session.execute(select(CheckIn).where(CheckIn.id == check_in_id).with_for_update())
    ).scalar_one_or_none()


async def pairing_of(session: AsyncSession, check_in: CheckIn) -> Pairing:
    pairing = await session.get(Pairing, check_in.pairing_id)
    if pairing is None:  # a foreign key: cannot happen
        raise LookupError(f"check-in {check_in.id} without its pairing")
    return pairing


async def upcoming_of(
    session: AsyncSession, person_id: str, now: datetime, *, limit: int = 10
) -> list[tuple[CheckIn, Pairing]]:
    """A person's sessions still to come, soonest first, in their active pairings."""
    rows = await session.execute(
        select(CheckIn, Pairing)
        .join(Pairing, Pairing.id == CheckIn.pairing_id)
        .where(
            Pairing.status == "active",
            (Pairing.mentor_id == person_id) | (Pairing.mentee_id == person_id),
            CheckIn.status == "planned",
            CheckIn.scheduled_at > now,
        )
        .order_by(CheckIn.scheduled_at, CheckIn.id)
        .limit(limit)
    )
    return [(c, p) for c, p in rows]


async def latest_of(session: AsyncSession, pairing_id: int) -> CheckIn | None:
    """The pair's last session in the series (the highest ordinal)."""
    return (
        await session.scalars(
            select(CheckIn)
            .where(CheckIn.pairing_id == pairing_id)
            .order_by(CheckIn.ordinal.desc(), CheckIn.id.desc())
            .limit(1)
        )
    ).first()


def mark_cancelled(check_in: CheckIn, by: str | None, status: str = "cancelled") -> None:
    """A session no calendar should show any more (cancelled or skipped)."""
    check_in.status = status
    check_in.cancelled_by = by
    check_in.sequence += 1


@dataclass(frozen=True)
class Cancelled:
    pairing_id: int
    partner_id: str
    count: int


async def cancel_future_sessions(
    session: AsyncSession,
    person_id: str,
    *,
    reason: str,
    now: datetime,
    program_id: int | None = None,
    pairing_ids: Sequence[int] | None = None,
    tell: bool = True,
) -> list[Cancelled]:
    """Cancel the sessions to come of the person's pairings (in one program, or the ones
    named), with their reminders; queue a word to each partner who had any (``tell``)."""
    query = (
        select(CheckIn, Pairing)
        .join(Pairing, Pairing.id == CheckIn.pairing_id)
        .where(
            (Pairing.mentor_id == person_id) | (Pairing.mentee_id == person_id),
            CheckIn.status.in_(UPCOMING),
            CheckIn.scheduled_at > now,
        )
    )
    if program_id is not None:
        query = query.where(Pairing.program_id == program_id)
    if pairing_ids is not None:
        query = query.where(Pairing.id.in_(list(pairing_ids)))
    counts: dict[int, Cancelled] = {}
    for check_in, pairing in (await session.execute(query)).all():
        mark_cancelled(check_in, person_id)
        await cancel_due_of(session, check_in.id, now)
        partner = pairing.mentee_id if pairing.mentor_id == person_id else pairing.mentor_id
        before = counts.get(pairing.id, Cancelled(pairing.id, partner, 0))
        counts[pairing.id] = Cancelled(pairing.id, partner, before.count + 1)
    if tell:
        for done in counts.values():
            who = "" if reason == "forget" else person_id
            told = TellCancelled(
                done.partner_id, who, reason, done.count, done.pairing_id, now.isoformat()
            )
            await enqueue_due(session, TELL_CANCELLED, told, now)
    return list(counts.values())
