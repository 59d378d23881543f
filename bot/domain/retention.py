"""How long the words people wrote are kept, as rules: pure, no database.

Free text written in feedback (what was learned or taught, comments, pulse comments, what
changed, testimonials), thank-you notes, and the private reasons for declining a proposal
or ending a pairing are erased ``retention_months`` after the program ends; the numbers
(ratings, NPS, skill levels, statuses, counts) stay, so the program's report still adds up.

The program ends at the end of its ``ends_on`` day, in its own time zone: its texts are
erased from the start of the day ``months`` later (``erase_on``). A daily routine queues one
due action per program whose day has come (or comes before the next routine), so a changed
period or end date simply makes the queued action find that its time has not come.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.domain.due import DueKind

DEFAULT_MONTHS = 12
MIN_MONTHS = 1
MAX_MONTHS = 120

ROUTINE = "retention.daily"
TRIGGER = {"hour": 3, "minute": 20}  # the deployment's night: nobody is writing then
# The routine queues actions due before its next two runs: a day it does not run (a restart
# at the wrong moment) delays nothing.
HORIZON = timedelta(days=2)

MonthsProblem = Literal["not_a_number", "out_of_range"]


def add_months(day: date, months: int) -> date:
    """``day`` moved ``months`` later, kept inside the month (31 January + 1 = 28/29 Feb);
    a month's last day stays its last day (30 June + 6 = 31 December), as people count."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return date(year, month, last)
    return date(year, month, min(day.day, last))


def erase_on(ends_on: date, months: int) -> date:
    """The first day the texts are gone: the day after ``ends_on`` + ``months``."""
    return add_months(ends_on, months) + timedelta(days=1)


def erase_at(ends_on: date, months: int, zone: str) -> datetime:
    """The instant (UTC) the texts of a program are erased: midnight of ``erase_on`` in the
    program's time zone."""
    local = datetime.combine(erase_on(ends_on, months), time(0), ZoneInfo(zone))
    return local.astimezone(UTC)


def months_problem(typed: str) -> MonthsProblem | None:
    """What is wrong with a retention period typed by an admin (None: it is fine)."""
    text = typed.strip()
    if not text.isdecimal() or not text.isascii():
        return "not_a_number"
    if not MIN_MONTHS <= int(text) <= MAX_MONTHS:
        return "out_of_range"
    return None


@dataclass(frozen=True)
class Texts:
    """How many texts of one program (waiting, or erased): one count per kind of text."""

    learned: int = 0  # what a session taught (feedback.learned)
    comments: int = 0  # comments on sessions and reviews (feedback.comment, not pulses)
    pulse_comments: int = 0  # feedback.comment of the monthly pulse
    changed: int = 0  # "what changed for you" at the close
    testimonials: int = 0  # every testimonial, quotable or not
    thanks: int = 0  # thank-you notes (recognitions.text)
    decline_reasons: int = 0  # why a proposal was declined
    end_reasons: int = 0  # why a pairing ended
    # Of ``testimonials``: those whose author agreed to be quoted (they are erased too).
    quotable: int = 0

    @property
    def total(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self) if f.name != "quotable")

    def counts(self) -> dict[str, int]:
        """The counts by name: what the audit trail records (numbers only, never words)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class EraseTexts:
    """Erase one program's free text, if its time has come when this runs."""

    program_id: int
    at: str  # when it was queued for (ISO): one action per program and instant


ERASE = DueKind("retention.erase", EraseTexts, key=lambda p: f"retention:{p.program_id}:{p.at}")


def due_now(erase_when: datetime, now: datetime) -> bool:
    return now >= erase_when


def when_to_queue(erase_when: datetime, now: datetime, waiting: int) -> datetime | None:
    """When the routine run at ``now`` queues a program's erasure (None: not yet, or
    nothing to erase): at its time if that comes before the next runs, else now."""
    if waiting <= 0 or erase_when > now + HORIZON:
        return None
    return max(erase_when, now)
