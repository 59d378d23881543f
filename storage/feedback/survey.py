"""What the session survey reads: the next session of a pair, the pair's skills, a request's
one answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CheckIn, Enrollment, Feedback, FeedbackRequest, Pairing


async def next_start(session: AsyncSession, pairing_id: int, now: datetime) -> datetime | None:
    """When the pair's next planned session starts (None: nothing planned)."""
    return await session.scalar(
        select(CheckIn.scheduled_at)
        .where(
            CheckIn.pairing_id == pairing_id,
            CheckIn.status == "planned",
            CheckIn.scheduled_at > now,
        )
        .order_by(CheckIn.scheduled_at)
        .limit(1)
    )


def _keys(entries: list[dict[str, object]] | None) -> list[str]:
    return [str(e["skill"]) for e in entries or () if isinstance(e, dict) and e.get("skill")]


async def pair_skills(session: AsyncSession, pairing: Pairing) -> tuple[list[str], list[str]]:
    """The mentor's offered skill keys and the mentee's wanted ones, in this program."""
    rows = (
        await session.scalars(
            select(Enrollment).where(
                Enrollment.program_id == pairing.program_id,
                Enrollment.person_id.in_((pairing.mentor_id, pairing.mentee_id)),
            )
        )
    ).all()
    offered = next((_keys(e.skills_offered) for e in rows if e.person_id == pairing.mentor_id), [])
    wanted = next((_keys(e.skills_wanted) for e in rows if e.person_id == pairing.mentee_id), [])
    return offered, wanted


async def answer_of(session: AsyncSession, request_id: int) -> Feedback | None:
    """The request's answer so far (None before the first tap)."""
    return await session.scalar(select(Feedback).where(Feedback.request_id == request_id))


async def request_by_id(session: AsyncSession, request_id: int) -> FeedbackRequest | None:
    return await session.get(FeedbackRequest, request_id)


async def follow_next_session(session: AsyncSession, pairing_id: int, now: datetime) -> int:
    """After the pair's next session moved (or was skipped and another planned): the open
    session surveys of the pair close when the new next one starts. Returns how many moved.
    Surveys that have closed already stay closed."""
    start = await next_start(session, pairing_id, now)
    if start is None:
        return 0
    moved = 0
    for request in await session.scalars(
        select(FeedbackRequest).where(
            FeedbackRequest.pairing_id == pairing_id,
            FeedbackRequest.kind == "session",
            FeedbackRequest.status.in_(("open", "answered")),
            FeedbackRequest.expires_at > now,
        )
    ):
        if request.expires_at != start:
            request.expires_at = start
            moved += 1
    return moved
