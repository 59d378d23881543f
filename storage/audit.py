"""The audit trail: who did what, when, by opaque id only (no names, no emails)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEvent
from storage.types import utcnow


def record_audit(
    session: AsyncSession,
    action: str,
    *,
    actor_id: str | None = None,
    subject_id: str | None = None,
    program_id: int | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Add an event to the caller's unit of work (it commits with the change it describes)."""
    event = AuditEvent(
        at=at or utcnow(),
        actor_id=actor_id,
        action=action,
        subject_id=subject_id,
        program_id=program_id,
        details=details or {},
    )
    session.add(event)
    return event


async def audit_since(
    session: AsyncSession, since: datetime | None = None, *, program_id: int | None = None
) -> Sequence[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.at, AuditEvent.id)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if program_id is not None:
        query = query.where(AuditEvent.program_id == program_id)
    return (await session.execute(query)).scalars().all()
