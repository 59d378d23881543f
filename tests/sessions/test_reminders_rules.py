"""When reminders go: the right local hour, never in quiet hours, merged, never twice.
Pairs in Paris, Montréal (Toronto's clock) and Singapore across the clock changes."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.quiet_hours import QuietHours
from bot.domain.sessions.reminders import MERGE_WITHIN, plan, target
from bot.domain.sessions.series import Rule, instant

PARIS, MONTREAL, SINGAPORE = "Europe/Paris", "America/Montreal", "Asia/Singapore"
DEFAULT = QuietHours(time(20), time(8), frozenset({5, 6}))
LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)


def local(at: datetime, zone: str) -> datetime:
    return at.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def test_a_midweek_afternoon_session_is_reminded_a_day_and_an_hour_before() -> None:
    start = instant(date(2027, 3, 31), time(14), PARIS)  # a Wednesday
    reminders = plan(start, (24, 1), zone=PARIS, quiet=DEFAULT, now=LONG_AGO)
    assert [(local(r.at, PARIS), r.hours) for r in reminders] == [
        (datetime(2027, 3, 30, 14), (24,)),
        (datetime(2027, 3, 31, 13), (1,)),
    ]


def test_a_day_before_means_the_same_wall_time_across_the_night_the_clocks_change() -> None:
    # Sunday 28 March 2027, 10:00 in Paris; the clocks sprang forward that night.
    start = instant(date(2027, 3, 28), time(10), PARIS)
    assert local(target(start, 24, PARIS), PARIS) == datetime(2027, 3, 27, 10)
    assert start - target(start, 24, PARIS) == timedelta(hours=23)


def test_an_early_session_is_announced_the_evening_before_quiet_hours_begin() -> None:
    start = instant(date(2027, 3, 31), time(8, 30), PARIS)  # Wednesday 08:30
    reminders = plan(start, (24, 1), zone=PARIS, quiet=DEFAULT, now=LONG_AGO)
    assert [(local(r.at, PARIS), r.hours) for r in reminders] == [
        (datetime(2027, 3, 30, 8, 30), (24,)),
        (datetime(2027, 3, 30, 19, 45), (1,)),  # the evening before, not 07:30
    ]


def test_two_reminders_that_land_together_merge_into_one() -> None:
    # Monday 08:30: both the Sunday 08:30 and the Monday 07:30 ones fall in the weekend's
    # quiet hours, so both move to Friday evening, where they become one message.
    start = instant(date(2027, 4, 5), time(8, 30), PARIS)
    reminders = plan(start, (24, 1), zone=PARIS, quiet=DEFAULT, now=LONG_AGO)
    assert [(local(r.at, PARIS), r.hours) for r in reminders] == [
        (datetime(2027, 4, 2, 19, 45), (24, 1))
    ]


def test_a_reminder_whose_moment_passed_is_not_planned() -> None:
    start = instant(date(2027, 3, 31), time(14), PARIS)
    now = start - timedelta(hours=5)
    assert [r.hours for r in plan(start, (24, 1), zone=PARIS, quiet=DEFAULT, now=now)] == [(1,)]
    assert plan(start, (24, 1), zone=PARIS, quiet=DEFAULT, now=start) == []


def test_without_quiet_hours_reminders_keep_their_hour() -> None:
    start = instant(date(2027, 4, 5), time(8, 30), PARIS)
    reminders = plan(start, (24, 1), zone=PARIS, quiet=None, now=LONG_AGO)
    assert [local(r.at, PARIS) for r in reminders] == [
        datetime(2027, 4, 4, 8, 30),
        datetime(2027, 4, 5, 7, 30),
    ]


ZONES = (PARIS, MONTREAL, SINGAPORE)


@settings(max_examples=300, deadline=None)
@given(
    day=st.dates(min_value=date(2027, 2, 20), max_value=date(2027, 11, 20)),
    minutes=st.integers(min_value=7 * 60, max_value=20 * 60),
    series_zone=st.sampled_from(ZONES),
    reader_zone=st.sampled_from(ZONES),
    hours=st.sampled_from([(24, 1), (48, 24, 1), (1,), (24,)]),
)
def test_no_reminder_in_quiet_hours_none_twice_none_after_the_start(
    day: date, minutes: int, series_zone: str, reader_zone: str, hours: tuple[int, ...]
) -> None:
    rule = Rule(time(minutes // 60, minutes % 60), series_zone, 7)
    for start in rule.expand(day, 3):  # three weeks, across whichever change is near
        reminders = plan(start, hours, zone=reader_zone, quiet=DEFAULT, now=LONG_AGO)
        offsets = [h for r in reminders for h in r.hours]
        assert sorted(offsets) == sorted(set(offsets))  # each offset at most once
        for reminder in reminders:
            assert not DEFAULT.is_quiet(reminder.at.astimezone(ZoneInfo(reader_zone)))
            assert reminder.at < start
        for first, second in itertools.pairwise(reminders):
            assert second.at - first.at >= MERGE_WITHIN
        for reminder in reminders:
            # Not moved: exactly at its wall-clock moment in the reader's zone.
            wanted = target(start, reminder.hours[-1], reader_zone)
            if not DEFAULT.is_quiet(wanted.astimezone(ZoneInfo(reader_zone))):
                assert reminder.at == wanted or len(reminder.hours) > 1


def test_paris_montreal_singapore_pair_across_the_changes_keeps_each_readers_hour() -> None:
    # A Paris series at 15:00 on Wednesdays through March: each reader's 24 h reminder is
    # at the session's own local hour on their clock, a day before.
    rule = Rule(time(15), PARIS, 7)
    for start in rule.expand(date(2027, 3, 3), 5):
        for zone in (PARIS, MONTREAL, SINGAPORE):
            reminders = plan(start, (24,), zone=zone, quiet=DEFAULT, now=LONG_AGO)
            session_local = local(start, zone)
            wanted = target(start, 24, zone)
            assert len(reminders) == 1
            seen = local(reminders[0].at, zone)
            if DEFAULT.is_quiet(wanted.astimezone(ZoneInfo(zone))):
                assert seen < session_local - timedelta(days=1)  # moved before, never after
                assert seen.time() == time(19, 45)
            else:
                assert seen == session_local - timedelta(days=1)
