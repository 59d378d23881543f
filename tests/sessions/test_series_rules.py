"""The series' clock rule at the clock changes: Paris, Toronto, and a pair across both."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.sessions.series import (
    Rule,
    instant,
    local_shift,
    parse_local,
    time_problem,
    wall_time,
)

PARIS, TORONTO, MONTREAL, SINGAPORE = (
    "Europe/Paris",
    "America/Toronto",
    "America/Montreal",
    "Asia/Singapore",
)


def local(at: datetime, zone: str) -> datetime:
    return at.astimezone(ZoneInfo(zone))


def test_a_weekly_session_keeps_its_paris_hour_across_the_spring_change() -> None:
    # Europe/Paris springs forward on Sunday 28 March 2027.
    rule = Rule(time(10), PARIS, 7)
    sessions = rule.expand(date(2027, 3, 22), 3)
    assert [local(s, PARIS).hour for s in sessions] == [10, 10, 10]
    # The UTC instant moves by the hour the clocks moved.
    assert sessions[1] - sessions[0] == timedelta(days=7, hours=-1)


def test_a_nonexistent_time_moves_forward_in_paris_and_toronto() -> None:
    paris = instant(date(2027, 3, 28), time(2, 30), PARIS)
    assert local(paris, PARIS).time() == time(3, 30)
    toronto = instant(date(2027, 3, 14), time(2, 30), TORONTO)
    assert local(toronto, TORONTO).time() == time(3, 30)


def test_an_ambiguous_time_takes_the_first_occurrence() -> None:
    paris = instant(date(2027, 10, 31), time(2, 30), PARIS)
    assert paris == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # 02:30 CEST, not CET
    toronto = instant(date(2027, 11, 7), time(1, 30), TORONTO)
    assert toronto == datetime(2027, 11, 7, 5, 30, tzinfo=UTC)  # 01:30 EDT, not EST


def test_the_next_session_follows_the_cadence_in_the_series_zone() -> None:
    rule = Rule(time(9, 15), TORONTO, 14)
    previous = instant(date(2027, 3, 4), time(9, 15), TORONTO)  # before Toronto's change
    following = rule.after(previous)
    assert local(following, TORONTO).replace(tzinfo=None) == datetime(2027, 3, 18, 9, 15)


def test_a_pair_across_paris_and_montreal_sees_the_shift_on_one_side_only() -> None:
    # The series lives in Paris at 16:00; Montréal changes on 14 March, Paris on 28 March.
    rule = Rule(time(16), PARIS, 7)
    weeks = rule.expand(date(2027, 3, 8), 4)  # 8, 15, 22, 29 March
    montreal_hours = [local(s, MONTREAL).hour for s in weeks]
    assert montreal_hours == [10, 11, 11, 10]
    assert [local(s, PARIS).hour for s in weeks] == [16, 16, 16, 16]
    shifts = [local_shift(a, b, MONTREAL) for a, b in itertools.pairwise(weeks)]
    assert shifts == [timedelta(hours=1), timedelta(0), timedelta(hours=-1)]
    # The Paris side never moves; Singapore has no clock change but sees Paris's.
    assert {local_shift(a, b, PARIS) for a, b in itertools.pairwise(weeks)} == {timedelta(0)}
    assert local_shift(weeks[2], weeks[3], SINGAPORE) == timedelta(hours=-1)


@settings(max_examples=200, deadline=None)
@given(
    day=st.dates(min_value=date(2026, 1, 1), max_value=date(2030, 12, 31)),
    minutes=st.integers(min_value=0, max_value=24 * 60 - 1),
    zone=st.sampled_from([PARIS, TORONTO, SINGAPORE]),
    cadence=st.sampled_from([7, 14, 28]),
)
def test_every_session_of_a_series_is_at_its_wall_time_or_just_after_a_gap(
    day: date, minutes: int, zone: str, cadence: int
) -> None:
    wall = time(minutes // 60, minutes % 60)
    rule = Rule(wall, zone, cadence)
    previous = instant(day, wall, zone)
    for _ in range(4):
        following = rule.after(previous)
        seen = wall_time(following, zone)
        assert local(following, zone).date() == local(previous, zone).date() + timedelta(
            days=cadence
        )
        gap = datetime.combine(date.min, seen) - datetime.combine(date.min, wall)
        assert gap in (timedelta(0), timedelta(hours=1))  # only a lost hour moves it
        previous = following


@pytest.mark.parametrize(
    ("day", "clock", "problem"),
    [
        ("2027-02-30", "10:00", "malformed"),
        ("tomorrow", "10:00", "malformed"),
        ("2027-03-02", "25:00", "malformed"),
        ("2026-11-30", "10:00", "past"),
        ("2027-12-01", "10:00", "too_far"),
        ("2026-12-07", "06:30", "outside_hours"),  # 06:30 in Paris
        ("2026-12-07", "09:00", "outside_hours"),  # 03:00 in Montréal
    ],
)
def test_a_typed_time_that_cannot_be_a_session_says_why(day: str, clock: str, problem: str) -> None:
    now = datetime(2026, 12, 1, 11, tzinfo=UTC)
    start = parse_local(day, clock, PARIS)
    found = (
        start
        if not isinstance(start, datetime)
        else time_problem(start, 45, (PARIS, MONTREAL), now)
    )
    assert found is not None and found.code == problem


def test_a_typed_time_inside_both_peoples_hours_is_accepted() -> None:
    now = datetime(2026, 12, 1, 11, tzinfo=UTC)
    start = parse_local("2026-12-07", "16:00", PARIS)
    assert isinstance(start, datetime)
    assert time_problem(start, 45, (PARIS, MONTREAL), now) is None
