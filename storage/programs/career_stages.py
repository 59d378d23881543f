"""The career ladder: an ordered list that admins define (rank 1 = earliest stage).

Eligibility and matching read the order; people point at a stage by id, so renaming or
moving a stage never touches them. Nothing here commits.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import record_audit
from storage.models import CareerStage


async def ladder(session: AsyncSession) -> list[CareerStage]:
    return list(await session.scalars(select(CareerStage).order_by(CareerStage.rank)))


async def stage_labels(session: AsyncSession) -> dict[str, dict[str, str]]:
    """Every stage key with its name per language: people read labels, never keys."""
    return {s.key: {"fr": s.label_fr, "en": s.label_en} for s in await ladder(session)}


async def stage_by_key(session: AsyncSession, key: str) -> CareerStage | None:
    return await session.scalar(select(CareerStage).where(CareerStage.key == key.strip().lower()))


def _renumber(stages: list[CareerStage]) -> None:
    for rank, stage in enumerate(stages, start=1):
        stage.rank = rank


async def add_stage(
    session: AsyncSession, key: str, fr: str, en: str, position: int, actor_id: str
) -> CareerStage:
    """Insert at ``position`` (1 = earliest); the stages after it move one step later."""
    stages = await ladder(session)
    stage = CareerStage(key=key, label_fr=fr, label_en=en, rank=0)
    session.add(stage)
    stages.insert(max(0, min(position - 1, len(stages))), stage)
    _renumber(stages)
    record_audit(
        session,
        "career_stage.added",
        actor_id=actor_id,
        details={"key": key, "position": stage.rank},
    )
    return stage


async def move_stage(
    session: AsyncSession, stage: CareerStage, position: int, actor_id: str
) -> None:
    stages = [s for s in await ladder(session) if s.id != stage.id]
    stages.insert(max(0, min(position - 1, len(stages))), stage)
    _renumber(stages)
    record_audit(
        session,
        "career_stage.moved",
        actor_id=actor_id,
        details={"key": stage.key, "position": stage.rank},
    )


def rename_stage(
    stage: CareerStage, locale: str, name: str, session: AsyncSession, actor_id: str
) -> None:
    if locale == "fr":
        stage.label_fr = name
    else:
        stage.label_en = name
    record_audit(
        session,
        "career_stage.renamed",
        actor_id=actor_id,
        details={"key": stage.key, "locale": locale},
    )
