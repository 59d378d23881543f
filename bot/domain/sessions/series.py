"""A pair's sessions as a clock rule: a wall time read in one IANA zone, every few days.

Storing the rule, not an instant, is what keeps a session at 10:00 in Paris at 10:00 after
the clocks change (a naive weekly UTC time moves it by an hour). Two odd days a year:
- a wall time that does not exist (spring forward, 02:30 in Paris) moves forward by the
  gap (03:30);
- an ambiguous one (fall back, 02:30 happens twice) takes the first occurrence.
Both are PEP 495's ``fold=0`` reading, which ``zoneinfo`` implements; ``instant`` says so
once and the tests check it at the Paris and Toronto changes.

When the two people live in zones whose clocks change on different weekends (Paris and
Montréal), the person outside the series' zone sees their local hour move for a week or
two: ``local_shift`` measures it, so that they are told in advance, in their own time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def instant(day: date, wall: time, zone: str) -> datetime:
    """The UTC instant of ``wall`` on ``day`` in ``zone`` (gap: forward; overlap: first)."""
    local = datetime.combine(day, wall.replace(tzinfo=None, fold=0), ZoneInfo(zone))
    return local.astimezone(UTC)


def local_day(at: datetime, zone: str) -> date:
    return at.astimezone(ZoneInfo(zone)).date()


@dataclass(frozen=True)
class Rule:
    """The series' clock rule: ``wall`` in ``zone``, every ``cadence_days`` days."""

    wall: time
    zone: str
    cadence_days: int

    def __post_init__(self) -> None:
        if self.cadence_days < 1:
            raise ValueError("a cadence is at least one day")
        ZoneInfo(self.zone)  # an unknown zone fails here, not at the next session

    def after(self, previous: datetime) -> datetime:
        """The next session after the one at ``previous``: its local day in the series'
        zone plus the cadence, at the series' wall time."""
        day = local_day(previous, self.zone) + timedelta(days=self.cadence_days)
        return instant(day, self.wall, self.zone)

    def expand(self, first: date, count: int) -> list[datetime]:
        """``count`` sessions from ``first`` on (a calendar's view of the series)."""
        return [
            instant(first + timedelta(days=n * self.cadence_days), self.wall, self.zone)
            for n in range(count)
        ]


def wall_time(at: datetime, zone: str) -> time:
    """What a clock in ``zone`` shows at ``at`` (no zone, no seconds)."""
    return at.astimezone(ZoneInfo(zone)).time().replace(second=0, microsecond=0, tzinfo=None)


def local_shift(previous: datetime, following: datetime, zone: str) -> timedelta:
    """How much later (positive) or earlier a reader in ``zone`` sees ``following`` than
    ``previous`` on their own clock, both sessions being at the same wall time in the
    series' zone. Zero when both clocks changed together (or neither did)."""
    before = datetime.combine(date.min, wall_time(previous, zone))
    after = datetime.combine(date.min, wall_time(following, zone))
    shift = after - before
    # Across midnight: a session at 23:30 moved to 00:30 is one hour later, not 23 earlier.
    if shift > timedelta(hours=12):
        shift -= timedelta(days=1)
    elif shift < timedelta(hours=-12):
        shift += timedelta(days=1)
    return shift


@dataclass(frozen=True)
class TimeProblem:
    """Why a typed day and time cannot be the session's (``code`` is a message key)."""

    code: str  # "malformed" | "past" | "outside_hours" | "too_far"


EARLIEST = time(7)
LATEST = time(21)  # a session must end by then, in each person's zone
MAX_DAYS_AHEAD = 120


def parse_local(day_text: str, time_text: str, zone: str) -> datetime | TimeProblem:
    """A day (YYYY-MM-DD) and a time (HH:MM) typed in ``zone``, as a UTC instant."""
    try:
        day = date.fromisoformat(day_text.strip())
        wall = time.fromisoformat(time_text.strip())
    except ValueError:
        return TimeProblem("malformed")
    if wall.tzinfo is not None:
        return TimeProblem("malformed")
    return instant(day, wall, zone)


def time_problem(
    start: datetime, minutes: int, zones: tuple[str, ...], now: datetime
) -> TimeProblem | None:
    """Whether a session starting at ``start`` for ``minutes`` cannot be planned: in the
    past, too far ahead, or outside reasonable hours (07:00–21:00) for someone in it."""
    if start <= now:
        return TimeProblem("past")
    if start - now > timedelta(days=MAX_DAYS_AHEAD):
        return TimeProblem("too_far")
    end = start + timedelta(minutes=minutes)
    for zone in zones:
        tz = ZoneInfo(zone)
        begins, ends = start.astimezone(tz), end.astimezone(tz)
        if begins.date() != ends.date() or begins.time() < EARLIEST or ends.time() > LATEST:
            return TimeProblem("outside_hours")
    return None
