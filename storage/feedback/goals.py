"""Goals after the kickoff: who checked each goal last, recording a check, and the pairings
whose mid-point has come."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.feedback.goals import achieved_at, midpoint_at, status_after
from storage.models import Goal, GoalCheck, Pairing, Program


@dataclass(frozen=True)
class GoalState:
    """A goal with its latest check (None: nobody checked it yet)."""

    goal: Goal
    last: GoalCheck | None


async def goal_states(session: AsyncSession, pairing_id: int) -> list[GoalState]:
    """The pair's goals in their order, each with the most recent check by anyone."""
    goals = list(
        await session.scalars(
            select(Goal).where(Goal.pairing_id == pairing_id).order_by(Goal.position, Goal.id)
        )
    )
    if not goals:
        return []
    checks = await session.scalars(
        select(GoalCheck)
        .where(GoalCheck.goal_id.in_([g.id for g in goals]))
        .order_by(GoalCheck.checked_at, GoalCheck.id)
    )
    last: dict[int, GoalCheck] = {}
    for check in checks:
        last[check.goal_id] = check  # ordered: the newest wins
    return [GoalState(goal, last.get(goal.id)) for goal in goals]


async def record_check(
    session: AsyncSession,
    goal: Goal,
    person_id: str,
    stage: str,
    status: str,
    now: datetime,
) -> GoalCheck:
    """One person's view of one goal, and the goal's status with it.

    At the mid-point and the close a person's check of a goal is one row (answering again
    changes it); "update" checks are a history (each one a row)."""
    status = status_after(status)
    check = None
    if stage != "update":
        check = await session.scalar(
            select(GoalCheck).where(
                GoalCheck.goal_id == goal.id,
                GoalCheck.person_id == person_id,
                GoalCheck.stage == stage,
            )
        )
    if check is None:
        check = GoalCheck(goal_id=goal.id, person_id=person_id, stage=stage)
        session.add(check)
    check.status, check.checked_at = status, now
    goal.achieved_at = achieved_at(status, goal.achieved_at, now)
    goal.status = status
    return check


async def pairings_at_midpoint(
    session: AsyncSession, now: datetime, default_zone: str
) -> list[Pairing]:
    """Active pairings whose mid-point has come and that have goals to check."""
    rows = await session.execute(
        select(Pairing, Program.ends_on, Program.timezone)
        .join(Program, Program.id == Pairing.program_id)
        .where(
            Pairing.status == "active",
            Pairing.id.in_(select(Goal.pairing_id)),
        )
        .order_by(Pairing.id)
    )
    return [
        pairing
        for pairing, ends_on, zone in rows.all()
        if midpoint_at(pairing.started_at, ends_on, zone or default_zone) <= now
    ]
