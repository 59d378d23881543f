"""Feedback requests and their one answer each: asking (idempotent by key), finding what a
person still has to answer, and the answer row to write (created once, then updated)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Feedback, FeedbackRequest


async def ask(
    session: AsyncSession,
    *,
    key: str,
    kind: str,
    pairing_id: int,
    person_id: str,
    role: str,
    now: datetime,
    expires_at: datetime | None,
    check_in_id: int | None = None,
) -> FeedbackRequest | None:
    """Record the question in the caller's unit of work; None when it was already asked
    (the key exists: a replayed due action asks nothing twice)."""
    if await session.scalar(select(FeedbackRequest.id).where(FeedbackRequest.key == key)):
        return None
    request = FeedbackRequest(
        key=key,
        kind=kind,
        pairing_id=pairing_id,
        check_in_id=check_in_id,
        person_id=person_id,
        role=role,
        status="open",
        asked_at=now,
        expires_at=expires_at,
    )
    session.add(request)
    await session.flush()
    return request


async def locked_request(session: AsyncSession, request_id: int) -> FeedbackRequest | None:
    """The request, locked against a concurrent answer (a double submission counts once)."""
    return (
        await session.execute(
            select(FeedbackRequest).where(FeedbackRequest.id == request_id).with_for_update()
        )
    ).scalar_one_or_none()


async def open_requests(
    session: AsyncSession, person_id: str, now: datetime, kind: str | None = None
) -> list[FeedbackRequest]:
    """What ``person_id`` still has to answer (oldest first): open and not expired."""
    query = select(FeedbackRequest).where(
        FeedbackRequest.person_id == person_id,
        FeedbackRequest.status == "open",
        or_(FeedbackRequest.expires_at.is_(None), FeedbackRequest.expires_at > now),
    )
    if kind is not None:
        query = query.where(FeedbackRequest.kind == kind)
    return list(await session.scalars(query.order_by(FeedbackRequest.asked_at, FeedbackRequest.id)))


async def answer_row(session: AsyncSession, request: FeedbackRequest, now: datetime) -> Feedback:
    """The request's one answer: created on the first answer, the same row after (its
    ``updated_at`` set). Marks the request answered. The caller fills the fields."""
    feedback = await session.scalar(select(Feedback).where(Feedback.request_id == request.id))
    if feedback is None:
        feedback = Feedback(
            pairing_id=request.pairing_id,
            check_in_id=request.check_in_id,
            request_id=request.id,
            person_id=request.person_id,
            kind=request.kind,
            role=request.role,
            submitted_at=now,
            skills=[],
            skill_levels={},
            retrospective={},
        )
        session.add(feedback)
    else:
        feedback.updated_at = now
    request.status = "answered"
    request.answered_at = request.answered_at or now
    return feedback
