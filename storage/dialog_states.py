"""Persisted flow instances with optimistic locking, so any replica can continue any flow.

A flow advances only from the version it read: a second click on an old card, a stacked
modal submitted late or a race between two replicas finds the version moved on and changes
nothing (the caller answers "this has already been answered").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DialogState
from storage.types import new_opaque_id


@dataclass(frozen=True)
class FlowInstance:
    id: str
    person_id: str
    flow: str
    step: str
    data: dict[str, Any]
    version: int
    finished: bool


def _instance(row: DialogState) -> FlowInstance:
    return FlowInstance(
        id=row.id,
        person_id=row.person_id,
        flow=row.flow,
        step=row.step,
        data=dict(row.data),
        version=row.version,
        finished=row.finished_at is not None,
    )


async def start_flow(
    session: AsyncSession, person_id: str, flow: str, step: str, data: dict[str, Any]
) -> FlowInstance:
    row = DialogState(id=new_opaque_id(), person_id=person_id, flow=flow, step=step, data=data)
    session.add(row)
    await session.flush()
    return _instance(row)


async def load_flow(session: AsyncSession, instance_id: str) -> FlowInstance | None:
    row = await session.get(DialogState, instance_id, populate_existing=True)
    return _instance(row) if row is not None else None


async def open_flow(session: AsyncSession, person_id: str, flow: str) -> FlowInstance | None:
    """The person's unfinished instance of ``flow``, to resume where they stopped."""
    row = (
        await session.execute(
            select(DialogState)
            .where(
                DialogState.person_id == person_id,
                DialogState.flow == flow,
                DialogState.finished_at.is_(None),
            )
            .order_by(DialogState.updated_at.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    return _instance(row) if row is not None else None


async def advance_flow(
    session: AsyncSession,
    instance_id: str,
    expected_version: int,
    step: str,
    data: dict[str, Any],
    *,
    finished: bool = False,
    now: datetime,
) -> FlowInstance | None:
    """Move to ``step`` if nobody moved first; None when the version had changed (stale)."""
    result = await session.execute(
        update(DialogState)
        .where(
            DialogState.id == instance_id,
            DialogState.version == expected_version,
            DialogState.finished_at.is_(None),
        )
        .values(
            step=step,
            data=data,
            version=expected_version + 1,
            updated_at=now,
            finished_at=now if finished else None,
        )
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        return None
    return await load_flow(session, instance_id)


async def purge_finished(session: AsyncSession, before: datetime) -> int:
    result = await session.execute(delete(DialogState).where(DialogState.finished_at < before))
    return int(getattr(result, "rowcount", 0) or 0)
