"""The closing review, as rules: when a pairing closes, who is asked, what an answer holds.

A pairing closes in two ways: its program ends (the daily routine marks the active pairings
of a program whose ``ends_on`` has passed ``completed``) or someone ends it early (a person
or an admin: ``ended``). Either way each of the two people gets one closing request (key
``request_key("closing", ...)``), open for three weeks, reminded at most once.

The review asks: would you recommend the program (0-10, for NPS); what changed for you (the
mentor's own growth is an outcome of reverse mentoring, not a by-product); for each skill
the mentee wanted (the mentor: the skills they taught), where they stand now and, looking
back, where they were before (both are kept: each alone biases the result); how each of the
pair's goals ended; and an optional testimonial, quoted only with explicit consent that can
be withdrawn later.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.due import DueKind
from bot.domain.notifications import NOTIFICATION_TYPES, Notification

OPEN_FOR = timedelta(days=21)  # a closing request expires three weeks after it is asked
REMIND_AFTER = timedelta(days=7)  # the one reminder, if nothing was answered by then
# An early end is asked an hour later, so that "your pairing ended" arrives first.
AFTER_EARLY_END = timedelta(hours=1)
NPS_SCALE = tuple(range(0, 11))
LEVELS = (1, 2, 3, 4, 5)
MAX_SKILLS = 5  # two selects per skill: a short step, far below Slack's 100 blocks
MAX_GOALS = 3  # the kickoff sets 1-3 goals
# How a goal ended, in GoalCheck's words: reached, partly (still on it), not reached.
GOAL_ENDINGS = ("done", "on_track", "stuck")
HOW = ("program_end", "ended")  # why the review is asked

CLOSING_ROUTINE = "feedback.closing"
CLOSING_TRIGGER = {"hour": 9, "minute": 15}


@dataclass(frozen=True)
class AskClosing:
    """Ask both people of a pairing that closed for their closing review."""

    pairing_id: int


@dataclass(frozen=True)
class RemindClosing:
    request_id: int


@dataclass(frozen=True)
class ExpireClosing:
    """At the request's end: it closes, and its card loses its button."""

    request_id: int


ASK = DueKind("feedback.closing.ask", AskClosing, key=lambda a: f"closing:ask:{a.pairing_id}")
REMIND = DueKind(
    "feedback.closing.remind", RemindClosing, key=lambda r: f"closing:remind:{r.request_id}"
)
EXPIRE = DueKind(
    "feedback.closing.expire", ExpireClosing, key=lambda e: f"closing:expire:{e.request_id}"
)


def program_over(ends_on: date, zone: str | None, now: datetime) -> bool:
    """The program's last day has passed in its own time zone."""
    try:
        tz = ZoneInfo(zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("UTC")
    return now.astimezone(tz).date() > ends_on


def _levels(items: Sequence[Mapping[str, Any]] | None) -> dict[str, int | None]:
    """``[{"skill": key, "level": n}]`` (an enrollment's skills) as key -> level."""
    found: dict[str, int | None] = {}
    for item in items or ():
        key = item.get("skill")
        if not isinstance(key, str) or not key:
            continue
        level = item.get("level")
        found[key] = level if isinstance(level, int) and level in LEVELS else None
    return found


def skills_to_assess(
    role: str,
    mentee_wanted: Sequence[Mapping[str, Any]] | None,
    mentor_offered: Sequence[Mapping[str, Any]] | None,
) -> list[tuple[str, int | None]]:
    """The skills a person rates at the close, with the level they gave at enrollment.

    The mentee: every skill they wanted (their level then is the baseline). The mentor: the
    skills they taught, i.e. those they offered that the mentee wanted (all they offered
    when none match), beside the proficiency they stated."""
    wanted = _levels(mentee_wanted)
    offered = _levels(mentor_offered)
    if role == "mentee":
        chosen = list(wanted.items())
    else:
        taught = [k for k in offered if k in wanted] or list(offered)
        chosen = [(k, offered[k]) for k in taught]
    return chosen[:MAX_SKILLS]


def level(value: str) -> int | None:
    """A 1-5 level as a form sends it back; None when absent or malformed."""
    return int(value) if value.isdigit() and int(value) in LEVELS else None


def nps(value: str) -> int | None:
    return int(value) if value.isdigit() and int(value) in NPS_SCALE else None


@dataclass(frozen=True)
class ClosingReviewAsked(Notification):
    """For each person of a pairing that closed: the closing review (a button opens it)."""

    type: ClassVar[str] = "closing_review_asked"
    request_id: int
    program_name: str
    person_ids: tuple[str, ...]  # the partner
    role: str  # mentor | mentee: the mentor is told their own growth counts
    how: str = "program_end"  # program_end | ended
    reminder: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "person_ids", tuple(self.person_ids))

    def purpose(self) -> str:
        return card_purpose(self.request_id)


def card_purpose(request_id: int) -> str:
    """What the card and its reminder are recorded as: the expiry replaces both."""
    return f"closing:{request_id}"


@dataclass(frozen=True)
class ClosingReviewClosed(Notification):
    """Replaces the card (and its reminder) once the review has closed: no button left."""

    type: ClassVar[str] = "closing_review_closed"
    request_id: int
    answered: bool


NOTIFICATION_TYPES.update({cls.type: cls for cls in (ClosingReviewAsked, ClosingReviewClosed)})
