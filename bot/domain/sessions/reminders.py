"""When each reminder of a session goes to one person.

A reminder "24 h before" means the same wall time a day earlier on the reader's clock (a
clock change that night must not move it to 09:00 for a 10:00 session); other offsets are
plain durations. A reminder that would land in the reader's quiet hours goes *before* they
begin (a session at 08:30 is announced the evening before, and a Monday one on Friday
evening); reminders that then land close together merge into one, at the later time.
A reminder whose moment has passed is not planned at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.quiet_hours import QuietHours

# Sent this long before quiet hours begin: pacing may delay a message by seconds, and a
# reminder pushed into quiet hours would wait until the morning.
MARGIN = timedelta(minutes=15)
# Two reminders closer than this say the same thing twice: one is enough.
MERGE_WITHIN = timedelta(hours=3)


@dataclass(frozen=True)
class Reminder:
    at: datetime  # UTC
    hours: tuple[int, ...]  # the offsets it stands for, largest first (merged: several)


def target(start: datetime, hours: int, zone: str) -> datetime:
    """The moment ``hours`` before ``start``; whole days on the reader's wall clock."""
    days, rest = divmod(hours, 24)
    tz = ZoneInfo(zone)
    local = start.astimezone(tz)
    day_before = datetime.combine(local.date() - timedelta(days=days), local.timetz())
    # fold=0 reads a wall time lost to a clock change forward, as the series does.
    return day_before.replace(tzinfo=tz, fold=0).astimezone(start.tzinfo) - timedelta(hours=rest)


def quiet_began(quiet: QuietHours, local: datetime) -> datetime:
    """When the quiet stretch holding ``local`` (a quiet moment) began, in its zone."""
    tz = local.tzinfo
    for _ in range(16):  # seven quiet days and a night each, at most
        clock = local.time().replace(tzinfo=None)
        if local.weekday() in quiet.days:
            began = datetime.combine(local.date(), time(0), tz)
        elif quiet.start <= quiet.end or clock >= quiet.start:
            began = datetime.combine(local.date(), quiet.start, tz)
        else:  # the early-morning part of a night that began yesterday
            began = datetime.combine(local.date() - timedelta(days=1), quiet.start, tz)
        just_before = (began.astimezone(ZoneInfo("UTC")) - timedelta(minutes=1)).astimezone(tz)
        if not quiet.is_quiet(just_before):
            return began
        local = just_before
    return local  # a week of quiet: give up stepping, the caller checks


def before_quiet(at: datetime, quiet: QuietHours | None, zone: str) -> datetime | None:
    """``at`` if it is not quiet for the reader, else a moment before their quiet hours
    begin; None if every moment of the last week is quiet (nothing sensible to do)."""
    if quiet is None:
        return at
    tz = ZoneInfo(zone)
    local = at.astimezone(tz)
    if not quiet.is_quiet(local):
        return at
    began = quiet_began(quiet, local)
    moved = began.astimezone(at.tzinfo) - MARGIN
    return moved if not quiet.is_quiet(moved.astimezone(tz)) else None


def plan(
    start: datetime,
    hours: Sequence[int],
    *,
    zone: str,
    quiet: QuietHours | None,
    now: datetime,
) -> list[Reminder]:
    """The reminders one reader gets before a session at ``start``, in time order."""
    moved: list[tuple[datetime, int]] = []
    for offset in sorted(set(hours), reverse=True):
        if offset <= 0:
            continue
        at = before_quiet(target(start, offset, zone), quiet, zone)
        if at is not None and now <= at < start:
            moved.append((at, offset))
    moved.sort()
    merged: list[Reminder] = []
    for at, offset in moved:
        if merged and at - merged[-1].at < MERGE_WITHIN:
            merged[-1] = Reminder(at, tuple(sorted((*merged[-1].hours, offset), reverse=True)))
        else:
            merged.append(Reminder(at, (offset,)))
    return merged


def did_it_happen_at(start: datetime, minutes: int, after_minutes: int) -> datetime:
    """When both are asked "did it happen?": a while after the session's end."""
    return start + timedelta(minutes=minutes + after_minutes)
