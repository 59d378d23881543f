"""Enrollment rules, pure: who may take which role, when enrollment is open, and what a
valid answer looks like.

Problems are codes (``Problem``) with parameters; ``dialogs`` puts them into words in the
reader's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from bot.domain.due import DueKind, unique

MENTOR = "mentor"
MENTEE = "mentee"
BOTH = "both"
ROLES = (MENTOR, MENTEE, BOTH)
FORMATS = ("remote", "in_person", "either")
CADENCES = ("weekly", "biweekly", "monthly")
LEVELS = (1, 2, 3, 4, 5)
CAPACITIES = (1, 2, 3)
MAX_SKILLS = 5  # per side: one level select each keeps the form short
MAX_GOALS = 1000
MIN_GOALS = 10
MAX_MOTIVATION = 1000
MAX_LOCATION = 200
MAX_TITLE = 200  # the person's job title, asked by the profile and by enrollment
# Enrollment accepts people while the program is open or already running (rolling intake).
ENROLLING_STATUSES = ("open", "running")
# Time selects: every half hour from 06:00 to 22:00, local to the person.
TIME_CHOICES = tuple(time(h, m) for h in range(6, 23) for m in (0, 30) if (h, m) != (22, 30))


@dataclass(frozen=True)
class Problem:
    code: str
    params: Mapping[str, Any] = field(default_factory=dict)


def teaches(role: str) -> bool:
    return role in (MENTOR, BOTH)


def learns(role: str) -> bool:
    return role in (MENTEE, BOTH)


def eligible_roles(rules: Mapping[str, Any] | None, stage_key: str | None) -> tuple[str, ...]:
    """Roles the program's eligibility rules allow for a career stage.

    A role without a list is open to everyone. A person whose career stage is not known yet
    (they chatted before the HRIS import) is not turned away: every role is offered and the
    program team sees the stage once it is imported.
    """
    eligibility = (rules or {}).get("eligibility") or {}
    allowed = []
    for role in (MENTOR, MENTEE):
        stages = eligibility.get(role)
        if stages is None or stage_key is None or stage_key in stages:
            allowed.append(role)
    if len(allowed) == 2:
        allowed.append(BOTH)
    return tuple(allowed)


def enrollment_open(status: str, closes_on: date | None, today: date) -> bool:
    """``today`` is the date in the program's own time zone."""
    if status not in ENROLLING_STATUSES:
        return False
    return closes_on is None or today <= closes_on


def parse_level(value: str) -> int | None:
    return int(value) if value.isdigit() and int(value) in LEVELS else None


def parse_capacity(value: str) -> int | None:
    return int(value) if value.isdigit() and int(value) in CAPACITIES else None


def parse_time(value: str) -> time | None:
    try:
        parsed = time.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed in TIME_CHOICES else None


def skills_problem(role_side: bool, chosen: Sequence[str], known: Iterable[str]) -> Problem | None:
    """A side of the role (teach or learn) needs 1 to MAX_SKILLS skills of the taxonomy."""
    if not role_side:
        return None
    if not chosen:
        return Problem("skills_required")
    if len(chosen) > MAX_SKILLS:
        return Problem("too_many_skills", {"n": MAX_SKILLS})
    if not set(chosen) <= set(known):
        return Problem("unknown_choice")
    return None


def goals_problem(goals: str, required: bool) -> Problem | None:
    if len(goals) > MAX_GOALS:
        return Problem("too_long", {"n": MAX_GOALS})
    if required and len(goals) < MIN_GOALS:
        return Problem("goals_required", {"n": MIN_GOALS})
    return None


def text_problem(text: str, limit: int, required: bool) -> Problem | None:
    if len(text) > limit:
        return Problem("too_long", {"n": limit})
    if required and not text:
        return Problem("required")
    return None


@dataclass(frozen=True)
class Availability:
    days: tuple[int, ...]  # 0 = Monday
    start: time
    end: time


def availability_problems(
    days: Sequence[str], start: str, end: str
) -> tuple[Availability | None, dict[str, Problem]]:
    """Weekly windows: the chosen days, each from ``start`` to ``end`` (local times)."""
    problems: dict[str, Problem] = {}
    weekdays = sorted({int(d) for d in days if d.isdigit() and 0 <= int(d) <= 6})
    if not weekdays or len(weekdays) != len(set(days)):
        problems["days"] = Problem("days_required")
    start_at, end_at = parse_time(start), parse_time(end)
    if start_at is None:
        problems["start"] = Problem("unknown_choice")
    if end_at is None:
        problems["end"] = Problem("unknown_choice")
    elif start_at is not None and end_at <= start_at:
        problems["end"] = Problem("end_before_start")
    if problems or start_at is None or end_at is None:
        return None, problems
    return Availability(tuple(weekdays), start_at, end_at), {}


def format_problem(fmt: str, location: str) -> dict[str, Problem]:
    if fmt not in FORMATS:
        return {"format": Problem("unknown_choice")}
    if len(location) > MAX_LOCATION:
        return {"location": Problem("too_long", {"n": MAX_LOCATION})}
    if fmt == "in_person" and not location:
        return {"location": Problem("location_required")}
    return {}


def initial_status(approval_required: bool, current: str | None) -> str:
    """A new enrollment is active, or pending when the program approves people first; an
    edit keeps the status it had (an approved person stays approved)."""
    if current in ("active", "pending", "paused"):
        return current
    return "pending" if approval_required else "active"


# -- due actions -----------------------------------------------------------------------


@dataclass(frozen=True)
class ApprovalRequest:
    """An enrollment became pending: its admins get an Approve / Decline card."""

    program_id: int
    enrollment_id: int


@dataclass(frozen=True)
class Decision:
    """An admin decided: the person is told the outcome."""

    enrollment_id: int
    approved: bool


# One each time an enrollment becomes pending, and one per decision, even when two happen
# in the same instant of a frozen clock.
APPROVAL_REQUESTED = DueKind(
    "enrollment.approval_requested",
    ApprovalRequest,
    key=lambda p: unique(f"enrollment.approval_requested:{p.enrollment_id}"),
)
DECIDED = DueKind(
    "enrollment.decided",
    Decision,
    key=lambda p: unique(f"enrollment.decided:{p.enrollment_id}"),
)
