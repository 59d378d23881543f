"""The monthly private pulse, as rules: when a person is asked, when reminded, who reads it.

The power gap is the risk reverse mentoring runs: a junior mentor may not dare to say that
things go badly with a senior leader. So once a month each side of an active pair is asked
privately how it goes (fine / a concern / I'd like to talk). Only the program's admins read
the answers, never one who is in the pair or in the junior's management chain, nor in the
leader's (a leader's superior reading a junior's worry about that leader is an escalation
the junior did not choose; a leader's own pulse is no more private before their superiors);
when no program admin is left, the deployment admins read it, with the same exclusions.
The partner never reads it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo

from bot.domain.feedback.requests import RequestState, may_remind
from bot.domain.notifications import NOTIFICATION_TYPES, Notification

PULSE_ROUTINE = "feedback.pulse"
# Daily: the request's key (one per person and month) makes it monthly, and a day missed
# (a restart, an outage) is caught up the next day.
PULSE_TRIGGER = {"hour": 10, "minute": 45}
FINE, CONCERN, TALK = "fine", "concern", "talk"
ANSWERS = (FINE, CONCERN, TALK)
FOLLOW_UP = frozenset({CONCERN, TALK})  # flags the pair and alerts the readers
SETTLE_IN = timedelta(days=14)  # a pair just introduced is not yet asked how it goes
ROOM_TO_ANSWER = timedelta(days=5)  # not asked when the month ends sooner: next month
REMIND_AFTER = timedelta(days=7)
MAX_COMMENT = 1000
MAX_CHAIN = 64  # a management line longer than this is bad data: the walk stops


def period_of(now: datetime, zone: str) -> str:
    """The month ("YYYY-MM") ``now`` falls in, in the program's time zone."""
    return now.astimezone(ZoneInfo(zone)).strftime("%Y-%m")


def month_end(period: str, zone: str) -> datetime:
    """The first instant of the next month in ``zone``: when the month's pulse expires."""
    year, month = (int(p) for p in period.split("-"))
    year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return datetime(year, month, 1, tzinfo=ZoneInfo(zone))


def period_to_ask(started_at: datetime, now: datetime, zone: str) -> str | None:
    """The month to ask this pair about now, or None (too new, or the month nearly over)."""
    if now - started_at < SETTLE_IN:
        return None
    period = period_of(now, zone)
    if month_end(period, zone) - now < ROOM_TO_ANSWER:
        return None
    return period


def remind_now(request: RequestState, asked_at: datetime, now: datetime) -> bool:
    """The one reminder, a week after asking, while the pulse is open and unanswered."""
    return may_remind(request, now) and now - asked_at >= REMIND_AFTER


def management_chain(person_id: str, manager_of: Mapping[str, str | None]) -> tuple[str, ...]:
    """Everyone above the person, nearest first; a cycle in the HR data ends the walk."""
    above: list[str] = []
    current = manager_of.get(person_id)
    while current is not None and current != person_id and current not in above:
        above.append(current)
        if len(above) >= MAX_CHAIN:
            break
        current = manager_of.get(current)
    return tuple(above)


@dataclass(frozen=True)
class PulseSubject:
    """Whose pulse it is: the pair and who wrote it."""

    mentor_id: str
    mentee_id: str
    writer_id: str


def kept_from(subject: PulseSubject, manager_of: Mapping[str, str | None]) -> frozenset[str]:
    """Who never reads this pulse: the pair and both management chains above it."""
    return frozenset(
        {subject.mentor_id, subject.mentee_id}
        | set(management_chain(subject.mentor_id, manager_of))
        | set(management_chain(subject.mentee_id, manager_of))
    )


def pulse_readers(
    subject: PulseSubject,
    program_admins: Iterable[str],
    deployment_admins: Iterable[str],
    manager_of: Mapping[str, str | None],
) -> tuple[str, ...]:
    """Who reads the pulse: the program's admins outside the pair and the chains; if none,
    the deployment admins outside them; possibly nobody."""
    kept = kept_from(subject, manager_of)
    readers = sorted(set(program_admins) - kept)
    if not readers:
        readers = sorted(set(deployment_admins) - kept)
    return tuple(readers)


# -- what the pulse has people told ------------------------------------------------------


@dataclass(frozen=True)
class PulseAsked(Notification):
    """The month's question, in the words of the reader's side (``role``)."""

    type: ClassVar[str] = "pulse_asked"
    request_id: int
    role: str  # mentor | mentee
    program_name: str
    person_ids: tuple[str, ...]  # the partner
    expires_at: str  # ISO instant: the month's end
    reminder: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "person_ids", tuple(str(p) for p in self.person_ids))

    def purpose(self) -> str:
        return f"pulse:{self.request_id}"


@dataclass(frozen=True)
class PulseClosed(Notification):
    """What a pulse card becomes once its month is over (its buttons gone)."""

    type: ClassVar[str] = "pulse_closed"
    request_id: int

    def purpose(self) -> str:
        return f"pulse:{self.request_id}"


@dataclass(frozen=True)
class PulseFollowUp(Notification):
    """For the pulse's readers only: someone answered "a concern" or "I'd like to talk"."""

    type: ClassVar[str] = "pulse_follow_up"
    pairing_id: int
    program_name: str
    program_slug: str
    person_ids: tuple[str, ...]  # who answered, then their partner
    role: str  # the writer's side
    answer: str  # concern | talk
    comment: str = ""  # their words, shown inert
    changed: bool = False  # an answer or a comment changed after a first alert

    def __post_init__(self) -> None:
        object.__setattr__(self, "person_ids", tuple(str(p) for p in self.person_ids))


NOTIFICATION_TYPES.update({cls.type: cls for cls in (PulseAsked, PulseClosed, PulseFollowUp)})
