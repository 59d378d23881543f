"""Free/busy from people's calendars, as the rules see it: busy intervals and working hours,
never a subject, an attendee or a location (the readers drop those on parsing).

A reader answers for each email either ``FreeBusy`` or ``Unreadable`` (denied, unknown,
timed out, failed): the slot rules then fall back to the person's availability windows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Literal, Protocol

from bot.domain.sessions.slots import Side, Window

Reason = Literal["denied", "not_found", "timeout", "error", "throttled", "opted_out"]


@dataclass(frozen=True, order=True)
class Busy:
    """One busy interval, aware instants in UTC; ``end`` is exclusive."""

    start: datetime
    end: datetime

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end


@dataclass(frozen=True)
class WorkingHours:
    """The hours a person's calendar says they work, read in ``zone`` (IANA)."""

    days: frozenset[int]  # 0 = Monday
    start: time
    end: time
    zone: str


@dataclass(frozen=True)
class FreeBusy:
    email: str
    provider: str  # "graph" | "google"
    busy: tuple[Busy, ...]
    working_hours: WorkingHours | None = None

    def is_free(self, start: datetime, end: datetime) -> bool:
        return not any(b.overlaps(start, end) for b in self.busy)


@dataclass(frozen=True)
class Unreadable:
    """The calendar could not be read for this person: fall back to their windows."""

    email: str
    provider: str
    reason: Reason


Answer = FreeBusy | Unreadable


class FreeBusyReader(Protocol):
    """Reads busy intervals for people between two instants (the server configures one from
    the settings: Microsoft Graph, Google Calendar, both, or none)."""

    @property
    def outcomes(self) -> Mapping[str, int]:
        """Answers since the process started: "read", or why it fell back (a Reason)."""
        ...

    async def read(
        self, emails: Sequence[str], start: datetime, end: datetime
    ) -> Mapping[str, Answer]: ...

    def remembered(
        self, emails: Sequence[str], start: datetime, end: datetime
    ) -> Mapping[str, Answer]:
        """What was read in the last minutes for a window covering this one: no call (for
        a click, which must not wait on a provider)."""
        ...


def merged(intervals: Iterable[Busy]) -> tuple[Busy, ...]:
    """Sorted, with overlapping or touching intervals joined."""
    out: list[Busy] = []
    for interval in sorted(intervals):
        if out and interval.start <= out[-1].end:
            if interval.end > out[-1].end:
                out[-1] = Busy(out[-1].start, interval.end)
        else:
            out.append(interval)
    return tuple(out)


def free_for_all(answers: Iterable[Answer], start: datetime, end: datetime) -> bool:
    """True when no readable calendar among ``answers`` is busy between the two instants."""
    return all(a.is_free(start, end) for a in answers if isinstance(a, FreeBusy))


def utc(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("free/busy instants are aware")
    return at.astimezone(UTC)


def with_calendar(side: Side, answer: Answer | None) -> Side:
    """A person's hours for slots: the windows they gave; else, when their calendar says
    when they work, those working hours; else the default working hours."""
    if side.windows or not isinstance(answer, FreeBusy) or answer.working_hours is None:
        return side
    hours = answer.working_hours
    windows = tuple(Window(d, hours.start, hours.end, hours.zone) for d in sorted(hours.days))
    return Side(side.person_id, side.zone, windows)


def busy_as_taken(answers: Iterable[Answer]) -> list[tuple[datetime, int]]:
    """Busy intervals in the shape the slot rules take for times already held."""
    return [
        (b.start, max(1, int((b.end - b.start).total_seconds() // 60)))
        for a in answers
        if isinstance(a, FreeBusy)
        for b in a.busy
    ]
