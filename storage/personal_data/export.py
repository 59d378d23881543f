"""A person's own data, as ``my data`` sends it to them: their record exactly as ``tandem
people export --email E --format json`` writes it, and what they themselves answered.

Only rows they wrote or were asked: their enrollments and consents, the feedback requests
put to them, their own feedback, the goals they set and the checks they made. Never a
partner's answers, even about a session they shared (those rows are the partner's).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Consent, Enrollment, Feedback, FeedbackRequest, Goal, GoalCheck
from storage.people.hris import person_record

EXPORT_VERSION = 1


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return None  # no binary column is a person's answer
    return value


def _rows(rows: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for row in rows:
        table = row.__table__
        found.append({column.name: _plain(getattr(row, column.key)) for column in table.columns})
    return found


async def _all(session: AsyncSession, statement: Select[Any]) -> list[dict[str, Any]]:
    return _rows((await session.scalars(statement)).all())


async def own_data(session: AsyncSession, person_id: str, now: datetime) -> dict[str, Any] | None:
    """Everything ``my data`` gives back; None when the person is not (or no more) known."""
    record = await person_record(session, person_id)
    if record is None:
        return None
    their_goals = select(Goal.id).where(Goal.created_by == person_id)
    return {
        "version": EXPORT_VERSION,
        "exported_at": now.isoformat(),
        "person": record,
        "enrollments": await _all(
            session, select(Enrollment).where(Enrollment.person_id == person_id)
        ),
        "consents": await _all(session, select(Consent).where(Consent.person_id == person_id)),
        "feedback_requests": await _all(
            session,
            select(FeedbackRequest)
            .where(FeedbackRequest.person_id == person_id)
            .order_by(FeedbackRequest.asked_at, FeedbackRequest.id),
        ),
        "feedback": await _all(
            session,
            select(Feedback)
            .where(Feedback.person_id == person_id)
            .order_by(Feedback.submitted_at, Feedback.id),
        ),
        "goals": await _all(
            session, select(Goal).where(Goal.id.in_(their_goals)).order_by(Goal.id)
        ),
        "goal_checks": await _all(
            session,
            select(GoalCheck).where(GoalCheck.person_id == person_id).order_by(GoalCheck.id),
        ),
    }
