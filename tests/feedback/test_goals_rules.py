"""The goals' and tips' rules, pure: when the mid-point comes, what "done" keeps, which tip
comes after which session, what a tip's text must be."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.feedback.goals import MIDPOINT_AT_THE_LATEST, achieved_at, midpoint_at, status_after
from bot.domain.feedback.tips import MAX_TIP_CHARS, Candidate, choose_tip, tip_problem

START = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def test_the_midpoint_is_half_way_to_the_program_s_end() -> None:
    # A four-month program: half-way, well before three months.
    mid = midpoint_at(START, date(2027, 5, 4), "Europe/Paris")
    assert START + timedelta(days=59) < mid < START + timedelta(days=61)


def test_the_midpoint_comes_three_months_after_the_start_at_the_latest() -> None:
    assert midpoint_at(START, date(2028, 1, 4), "Europe/Paris") == START + MIDPOINT_AT_THE_LATEST
    assert midpoint_at(START, None, "Europe/Paris") == START + MIDPOINT_AT_THE_LATEST
    # A pairing that starts after its program's end (an ended program's late pair).
    assert midpoint_at(START, date(2026, 12, 31), "Europe/Paris") == START + MIDPOINT_AT_THE_LATEST


def test_done_keeps_the_first_day_it_was_done_and_reopening_clears_it() -> None:
    first, later = START, START + timedelta(days=3)
    assert achieved_at("done", None, first) == first
    assert achieved_at("done", first, later) == first
    assert achieved_at("stuck", first, later) is None
    assert status_after("on_track") == "on_track"
    with pytest.raises(ValueError):
        status_after("open")


def test_tips_take_turns_between_skills_and_never_repeat_before_all_were_shown() -> None:
    tips = [Candidate(1, "seo"), Candidate(2, "seo"), Candidate(3, "seo"), Candidate(9, "ads")]
    shown = [choose_tip(tips, ["seo", "ads"], turn) for turn in range(1, 6)]
    assert shown == [1, 9, 2, 3, 1]
    assert choose_tip(tips, ["ads", "seo"], 1) == 9  # the mentee's order first
    assert choose_tip(tips, ["ai"], 1) is None  # no tip for these skills
    assert choose_tip([], ["seo"], 3) is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [("", "empty"), ("   ", "empty"), ("Try it", "short"), ("x" * (MAX_TIP_CHARS + 1), "long"),
     ("Open LinkedIn and read ten posts of your feed.", None)],
)  # fmt: skip
def test_a_tip_says_something_concrete_in_few_words(text: str, problem: str | None) -> None:
    assert tip_problem(text) == problem
