"""Queueing due actions inside the caller's unit of work: what flows, handlers and
repositories call (``storage.queue.DueQueue`` claims and runs them).

``enqueue_due`` queues a typed action (``bot.domain.due.DueKind``); ``enqueue_action`` is
the untyped form under it, for the platform adapters' own kinds and the clock's routines.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.due import DueKind
from storage.models import DueAction
from storage.types import utcnow
from storage.wakeup import announce, notify_clause, wakeup_for

P = TypeVar("P")


async def enqueue_action(
    session: AsyncSession,
    kind: str,
    key: str,
    due_at: datetime,
    payload: Mapping[str, Any] | None = None,
    *,
    lane: str | None = None,
    max_attempts: int = 5,
    recorded_at: datetime | None = None,
) -> bool:
    """Add an action inside the caller's unit of work; False if ``key`` already exists.

    The one INSERT under every enqueue (typed ones go through ``enqueue_due``).
    ``ON CONFLICT DO NOTHING`` rather than catching an IntegrityError: a failed INSERT
    would abort the caller's PostgreSQL transaction along with everything else in it.
    ``recorded_at`` is the row's creation time (the wall clock, not business time).
    Once the unit of work commits, the runners are woken for it (``storage.wakeup``).
    """
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    connection = await session.connection()
    dialect = connection.dialect.name
    if dialect not in ("postgresql", "sqlite"):
        raise RuntimeError(f"due actions need SQLite or PostgreSQL, not {dialect!r}")
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(DueAction)
        .values(
            kind=kind,
            idempotency_key=key,
            payload=dict(payload or {}),
            lane=lane,
            due_at=due_at,
            status="pending",
            attempts=0,
            max_attempts=max_attempts,
            created_at=recorded_at or utcnow(),
        )
        .on_conflict_do_nothing(index_elements=[DueAction.idempotency_key])
    )
    # On PostgreSQL the INSERT itself tells the other replicas (no extra round trip), and
    # only when a row was added; the NOTIFY is delivered at commit.
    notify = notify_clause(wakeup_for(connection.engine), due_at, dialect)
    returning = (DueAction.id,) if notify is None else (DueAction.id, notify)
    added = (await session.execute(statement.returning(*returning))).first() is not None
    if added:
        await announce(session, due_at, notified=True)
    return added


async def enqueue_due(
    session: AsyncSession,
    kind: DueKind[P],
    payload: P,
    due_at: datetime,
    *,
    key: str | None = None,
    lane: str | None = None,
    recorded_at: datetime | None = None,
) -> bool:
    """Queue a typed action inside the caller's unit of work; False if its key exists.

    The key is the kind's own (from the payload) unless the kind takes it from the caller.
    """
    return await enqueue_action(
        session,
        kind.name,
        key if key is not None else kind.key_of(payload),
        due_at,
        kind.dump(payload),
        lane=lane,
        recorded_at=recorded_at,
    )


async def release_waiting(session: AsyncSession, reason: str, now: datetime) -> int:
    """Actions waiting for ``reason`` are due again at ``now`` (inside the caller's unit of
    work); how many."""
    result = await session.execute(
        update(DueAction)
        .where(DueAction.status == "waiting", DueAction.last_error == reason)
        .values(status="pending", due_at=now, last_error=None)
        .execution_options(synchronize_session=False)
    )
    released = int(getattr(result, "rowcount", 0) or 0)
    if released:
        await announce(session, now)
    return released
