"""The "try it this week" catalogue: tips per skill, adding and deactivating them, and the
sessions held recently enough to be followed by one."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.feedback.tips import Candidate
from storage.audit import record_audit
from storage.models import CheckIn, Enrollment, Pairing, Tip


async def active_candidates(session: AsyncSession, skill_keys: Sequence[str]) -> list[Candidate]:
    rows = await session.execute(
        select(Tip.id, Tip.skill_key)
        .where(Tip.active.is_(True), Tip.skill_key.in_(list(skill_keys)))
        .order_by(Tip.id)
    )
    return [Candidate(tip_id, key) for tip_id, key in rows.all()]


async def tips_of(session: AsyncSession, skill_key: str) -> list[Tip]:
    """A skill's tips, active first, oldest first."""
    return list(
        await session.scalars(
            select(Tip).where(Tip.skill_key == skill_key).order_by(Tip.active.desc(), Tip.id)
        )
    )


async def active_counts(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(
        select(Tip.skill_key, func.count()).where(Tip.active.is_(True)).group_by(Tip.skill_key)
    )
    return {key: int(n) for key, n in rows.all()}


def add_tip(
    session: AsyncSession, skill_key: str, text_fr: str, text_en: str, actor_id: str
) -> Tip:
    tip = Tip(skill_key=skill_key, text_fr=text_fr, text_en=text_en, created_by=actor_id)
    session.add(tip)
    record_audit(session, "tip.added", actor_id=actor_id, details={"skill": skill_key})
    return tip


def deactivate_tip(session: AsyncSession, tip: Tip, actor_id: str) -> None:
    tip.active = False
    record_audit(session, "tip.deactivated", actor_id=actor_id, details={"tip_id": tip.id})


async def recently_held(session: AsyncSession, since: datetime) -> list[CheckIn]:
    """Sessions held since ``since`` in active pairings that still take tips."""
    return list(
        await session.scalars(
            select(CheckIn)
            .join(Pairing, Pairing.id == CheckIn.pairing_id)
            .where(
                CheckIn.status == "held",
                CheckIn.scheduled_at >= since,
                Pairing.status == "active",
                Pairing.tips_declined_at.is_(None),
            )
            .order_by(CheckIn.id)
        )
    )


async def held_before(session: AsyncSession, check_in: CheckIn) -> int:
    """How many sessions of the pair were held up to this one (this one included)."""
    count = await session.scalar(
        select(func.count())
        .select_from(CheckIn)
        .where(
            CheckIn.pairing_id == check_in.pairing_id,
            CheckIn.status == "held",
            CheckIn.scheduled_at <= check_in.scheduled_at,
        )
    )
    return int(count or 0)


async def wanted_skills(session: AsyncSession, pairing: Pairing) -> list[str]:
    """What the mentee wants to learn in the pairing's program, in their order."""
    wanted = await session.scalar(
        select(Enrollment.skills_wanted).where(
            Enrollment.program_id == pairing.program_id,
            Enrollment.person_id == pairing.mentee_id,
        )
    )
    keys = [str(item.get("skill", "")) for item in wanted or () if isinstance(item, dict)]
    return [k for k in dict.fromkeys(keys) if k]
