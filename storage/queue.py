"""The durable due-action queue: claims with a lease, retries, parking, waiting (queueing
itself, inside the caller's unit of work, is ``storage.enqueue``).

Everything that must happen later is a row in ``due_actions``. Any number of processes may
claim from it: PostgreSQL hands each row to one claimer with ``FOR UPDATE SKIP LOCKED``;
SQLite, which has one writer, claims in a short ``BEGIN IMMEDIATE`` transaction. Handlers
run after the claim has committed, so no transaction is held while a message is sent.

Two clocks are at play. ``now`` arguments say which instant is being drained (``tandem due
run --at``) and date retries; leases measure real time on the queue's ``clock`` (the wall
clock), so draining "at" a future instant cannot steal an action a live worker holds.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

import structlog
from sqlalchemy import and_, case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.enqueue import enqueue_action
from storage.models import AuditEvent, DueAction
from storage.types import utcnow
from storage.wakeup import announce

log = structlog.get_logger("tandem.queue")

RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(hours=1)
RETRY_JITTER = 0.1  # up to +10 %, so that actions failing together do not retry together
ERROR_MAX_CHARS = 2000

FailOutcome = Literal["retried", "parked", "lost"]


@dataclass(frozen=True)
class ClaimedAction:
    """A due action this claimer holds until ``lease_expires_at`` (a plain value, no ORM)."""

    id: int
    kind: str
    idempotency_key: str
    payload: dict[str, Any]
    lane: str | None
    due_at: datetime
    attempts: int  # including this one
    max_attempts: int
    lease_owner: str
    lease_expires_at: datetime


@dataclass(frozen=True)
class QueueStats:
    """What /metrics shows about the queue."""

    depth: int  # pending or running
    oldest_due_age_seconds: float  # how late the oldest of the ``ready`` ones is (0: none)
    parked: int  # gave up after max_attempts: an admin must look
    ready: int  # the backlog: due now and not claimed (or its claimer's lease ran out)
    waiting: int = 0  # kept until something outside the queue happens (e.g. an admin joins)


def retry_delay(
    attempts: int, *, base: timedelta = RETRY_BASE, cap: timedelta = RETRY_CAP
) -> timedelta:
    """Exponential backoff before the next attempt: base · 2^(attempts-1), capped, jittered."""
    exponent = min(max(attempts - 1, 0), 30)  # 2^30 · 30 s already exceeds any sane cap
    delay = min(base * (1 << exponent), cap)
    return delay * (1 + random.uniform(0, RETRY_JITTER))


def _claimable(now: datetime, lease_now: datetime) -> Any:
    return or_(
        and_(DueAction.status == "pending", DueAction.due_at <= now),
        # A running action whose lease ran out belongs to a claimer that died.
        and_(DueAction.status == "running", DueAction.lease_expires_at <= lease_now),
    )


def _held_by(action_id: int, owner: str) -> Any:
    return and_(
        DueAction.id == action_id,
        DueAction.status == "running",
        DueAction.lease_owner == owner,
    )


class DueQueue:
    def __init__(
        self,
        database: Database,
        *,
        clock: Callable[[], datetime] = utcnow,
        retry_base: timedelta = RETRY_BASE,
        retry_cap: timedelta = RETRY_CAP,
    ) -> None:
        self.database = database
        self.clock = clock
        self.retry_base = retry_base
        self.retry_cap = retry_cap

    async def enqueue(
        self,
        session: AsyncSession,
        kind: str,
        key: str,
        due_at: datetime,
        payload: Mapping[str, Any] | None = None,
        *,
        lane: str | None = None,
        max_attempts: int = 5,
    ) -> bool:
        """Add an action inside the caller's unit of work; False if ``key`` already exists."""
        return await enqueue_action(
            session,
            kind,
            key,
            due_at,
            payload,
            lane=lane,
            max_attempts=max_attempts,
            recorded_at=self.clock(),
        )

    async def claim(
        self, owner: str, now: datetime, limit: int, lease: timedelta
    ) -> list[ClaimedAction]:
        """Take up to ``limit`` actions due at ``now`` (oldest first) for ``lease``."""
        lease_now = self.clock()
        async with self.database.unit_of_work(immediate=True) as session:
            pick = (
                select(DueAction.id)
                .where(_claimable(now, lease_now))
                .order_by(DueAction.due_at, DueAction.id)
                .limit(limit)
            )
            if not self.database.is_sqlite:
                # Rows another claimer holds are skipped, not waited for; rows it has just
                # claimed fail the re-checked WHERE clause and are skipped too.
                pick = pick.with_for_update(skip_locked=True)
            ids = list((await session.execute(pick)).scalars())
            if not ids:
                return []
            expires = lease_now + lease
            rows = await session.execute(
                update(DueAction)
                .where(DueAction.id.in_(ids))
                .values(
                    status="running",
                    attempts=DueAction.attempts + 1,
                    lease_owner=owner,
                    lease_expires_at=expires,
                )
                .returning(
                    DueAction.id,
                    DueAction.kind,
                    DueAction.idempotency_key,
                    DueAction.payload,
                    DueAction.lane,
                    DueAction.due_at,
                    DueAction.attempts,
                    DueAction.max_attempts,
                )
                .execution_options(synchronize_session=False)
            )
            claimed = [
                ClaimedAction(
                    id=row.id,
                    kind=row.kind,
                    idempotency_key=row.idempotency_key,
                    payload=dict(row.payload or {}),
                    lane=row.lane,
                    due_at=row.due_at,
                    attempts=row.attempts,
                    max_attempts=row.max_attempts,
                    lease_owner=owner,
                    lease_expires_at=expires,
                )
                for row in rows
            ]
        claimed.sort(key=lambda action: (action.due_at, action.id))
        return claimed

    async def complete(self, action_id: int, owner: str, now: datetime | None = None) -> bool:
        """Mark done; False (and nothing changed) if ``owner`` no longer holds the lease."""
        # A bare connection: this runs once per action, and an ORM session costs more here
        # than the UPDATE itself.
        async with self.database.engine.begin() as connection:
            result = await connection.execute(
                update(DueAction)
                .where(_held_by(action_id, owner))
                .values(status="done", finished_at=now or self.clock(), lease_expires_at=None)
            )
            return _rowcount(result) == 1

    async def fail(
        self, action_id: int, owner: str, error: str, now: datetime | None = None
    ) -> FailOutcome:
        """Retry later with backoff, or park after ``max_attempts``; "lost" without the lease."""
        now = now or self.clock()
        async with self.database.unit_of_work(immediate=True) as session:
            row = await self._locked(session, action_id, owner)
            if row is None:
                return "lost"
            if row.attempts >= row.max_attempts:
                await self._park(session, row, error, now)
                return "parked"
            delay = retry_delay(row.attempts, base=self.retry_base, cap=self.retry_cap)
            await session.execute(
                update(DueAction)
                .where(DueAction.id == action_id)
                .values(
                    status="pending",
                    due_at=now + delay,
                    lease_owner=None,
                    lease_expires_at=None,
                    last_error=_clip(error),
                )
                .execution_options(synchronize_session=False)
            )
        log.info("due_action.retry", id=action_id, kind=row.kind, attempts=row.attempts)
        return "retried"

    async def park(
        self, action_id: int, owner: str, error: str, now: datetime | None = None
    ) -> bool:
        """Give up at once (e.g. no handler for the kind); False without the lease."""
        async with self.database.unit_of_work(immediate=True) as session:
            row = await self._locked(session, action_id, owner)
            if row is None:
                return False
            await self._park(session, row, error, now or self.clock())
            return True

    async def wait(self, action_id: int, owner: str, reason: str) -> bool:
        """Keep the action, neither done nor failed, until ``release_waiting(reason)``; the
        attempt is given back. False without the lease."""
        async with self.database.unit_of_work(immediate=True) as session:
            result = await session.execute(
                update(DueAction)
                .where(_held_by(action_id, owner))
                .values(
                    status="waiting",
                    attempts=case((DueAction.attempts > 0, DueAction.attempts - 1), else_=0),
                    lease_owner=None,
                    lease_expires_at=None,
                    last_error=_clip(reason),
                )
                .execution_options(synchronize_session=False)
            )
            waiting = _rowcount(result) == 1
        if waiting:
            log.info("due_action.waiting", id=action_id, reason=reason)
        return waiting

    async def release(self, owner: str) -> int:
        """Graceful shutdown: hand ``owner``'s unfinished actions back, due again at once.

        The attempt is given back too: the handler never ran for these.
        """
        async with self.database.unit_of_work() as session:
            result = await session.execute(
                update(DueAction)
                .where(DueAction.status == "running", DueAction.lease_owner == owner)
                .values(
                    status="pending",
                    attempts=case((DueAction.attempts > 0, DueAction.attempts - 1), else_=0),
                    lease_owner=None,
                    lease_expires_at=None,
                )
                .execution_options(synchronize_session=False)
            )
            released = _rowcount(result)
            if released:  # another replica may take them at once
                await announce(session, self.clock())
        if released:
            log.info("due_action.released", owner=owner, count=released)
        return released

    async def reschedule(self, session: AsyncSession, key: str, due_at: datetime) -> bool:
        """Move a pending action (inside the caller's unit of work); False if none is pending."""
        result = await session.execute(
            update(DueAction)
            .where(DueAction.idempotency_key == key, DueAction.status == "pending")
            .values(due_at=due_at)
            .execution_options(synchronize_session=False)
        )
        moved = _rowcount(result) == 1
        if moved:
            await announce(session, due_at)
        return moved

    async def cancel(self, session: AsyncSession, key: str) -> bool:
        """Drop a pending action (inside the caller's unit of work); False if none is pending.

        The row stays, marked done, so that the same key cannot be enqueued again.
        """
        result = await session.execute(
            update(DueAction)
            .where(DueAction.idempotency_key == key, DueAction.status == "pending")
            .values(status="done", finished_at=self.clock(), last_error="cancelled")
            .execution_options(synchronize_session=False)
        )
        return _rowcount(result) == 1

    async def purge_done(self, before: datetime) -> int:
        """Delete actions finished before ``before`` (parked ones stay for the admins)."""
        async with self.database.unit_of_work() as session:
            result = await session.execute(
                delete(DueAction)
                .where(DueAction.status == "done", DueAction.finished_at < before)
                .execution_options(synchronize_session=False)
            )
            return _rowcount(result)

    async def next_due(self, after: datetime) -> datetime | None:
        """When the first pending action due later than ``after`` falls due (None: none)."""
        async with self.database.sessions() as session:
            return await session.scalar(
                select(func.min(DueAction.due_at)).where(
                    DueAction.status == "pending", DueAction.due_at > after
                )
            )

    async def stats(self, now: datetime) -> QueueStats:
        async with self.database.sessions() as session:
            by_status = await session.execute(
                select(DueAction.status, func.count()).group_by(DueAction.status)
            )
            counts: dict[str, int] = {status: int(count) for status, count in by_status}
            # The backlog: what any runner could claim now, including actions whose claimer
            # died holding them (their lease ran out).
            ready_row = (
                await session.execute(
                    select(func.count(), func.min(DueAction.due_at)).where(
                        _claimable(now, self.clock())
                    )
                )
            ).one()
        ready, oldest = int(ready_row[0]), ready_row[1]
        age = max((now - oldest).total_seconds(), 0.0) if oldest is not None else 0.0
        return QueueStats(
            depth=counts.get("pending", 0) + counts.get("running", 0),
            oldest_due_age_seconds=age,
            parked=counts.get("parked", 0),
            ready=ready,
            waiting=counts.get("waiting", 0),
        )

    async def _locked(self, session: AsyncSession, action_id: int, owner: str) -> DueAction | None:
        pick = select(DueAction).where(_held_by(action_id, owner))
        if not self.database.is_sqlite:
            pick = pick.with_for_update()
        return (await session.execute(pick)).scalar_one_or_none()

    async def _park(self, session: AsyncSession, row: DueAction, error: str, now: datetime) -> None:
        row.status = "parked"
        row.last_error = _clip(error)
        row.lease_expires_at = None
        row.finished_at = now
        session.add(
            AuditEvent(
                at=now,
                action="due_action.parked",
                subject_id=str(row.id),
                details={"kind": row.kind, "error": _clip(error, 500), "attempts": row.attempts},
            )
        )
        log.warning(
            "due_action.parked",
            id=row.id,
            kind=row.kind,
            attempts=row.attempts,
            error=_clip(error, 500),
        )


def _clip(text: str, limit: int = ERROR_MAX_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
