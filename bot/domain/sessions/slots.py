"""Which times to offer a pair for a session: both people's weekly hours, their time zones,
what is already taken, spread over different days.

Everything is computed on UTC instants: each weekly window (a clock rule, local times in
its own zone) is expanded with ``zoneinfo`` into the concrete intervals of the coming days,
so a clock change in one zone and not the other moves nobody's hours.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.domain.sessions.settings import SessionSettings

GRID = timedelta(minutes=15)  # slots start on round quarter-hours
LEAD = timedelta(hours=4)  # nothing in the first few hours from now
# Nearest options when hours never meet: at most this far outside one person's hours, and
# never in their night.
MAX_MISS = timedelta(hours=3)
AWAKE = (time(7, 0), time(22, 0))
WORKDAYS = (0, 1, 2, 3, 4)
WORKING = (time(9, 0), time(18, 0))

Problem = Literal["malformed", "past", "outside"]


@dataclass(frozen=True)
class Window:
    """A weekly window in a person's own zone (0 = Monday); ``end`` 00:00 is midnight."""

    weekday: int
    start: time
    end: time
    zone: str


@dataclass(frozen=True)
class Side:
    """One person of the pair: their zone and weekly windows (none: working hours)."""

    person_id: str
    zone: str
    windows: tuple[Window, ...] = ()

    def hours(self) -> tuple[Window, ...]:
        if self.windows:
            return self.windows
        return tuple(Window(d, WORKING[0], WORKING[1], self.zone) for d in WORKDAYS)


@dataclass(frozen=True)
class Slot:
    at: datetime  # UTC
    outside_for: tuple[str, ...] = ()  # whose hours it falls outside (nearest options only)


@dataclass(frozen=True)
class Offer:
    """What to show: slots inside both people's hours, or (``overlap`` False) the nearest
    options, each saying for whom it is early or late; the card then also offers an
    asynchronous exchange, so there is never nothing to choose."""

    slots: tuple[Slot, ...]
    overlap: bool


Interval = tuple[datetime, datetime]


def intervals(side: Side, since: datetime, until: datetime) -> list[Interval]:
    """The side's windows as UTC intervals between ``since`` and ``until``."""
    found: list[Interval] = []
    for window in side.hours():
        zone = ZoneInfo(window.zone)
        first = since.astimezone(zone).date() - timedelta(days=1)
        last = until.astimezone(zone).date() + timedelta(days=1)
        day = first + timedelta(days=(window.weekday - first.weekday()) % 7)
        while day <= last:
            start = _instant(day, window.start, zone)
            end_day = day + timedelta(days=1) if window.end <= window.start else day
            end = _instant(end_day, window.end, zone)
            if end > since and start < until:
                found.append((start, end))
            day += timedelta(days=7)
    return sorted(found)


