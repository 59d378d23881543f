"""Goals after the kickoff, as rules: when the mid-point check is asked, how long it can be
answered, what a goal's status becomes; and what the mid-point card carries.

The mid-point of a pairing is half-way between its start and the end of its program, but
never later than three months after the start (a year-long program still gets a check
while the pair remembers its goals); a program without a usable end date gets the three
months. The check is asked of both people; either may answer; each answer is theirs (one
``GoalCheck`` per goal and person at this stage: answering again changes it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from bot.domain.due import DueKind
from bot.domain.notifications import NOTIFICATION_TYPES, Notification

GOAL_STATUSES = ("on_track", "stuck", "done")
STAGES = ("midpoint", "closing", "update")
OPEN = "open"  # a goal nobody has checked yet (``Goal.status``'s default)
MIDPOINT_AT_THE_LATEST = timedelta(days=90)
MIDPOINT_ANSWERABLE = timedelta(days=21)  # then the request expires (the close comes later)
MIDPOINT_REMIND_AFTER = timedelta(days=7)  # the one reminder
MIDPOINT_ROUTINE = "goals.midpoint"
MIDPOINT_TRIGGER = {"hour": 9, "minute": 40}  # daily, in the deployment's zone


def midpoint_at(started_at: datetime, ends_on: date | None, zone: str) -> datetime:
    """When a pairing started at ``started_at`` is half-way (see the module's rule)."""
    latest = started_at + MIDPOINT_AT_THE_LATEST
    if ends_on is None:
        return latest
    end = datetime.combine(ends_on, time(18), tzinfo=ZoneInfo(zone))
    if end <= started_at:
        return latest
    return min(started_at + (end - started_at) / 2, latest)


def status_after(status: str) -> str:
    """A checked status, checked: anything else is refused before it is stored."""
    if status not in GOAL_STATUSES:
        raise ValueError(f"unknown goal status {status!r}")
    return status


def achieved_at(status: str, before: datetime | None, now: datetime) -> datetime | None:
    """When a goal was done: kept from the first "done", cleared when it is reopened."""
    if status != "done":
        return None
    return before or now


@dataclass(frozen=True)
class MidpointAsk:
    """Ask both people of the pair to check their goals (once per pairing)."""

    pairing_id: int


@dataclass(frozen=True)
class MidpointRemind:
    """The one reminder of one person's mid-point request."""

    request_id: int


MIDPOINT_ASK = DueKind(
    "goals.midpoint_ask", MidpointAsk, key=lambda p: f"goals:midpoint:{p.pairing_id}"
)
MIDPOINT_REMIND = DueKind(
    "goals.midpoint_remind", MidpointRemind, key=lambda p: f"goals:midpoint-remind:{p.request_id}"
)


def _goal_lines(value: Any) -> tuple[tuple[str, str], ...]:
    return tuple((str(text), str(status)) for text, status in value)


@dataclass(frozen=True)
class MidpointCheck(Notification):
    """Half-way: the pair's goals as they stand, and a button to say where each is."""

    type: ClassVar[str] = "goals_midpoint"
    request_id: int
    person_ids: tuple[str, ...]  # the partner
    goals: tuple[tuple[str, str], ...]  # (text, status) in the pair's order
    reminder: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "person_ids", tuple(str(p) for p in self.person_ids))
        object.__setattr__(self, "goals", _goal_lines(self.goals))

    def purpose(self) -> str:
        return f"goals-midpoint:{self.request_id}"


NOTIFICATION_TYPES.update({MidpointCheck.type: MidpointCheck})
