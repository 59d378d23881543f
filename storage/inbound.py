"""Inbound platform events, recorded before the ack and deduplicated by platform event id.

Slack retries an event it thinks was missed (up to three times, sometimes in parallel):
the unique (platform, event_id) row makes every delivery after the first a no-op. A record
still unprocessed after a while belonged to a process that died: another one finishes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InboundEvent
from storage.types import utcnow


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