def _instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A wall time read in ``zone``: a time skipped by spring-forward moves forward, an
    ambiguous one takes its first occurrence (fold 0), as the series does."""
    # zoneinfo reads a skipped time with the offset before the change (fold 0): later
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def inside(at: datetime, minutes: int, spans: Sequence[Interval]) -> bool:
    end = at + timedelta(minutes=minutes)
    return any(start <= at and end <= stop for start, stop in spans)


def miss(at: datetime, minutes: int, spans: Sequence[Interval]) -> timedelta:
    """How far the session lies outside the intervals (zero when inside one)."""
    end = at + timedelta(minutes=minutes)
    best = timedelta.max
    for start, stop in spans:
        gap = max(start - at, timedelta()) + max(end - stop, timedelta())
        best = min(best, gap)
    return best


def clashes(at: datetime, minutes: int, taken: Iterable[tuple[datetime, int]]) -> bool:
    end = at + timedelta(minutes=minutes)
    return any(t < end and at < t + timedelta(minutes=m) for t, m in taken)


def _grid(now: datetime, horizon_days: int) -> list[datetime]:
    start = now.astimezone(UTC) + LEAD
    seconds = int(GRID.total_seconds())
    rest = int(start.timestamp()) % seconds
    first = (
        start
        + timedelta(seconds=(seconds - rest) % seconds)
        - timedelta(microseconds=start.microsecond)
    )
    until = now.astimezone(UTC) + timedelta(days=horizon_days)
    return [first + GRID * n for n in range(int((until - first) / GRID) + 1)]


def propose(
    a: Side,
    b: Side,
    *,
    minutes: int,
    taken: Sequence[tuple[datetime, int]],
    now: datetime,
    settings: SessionSettings = SessionSettings(),
    avoid: Iterable[datetime] = (),
) -> Offer:
    """``settings.slots_min``..``slots_max`` instants in both people's hours, over
    different days (``a``'s calendar days: the leader's), free for both; ``avoid`` are
    slots already offered that the pair asked to change. When their hours meet but every
    shared time is taken, the search looks twice as far before settling for less."""
    avoided = frozenset(x.astimezone(UTC) for x in avoid)
    offer = _offer(a, b, minutes, taken, now, settings, avoided)
    if offer.overlap or (not taken and not avoided):
        return offer
    further = dataclasses.replace(settings, horizon_days=settings.horizon_days * 2)
    if _offer(a, b, minutes, (), now, settings, frozenset()).overlap:  # only taken
        wider = _offer(a, b, minutes, taken, now, further, avoided)
        if wider.overlap:
            return wider
    return offer


def _offer(
    a: Side,
    b: Side,
    minutes: int,
    taken: Sequence[tuple[datetime, int]],
    now: datetime,
    settings: SessionSettings,
    avoided: frozenset[datetime],
) -> Offer:
    grid = _grid(now, settings.horizon_days)
    until = grid[-1] + timedelta(minutes=minutes) if grid else now
    spans_a, spans_b = intervals(a, now, until), intervals(b, now, until)
    free = [t for t in grid if not clashes(t, minutes, taken) and t not in avoided]
    both = [Slot(t) for t in free if inside(t, minutes, spans_a) and inside(t, minutes, spans_b)]
    if both:
        return Offer(_spread(both, a.zone, settings), overlap=True)
    nearest: list[tuple[timedelta, Slot]] = []
    for t in free:
        for mine, theirs, other in ((spans_a, spans_b, b), (spans_b, spans_a, a)):
            if inside(t, minutes, mine) and _awake(t, minutes, other.zone):
                gap = miss(t, minutes, theirs)
                if gap <= MAX_MISS:
                    nearest.append((gap, Slot(t, (other.person_id,))))
    # the least-bad time of each day (the leader's days), then the least-bad days
    nearest.sort(key=lambda x: (x[0], x[1].at))
    by_day: dict[date, tuple[timedelta, Slot]] = {}
    for gap, slot in nearest:
        by_day.setdefault(slot.at.astimezone(ZoneInfo(a.zone)).date(), (gap, slot))
    ranked = sorted(by_day.values(), key=lambda x: (x[0], x[1].at))
    chosen = sorted((s for _, s in ranked[: settings.slots_max]), key=lambda s: s.at)
    return Offer(tuple(chosen), overlap=False)


def _awake(at: datetime, minutes: int, zone: str) -> bool:
    local = at.astimezone(ZoneInfo(zone))
    end = (at + timedelta(minutes=minutes)).astimezone(ZoneInfo(zone))
    return local.date() == end.date() and AWAKE[0] <= local.time() and end.time() <= AWAKE[1]


def _spread(slots: Sequence[Slot], zone: str, settings: SessionSettings) -> tuple[Slot, ...]:
    """One slot per day, days spread evenly over the horizon; a second slot on a day only
    when there are fewer days than ``slots_min``. On a day, the first round hour wins."""
    by_day: dict[date, list[Slot]] = {}
    for slot in slots:
        by_day.setdefault(slot.at.astimezone(ZoneInfo(zone)).date(), []).append(slot)
    days = sorted(by_day)
    wanted = settings.slots_max
    if len(days) > wanted:
        step = (len(days) - 1) / (wanted - 1) if wanted > 1 else 0
        days = sorted({days[round(i * step)] for i in range(wanted)})
    chosen = [_best(by_day[d], zone) for d in days]
    extra = [s for d in days for s in _others(by_day[d], zone, chosen)]
    while len(chosen) < settings.slots_min and extra:
        chosen.append(extra.pop(0))
    return tuple(sorted(chosen, key=lambda s: s.at))


def _best(day: Sequence[Slot], zone: str) -> Slot:
    on_hour = [s for s in day if s.at.astimezone(ZoneInfo(zone)).minute == 0]
    # the middle of the shared hours, rounded to an hour: neither at dawn nor at dusk
    pool = on_hour or list(day)
    return pool[len(pool) // 2]


def _others(day: Sequence[Slot], zone: str, chosen: Sequence[Slot]) -> list[Slot]:
    """Other times on that day, at least two hours from the chosen ones, round hours first."""
    far = [s for s in day if all(abs(s.at - c.at) >= timedelta(hours=2) for c in chosen)]
    return sorted(far, key=lambda s: (s.at.astimezone(ZoneInfo(zone)).minute != 0, s.at))[:1]


def check_typed(
    at: datetime | None, minutes: int, a: Side, b: Side, *, now: datetime
) -> Problem | None:
    """A day and time a person typed: refused when malformed (None), past, or outside both
    people's hours; outside one person's hours is theirs to confirm."""
    if at is None:
        return "malformed"
    if at <= now:
        return "past"
    until = at + timedelta(minutes=minutes)
    ok_a = inside(at, minutes, intervals(a, at, until))
    ok_b = inside(at, minutes, intervals(b, at, until))
    if not ok_a and not ok_b:
        return "outside"
    return None


def outside_for(at: datetime, minutes: int, sides: Sequence[Side]) -> tuple[str, ...]:
    """Whose hours ``at`` falls outside."""
    until = at + timedelta(minutes=minutes)
    return tuple(s.person_id for s in sides if not inside(at, minutes, intervals(s, at, until)))


def local_instant(day: date, at: time, zone: str) -> datetime:
    """What a person typed (a day and a wall time in their zone) as a UTC instant."""
    return _instant(day, at, ZoneInfo(zone))
