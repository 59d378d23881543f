"""The 30-second survey after a held session, as rules and data: when it is asked, when it
expires and is reminded, which skills are offered as chips, what the survey card says.

held ──► feedback.survey_ask (due now) ──► a request + a card for each of the pair
     ──► feedback.survey_remind (2 days later, only if still open, once)
the next session starts (else 14 days) ──► the request is closed: a late answer stores nothing
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar

from bot.domain.due import DueKind
from bot.domain.notifications import NOTIFICATION_TYPES, Notification

RATINGS = (1, 2, 3, 4, 5)
REMIND_AFTER = timedelta(days=2)
OPEN_WITHOUT_NEXT = timedelta(days=14)  # no next session planned: the survey stays open this long
MAX_CHIPS = 8  # a chat card, not a form of ten fields
MAX_COMMENT = 1000


@dataclass(frozen=True)
class SurveyAsk:
    """Ask both people of a held session for their feedback."""

    check_in_id: int


@dataclass(frozen=True)
class SurveyRemind:
    """Remind one person of one request, if it is still open."""

    request_id: int


SURVEY_ASK = DueKind(
    "feedback.survey_ask", SurveyAsk, key=lambda p: f"feedback:survey:{p.check_in_id}:ask"
)
SURVEY_REMIND = DueKind(
    "feedback.survey_remind",
    SurveyRemind,
    key=lambda p: f"feedback:survey-request:{p.request_id}:remind",
)


def expires_at(next_start: datetime | None, now: datetime) -> datetime:
    """The survey closes when the next session starts; without one (or one already
    begun), after ``OPEN_WITHOUT_NEXT``."""
    if next_start is not None and next_start > now:
        return next_start
    return now + OPEN_WITHOUT_NEXT


def remind_at(asked_at: datetime, expires: datetime | None) -> datetime | None:
    """When to remind, or None when the survey closes before a reminder makes sense."""
    at = asked_at + REMIND_AFTER
    if expires is not None and at >= expires:
        return None
    return at


def chip_skills(offered: Sequence[str], wanted: Sequence[str]) -> tuple[str, ...]:
    """The skills to tick: what the mentor offers and the mentee wants (in the mentee's
    order), else what the mentee wants; at most ``MAX_CHIPS``, no duplicates."""
    wanted_once = tuple(dict.fromkeys(wanted))
    shared = tuple(skill for skill in wanted_once if skill in set(offered))
    return (shared or wanted_once)[:MAX_CHIPS]


def valid_rating(text: str) -> int | None:
    return int(text) if text.isdigit() and int(text) in RATINGS else None


def toggled(chosen: Sequence[str], skill: str, on: bool, offered: Sequence[str]) -> list[str]:
    """The chips after one tap: the button says which state it sets, so a double click
    sets the same state twice instead of undoing itself. Unknown skills are ignored."""
    if skill not in offered:
        return list(chosen)
    kept = [s for s in chosen if s != skill and s in offered]
    if on:
        kept.append(skill)
    return [s for s in offered if s in kept]  # the card's order


@dataclass(frozen=True)
class SurveyAsked(Notification):
    """After a held session: "How was it?" 1–5, in the mentor's or the mentee's words."""

    type: ClassVar[str] = "feedback_survey"
    request_id: int
    role: str  # mentor | mentee
    person_ids: tuple[str, ...]  # the partner
    starts_at: str  # the session's start (ISO, UTC)
    reminder: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "person_ids", tuple(str(p) for p in self.person_ids))

    def purpose(self) -> str:
        return f"feedback-survey:{self.request_id}"


NOTIFICATION_TYPES[SurveyAsked.type] = SurveyAsked
