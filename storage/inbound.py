"""Inbound platform events, recorded before the ack and deduplicated by platform event id.

Slack retries an event it thinks was missed (up to three times, sometimes in parallel):
the unique (platform, event_id) row makes every delivery after the first a no-op. A record
still unprocessed after a while belonged to a process that died: another one finishes it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DueAction, InboundEvent
from storage.types import utcnow

INBOUND: Table = InboundEvent.__table__  # type: ignore[assignment]
DUE: Table = DueAction.__table__  # type: ignore[assignment]
RECOVERY_ATTEMPTS = 5  # how many times a record left behind is tried again


async def record_inbound(
    session: AsyncSession, platform: str, event_id: str, kind: str, payload: dict[str, Any]
) -> int | None:
    """The new record's id, or None when this event was already recorded (a retry)."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    result = await session.execute(
        insert(InboundEvent)
        .values(
            platform=platform,
            event_id=event_id,
            kind=kind,
            payload=payload,
            status="received",
            received_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["platform", "event_id"])
        .returning(InboundEvent.id)
    )
    return result.scalar_one_or_none()


@dataclass(frozen=True)
class Arrival:
    """One inbound event to record (``recover_at``: when a recovery action falls due)."""

    event_id: str
    kind: str
    payload: Mapping[str, Any]
    recover_at: datetime | None = None


async def record_arrivals(
    session: AsyncSession, platform: str, recover_kind: str, arrivals: Sequence[Arrival]
) -> dict[str, int]:
    """Record many events in two statements: the new records' ids by event id (an event id
    missing from the answer was recorded before: a retry), and their recovery actions,
    keyed ``<recover_kind>:<record id>`` (``recovery_key``)."""
    if not arrivals:
        return {}
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    now = utcnow()
    rows = [
        {
            "platform": platform,
            "event_id": a.event_id,
            "kind": a.kind,
            "payload": dict(a.payload),
            "status": "received",
            "received_at": now,
        }
        for a in arrivals
    ]
    # One statement whatever the number of rows (SQLAlchemy's "insertmanyvalues"), and
    # compiled once: a ``.values(rows)`` statement would be compiled again for each batch.
    # Core statements on the tables: the ORM's bulk machinery costs more than the writes.
    result = await session.execute(
        insert(INBOUND)
        .on_conflict_do_nothing(index_elements=["platform", "event_id"])
        .returning(INBOUND.c.id, INBOUND.c.event_id),
        rows,
    )
    ids = {str(event_id): int(record_id) for record_id, event_id in result.all()}
    recoveries = [
        {
            "kind": recover_kind,
            "idempotency_key": recovery_key(recover_kind, ids[a.event_id]),
            "payload": {"record": ids[a.event_id]},
            "due_at": a.recover_at,
            "status": "pending",
            "attempts": 0,
            "max_attempts": RECOVERY_ATTEMPTS,
            "created_at": now,
        }
        for a in arrivals
        if a.recover_at is not None and a.event_id in ids
    ]
    if recoveries:
        await session.execute(
            insert(DUE).on_conflict_do_nothing(index_elements=[DUE.c.idempotency_key]),
            recoveries,
        )
    return ids


# Built once (their compiled form is cached by the statement itself): closing is on the
# hot path of every event.
_CLOSE = (
    update(INBOUND)
    .where(INBOUND.c.id.in_(bindparam("ids", expanding=True)), INBOUND.c.processed_at.is_(None))
    .values(status=bindparam("status"), processed_at=bindparam("now"))
)
_DROP_RECOVERY = (
    update(DUE)
    .where(DUE.c.idempotency_key.in_(bindparam("keys", expanding=True)), DUE.c.status == "pending")
    .values(status="done", finished_at=bindparam("now"), last_error="cancelled")
)


def recovery_key(recover_kind: str, record_id: int) -> str:
    return f"{recover_kind}:{record_id}"


async def close_records(
    session: AsyncSession, recover_kind: str, statuses: Mapping[int, str]
) -> None:
    """Close many records (each once) and drop their recoveries: one UPDATE per status and
    one for the recoveries, whatever the number of records. A dropped recovery stays as a
    done row so that its key cannot be enqueued again."""
    by_status: dict[str, list[int]] = {}
    for record_id, status in statuses.items():
        by_status.setdefault(status, []).append(record_id)
    now = utcnow()
    for status, ids in by_status.items():
        await session.execute(_CLOSE, {"ids": ids, "status": status, "now": now})
    keys = [recovery_key(recover_kind, i) for i in statuses]
    await session.execute(_DROP_RECOVERY, {"keys": keys, "now": now})


async def mark_processed(session: AsyncSession, record_id: int, status: str = "processed") -> bool:
    """Close a record once; False if another process had already closed it."""
    result = await session.execute(
        update(InboundEvent)
        .where(InboundEvent.id == record_id, InboundEvent.processed_at.is_(None))
        .values(status=status, processed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1


async def unprocessed_before(
    session: AsyncSession, before: datetime, limit: int = 100
) -> Sequence[InboundEvent]:
    """Records a dead process left behind (received before ``before`` and never closed)."""
    return (
        (
            await session.execute(
                select(InboundEvent)
                .where(InboundEvent.processed_at.is_(None), InboundEvent.received_at < before)
                .order_by(InboundEvent.received_at)
                .limit(limit)
            )
        )
        .scalars()
        .all()
    )
