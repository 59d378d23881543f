"""The pure enrollment rules: eligibility by career stage, open dates, valid answers."""

from __future__ import annotations

from datetime import date, time

from bot.domain.enrollment import (
    availability_problems,
    eligible_roles,
    enrollment_open,
    format_problem,
    initial_status,
    parse_capacity,
    parse_level,
    skills_problem,
)

RULES = {"eligibility": {"mentor": ["junior"], "mentee": ["director"]}}


def test_roles_follow_the_career_stage() -> None:
    assert eligible_roles(RULES, "junior") == ("mentor",)
    assert eligible_roles(RULES, "director") == ("mentee",)
    assert eligible_roles(RULES, "confirmed") == ()
    both = {"eligibility": {"mentor": ["junior", "manager"], "mentee": ["manager"]}}
    assert eligible_roles(both, "manager") == ("mentor", "mentee", "both")
    assert eligible_roles({}, "confirmed") == ("mentor", "mentee", "both")  # no rule: open
    assert eligible_roles(RULES, None) == ("mentor", "mentee", "both")  # not imported yet


def test_enrollment_closes_with_the_status_or_the_date() -> None:
    assert enrollment_open("open", date(2027, 1, 1), date(2027, 1, 1))
    assert not enrollment_open("open", date(2027, 1, 1), date(2027, 1, 2))
    assert not enrollment_open("closed", None, date(2027, 1, 1))
    assert not enrollment_open("draft", None, date(2027, 1, 1))


def test_levels_capacity_and_skills() -> None:
    assert [parse_level(v) for v in ("0", "1", "5", "6", "x")] == [None, 1, 5, None, None]
    assert [parse_capacity(v) for v in ("0", "1", "3", "4", "")] == [None, 1, 3, None, None]
    assert skills_problem(False, [], ["seo"]) is None
    problem = skills_problem(True, [], ["seo"])
    assert problem is not None and problem.code == "skills_required"
    problem = skills_problem(True, ["seo", "hacking"], ["seo"])
    assert problem is not None and problem.code == "unknown_choice"


def test_availability_windows_are_local_times_with_start_before_end() -> None:
    windows, problems = availability_problems(["1", "3"], "08:30", "09:30")
    assert problems == {} and windows is not None
    assert (windows.days, windows.start, windows.end) == ((1, 3), time(8, 30), time(9, 30))
    _, problems = availability_problems(["1"], "10:00", "10:00")
    assert problems["end"].code == "end_before_start"
    _, problems = availability_problems(["9"], "10:07", "11:00")
    assert set(problems) == {"days", "start"}


def test_format_and_status() -> None:
    assert format_problem("in_person", "")["location"].code == "location_required"
    assert format_problem("remote", "") == {}
    assert initial_status(True, None) == "pending"
    assert initial_status(False, "declined") == "active"  # a new try after a decline
    assert initial_status(True, "active") == "active"  # an edit keeps the approval
