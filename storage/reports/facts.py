"""The facts of one program, read from the tables for ``bot.domain.reports.figures``.

Everything is read inside the caller's unit of work (nothing here writes). Free text never
leaves this module, except a testimonial its author agreed to have quoted.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.reports.facts import (
    NOT_STATED,
    FeedbackFact,
    GoalCheckFact,
    PairFact,
    PersonFact,
    ProgramFacts,
    RequestFact,
)
from storage.models import (
    CareerStage,
    CheckIn,
    Enrollment,
    Feedback,
    FeedbackRequest,
    Goal,
    GoalCheck,
    Nudge,
    Pairing,
    Person,
    Program,
    Proposal,
)
from storage.sessions.reach import unreachable_in

# Who counts as enrolled: people who were in the program (not drafts, not refused).
ENROLLED = ("active", "paused", "left")


def _baseline(wanted: list[dict[str, Any]] | None) -> dict[str, int]:
    levels: dict[str, int] = {}
    for item in wanted or []:
        skill, level = item.get("skill"), item.get("level")
        if isinstance(skill, str) and isinstance(level, int):
            levels[skill] = level
    return levels


def _stated(value: str | None) -> str:
    return value.strip() if value and value.strip() else NOT_STATED


async def program_facts(session: AsyncSession, program: Program, now: datetime) -> ProgramFacts:
    pairings = list(await session.scalars(select(Pairing).where(Pairing.program_id == program.id)))
    matched: dict[str, datetime] = {}
    for p in pairings:
        for pid in (p.mentor_id, p.mentee_id):
            if pid not in matched or p.started_at < matched[pid]:
                matched[pid] = p.started_at
    unreachable = {u.person.id for u in await unreachable_in(session, program.id)}
    stages = {s.id: s.key for s in await session.scalars(select(CareerStage))}
    people = []
    enrolled = await session.execute(
        select(Enrollment, Person)
        .join(Person, Person.id == Enrollment.person_id)
        .where(Enrollment.program_id == program.id, Enrollment.status.in_(ENROLLED))
        .order_by(Enrollment.id)
    )
    for enrollment, person in enrolled.all():
        stage = stages.get(person.career_stage_id) if person.career_stage_id else None
        groups = {
            "department": _stated(person.department),
            "stage": stage or NOT_STATED,
            "location": _stated(person.location or enrollment.location),
            "role": enrollment.role,
        }
        people.append(
            PersonFact(
                person.id,
                enrollment.created_at,
                groups,
                _baseline(enrollment.skills_wanted),
                matched.get(person.id),
                person.id in unreachable,
            )
        )
    ids = [p.id for p in pairings]
    return ProgramFacts(
        now=now,
        people=people,
        feedback=await _feedback(session, ids),
        requests=await _requests(session, ids),
        goal_checks=await _goal_checks(session, ids),
        pairs=await _pairs(session, pairings),
        sessions=[
            (c.status, c.scheduled_at)
            for c in await session.scalars(select(CheckIn).where(CheckIn.pairing_id.in_(ids)))
        ],
        proposals=[
            (status, sent_at)
            for status, sent_at in (
                await session.execute(
                    select(Proposal.status, Proposal.sent_at).where(
                        Proposal.program_id == program.id
                    )
                )
            ).all()
        ],
    )


async def _feedback(session: AsyncSession, pairing_ids: list[int]) -> list[FeedbackFact]:
    rows = await session.scalars(
        select(Feedback).where(Feedback.pairing_id.in_(pairing_ids)).order_by(Feedback.id)
    )
    facts = []
    for f in rows:
        quoted = f.quote_consent_at is not None and f.quote_withdrawn_at is None
        facts.append(
            FeedbackFact(
                ref=f.id,
                person_id=f.person_id,
                kind=f.kind,
                at=f.submitted_at,
                rating=f.rating,
                nps=f.nps,
                skill_levels=_levels(f.skill_levels),
                retrospective=_levels(f.retrospective),
                quote=f.testimonial if quoted and f.testimonial else None,
            )
        )
    return facts


def _levels(stored: Mapping[str, Any] | None) -> dict[str, int]:
    return {k: v for k, v in (stored or {}).items() if isinstance(v, int)}


async def _requests(session: AsyncSession, pairing_ids: list[int]) -> list[RequestFact]:
    answers = dict(
        (
            await session.execute(
                select(Feedback.request_id, Feedback.id).where(
                    Feedback.pairing_id.in_(pairing_ids), Feedback.request_id.is_not(None)
                )
            )
        ).all()
    )
    rows = await session.scalars(
        select(FeedbackRequest).where(
            FeedbackRequest.pairing_id.in_(pairing_ids), FeedbackRequest.status != "cancelled"
        )
    )
    return [RequestFact(r.person_id, r.kind, r.asked_at, answers.get(r.id)) for r in rows]


async def _goal_checks(session: AsyncSession, pairing_ids: list[int]) -> list[GoalCheckFact]:
    rows = await session.scalars(
        select(GoalCheck)
        .join(Goal, Goal.id == GoalCheck.goal_id)
        .where(Goal.pairing_id.in_(pairing_ids))
    )
    return [
        GoalCheckFact(g.id, g.person_id, g.goal_id, g.checked_at, g.status == "done") for g in rows
    ]


async def _pairs(session: AsyncSession, pairings: list[Pairing]) -> list[PairFact]:
    ids = [p.id for p in pairings]
    first_held: dict[int, datetime] = {}
    for pairing_id, at in (
        await session.execute(
            select(CheckIn.pairing_id, CheckIn.scheduled_at).where(
                CheckIn.pairing_id.in_(ids), CheckIn.status == "held"
            )
        )
    ).all():
        if pairing_id not in first_held or at < first_held[pairing_id]:
            first_held[pairing_id] = at
    at_risk = set(
        await session.scalars(
            select(Nudge.pairing_id).where(Nudge.pairing_id.in_(ids), Nudge.kind == "at_risk")
        )
    )
    return [
        PairFact(
            p.mentor_id,
            p.mentee_id,
            p.started_at,
            first_held.get(p.id),
            p.id in at_risk,
            p.status == "active",
        )
        for p in pairings
    ]
