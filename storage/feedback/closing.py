"""The closing review's queries: pairings that close, what a review is about (skills and
their enrollment levels, the pair's goals), and the answers a person may withdraw consent
from. Everything works inside the caller's unit of work; nothing here commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.feedback.closing import (
    AFTER_EARLY_END,
    ASK,
    MAX_GOALS,
    AskClosing,
    program_over,
    skills_to_assess,
)
from storage.enqueue import enqueue_due
from storage.models import (
    Enrollment,
    Feedback,
    Goal,
    GoalCheck,
    Pairing,
    Program,
    Skill,
)


async def queue_closing(
    session: AsyncSession, pairing_id: int, now: datetime, *, early: bool = True
) -> None:
    """Ask both people of a pairing that closed for their review (once per pairing: the
    action's key names the pairing, and each request's key the person)."""
    at = now + AFTER_EARLY_END if early else now
    await enqueue_due(session, ASK, AskClosing(pairing_id), at)


async def complete_finished_programs(session: AsyncSession, now: datetime) -> list[Pairing]:
    """Mark ``completed`` the active pairings of programs whose last day has passed and
    queue their reviews; a rerun finds none left (the status is the idempotency)."""
    # A superset in SQL (no zone is more than a day ahead of UTC), exact in each zone below.
    soon = now.date() + timedelta(days=1)
    programs = (await session.scalars(select(Program).where(Program.ends_on <= soon))).all()
    over = [p.id for p in programs if program_over(p.ends_on, p.timezone, now)]
    if not over:
        return []
    pairings = list(
        await session.scalars(
            select(Pairing)
            .where(Pairing.program_id.in_(over), Pairing.status == "active")
            .order_by(Pairing.id)
            .with_for_update()
        )
    )
    for pairing in pairings:
        pairing.status = "completed"
        pairing.ended_at = now
        await queue_closing(session, pairing.id, now, early=False)
    return pairings


@dataclass(frozen=True)
class ReviewSubject:
    """What one person's review is about, read when the review opens."""

    skills: list[tuple[str, int | None]]  # skill key, level given at enrollment
    goals: list[Goal]


async def review_subject(session: AsyncSession, pairing: Pairing, role: str) -> ReviewSubject:
    enrollments = {
        e.person_id: e
        for e in await session.scalars(
            select(Enrollment).where(
                Enrollment.program_id == pairing.program_id,
                Enrollment.person_id.in_((pairing.mentor_id, pairing.mentee_id)),
            )
        )
    }
    mentee, mentor = enrollments.get(pairing.mentee_id), enrollments.get(pairing.mentor_id)
    skills = skills_to_assess(
        role,
        mentee.skills_wanted if mentee is not None else [],
        mentor.skills_offered if mentor is not None else [],
    )
    goals = list(
        await session.scalars(
            select(Goal).where(Goal.pairing_id == pairing.id).order_by(Goal.position, Goal.id)
        )
    )[:MAX_GOALS]
    return ReviewSubject(skills, goals)


async def record_goal_endings(
    session: AsyncSession,
    pairing_id: int,
    person_id: str,
    endings: dict[int, str],
    now: datetime,
) -> None:
    """One closing check per goal and person (a changed answer updates it); the goal's
    status follows the latest word on it."""
    goals = {
        g.id: g
        for g in await session.scalars(
            select(Goal).where(Goal.pairing_id == pairing_id, Goal.id.in_(list(endings)))
        )
    }
    for goal_id, status in endings.items():
        goal = goals.get(goal_id)
        if goal is None:
            continue
        check = await session.scalar(
            select(GoalCheck).where(
                GoalCheck.goal_id == goal_id,
                GoalCheck.person_id == person_id,
                GoalCheck.stage == "closing",
            )
        )
        if check is None:
            session.add(
                GoalCheck(
                    goal_id=goal_id, person_id=person_id, stage="closing", status=status,
                    checked_at=now,
                )
            )  # fmt: skip
        else:
            check.status, check.checked_at = status, now
        goal.status = status
        goal.achieved_at = (goal.achieved_at or now) if status == "done" else None


async def quotable_answers(session: AsyncSession, person_id: str) -> list[Feedback]:
    """The person's closing answers whose testimonial may be quoted today."""
    return list(
        await session.scalars(
            select(Feedback)
            .where(
                Feedback.person_id == person_id,
                Feedback.kind == "closing",
                Feedback.quote_consent_at.is_not(None),
                Feedback.quote_withdrawn_at.is_(None),
            )
            .order_by(Feedback.id)
        )
    )


async def closing_answer(session: AsyncSession, request_id: int) -> Feedback | None:
    return await session.scalar(select(Feedback).where(Feedback.request_id == request_id))


async def skill_labels_of(session: AsyncSession, keys: list[str]) -> dict[str, dict[str, str]]:
    """The names of these skills per language (a skill retired since keeps its names)."""
    if not keys:
        return {}
    skills = await session.scalars(select(Skill).where(Skill.key.in_(keys)))
    return {s.key: {tr.locale: tr.name for tr in s.translations} for s in skills}


async def goal_endings_of(
    session: AsyncSession, person_id: str, goal_ids: list[int]
) -> dict[str, str]:
    """How this person said each goal ended, at the close (goal id as text -> status)."""
    rows = await session.scalars(
        select(GoalCheck).where(
            GoalCheck.goal_id.in_(goal_ids),
            GoalCheck.person_id == person_id,
            GoalCheck.stage == "closing",
        )
    )
    return {str(r.goal_id): r.status for r in rows}
