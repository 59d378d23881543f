"""The privacy rules of reports, pure: thresholds raised only, primary and secondary
suppression, refused filters and breakdowns, and the batches answers enter in. Expected
values are worked out by hand in the comments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.reports.privacy import (
    RULES_KEY,
    Answer,
    Basis,
    Refusal,
    ThresholdRefused,
    Thresholds,
    batches,
    breakdown_refusal,
    in_period,
    remainder_refusal,
    suppress,
)

T0 = datetime(2027, 3, 1, 9, tzinfo=UTC)


def cells(threshold: int, **people: int) -> list[Basis]:
    return [Basis(g, n, 0 < n < threshold) for g, n in people.items()]


def test_default_thresholds() -> None:
    assert Thresholds() == Thresholds(answers=5, comments=10, people=5)
    assert Thresholds.of(None) == Thresholds.of({}) == Thresholds()


def test_a_program_raises_its_thresholds_but_never_lowers_them() -> None:
    rules = {RULES_KEY: {"answers": 8, "comments": 3, "people": 5, "other": 1}}
    assert Thresholds.of(rules) == Thresholds(answers=8, comments=10, people=5)
    # Garbage stored by hand falls back to the defaults.
    assert Thresholds.of({RULES_KEY: {"answers": "2", "people": True}}) == Thresholds()
    assert Thresholds.of({RULES_KEY: [1, 2]}) == Thresholds()


def test_raising_is_allowed_and_lowering_refused() -> None:
    raised = Thresholds().raised(answers=7)
    assert raised == Thresholds(answers=7)
    assert raised.stored() == {"answers": 7}
    assert raised.raised(answers=7) == raised  # the same value again is fine
    with pytest.raises(ThresholdRefused) as refused:
        raised.raised(answers=6)
    assert (refused.value.name, refused.value.why) == ("answers", "lower")
    with pytest.raises(ThresholdRefused) as unknown:
        raised.raised(nobody=9)
    assert unknown.value.why == "unknown"
    assert Thresholds().stored() == {}


def test_nothing_is_hidden_when_every_cell_is_big_enough() -> None:
    assert suppress(cells(5, a=5, b=6, c=12), 5) == {}


def test_groups_of_4_5_6_12_hide_the_4_and_then_the_5() -> None:
    # 4 < 5: hidden; alone it would be total - 5 - 6 - 12, so the next-smallest (5) goes too.
    assert suppress(cells(5, a=4, b=5, c=6, d=12), 5) == {"a": "few", "b": "secondary"}


def test_two_small_cells_that_together_stay_small_take_a_third() -> None:
    # 1 and 2 are hidden; together 3 < 5, so their sum is still a small group: hide 7.
    assert suppress(cells(5, a=1, b=2, c=7, d=30), 5) == {
        "a": "few",
        "b": "few",
        "c": "secondary",
    }


def test_two_small_cells_that_together_reach_the_threshold_are_enough() -> None:
    assert suppress(cells(5, a=2, b=3, c=7, d=30), 5) == {"a": "few", "b": "few"}


def test_ties_are_broken_by_group_name_so_every_run_hides_the_same_cell() -> None:
    assert suppress(cells(5, z=4, b=6, a=6, c=20), 5) == {"z": "few", "a": "secondary"}


def test_a_lone_small_cell_next_to_one_big_one_hides_both() -> None:
    assert suppress(cells(5, a=3, b=40), 5) == {"a": "few", "b": "secondary"}


def test_answer_cells_use_respondents_and_hide_zero_too() -> None:
    # An answer figure with nobody answering in a group is hidden as well (0 < 5).
    answers = [Basis("a", 0, True), Basis("b", 9, False), Basis("c", 6, False)]
    assert suppress(answers, 5) == {"a": "few", "c": "secondary"}


def test_a_breakdown_that_would_hide_every_group_is_refused() -> None:
    hidden = suppress(cells(5, a=3, b=40), 5)
    assert breakdown_refusal(hidden, ["a", "b"], 5) == Refusal("groups_too_small", 5)
    assert breakdown_refusal(suppress(cells(5, a=4, b=5, c=6), 5), ["a", "b", "c"], 5) is None
    # One group only: the breakdown is the total, nothing to refuse.
    assert breakdown_refusal({"a": "few"}, ["a"], 5) is None


@pytest.mark.parametrize(
    ("everyone", "kept", "refused"),
    [(30, 30, None), (30, 26, Refusal("small_remainder", 5, 4)), (30, 29, Refusal(
        "small_remainder", 5, 1)), (30, 25, None), (30, 0, None)],
)  # fmt: skip
def test_a_filter_that_leaves_out_one_to_four_people_is_refused(
    everyone: int, kept: int, refused: Refusal | None
) -> None:
    assert remainder_refusal(everyone, kept, 5) == refused


def answers(*people: str, start: datetime = T0) -> list[Answer]:
    return [Answer(p, start + timedelta(hours=n), n + 1) for n, p in enumerate(people)]


def test_answers_wait_until_five_new_people_answered() -> None:
    given = answers("a", "b", "c", "d")
    assert batches(given, 5) == {}
    fifth = answers("a", "b", "c", "d", "e")
    closed_at = T0 + timedelta(hours=4)
    assert batches(fifth, 5) == {
        1: closed_at,
        2: closed_at,
        3: closed_at,
        4: closed_at,
        5: closed_at,
    }


def test_the_same_person_twice_is_one_new_person() -> None:
    # a, b, a, c, d: four people; e makes five (the batch holds all six answers).
    given = answers("a", "b", "a", "c", "d")
    assert batches(given, 5) == {}
    assert len(batches(answers("a", "b", "a", "c", "d", "e"), 5)) == 6


def test_one_more_answer_after_a_batch_changes_nothing() -> None:
    ten = answers(*"abcdefghij")
    eleven = answers(*"abcdefghijk")
    assert batches(ten, 5) == batches(eleven, 5)
    assert len(batches(ten, 5)) == 10
    # Four more after the batch: still nothing new; the fifth new person closes it.
    assert batches(answers(*"abcdefghijklmn"), 5) == batches(ten, 5)
    assert len(batches(answers(*"abcdefghijklmno"), 5)) == 15


def test_answers_out_of_order_are_read_in_the_order_they_came() -> None:
    given = answers("a", "b", "c", "d", "e")
    assert batches(list(reversed(given)), 5) == batches(given, 5)


def test_a_raised_threshold_merges_batches_and_never_cuts_them_anew() -> None:
    # Cuts at the floor (5): after e, after j. At 6 the first piece (5 people) waits for
    # the second: one batch of ten closing at j, never a cut after f that would show the
    # difference between "up to f" and "up to e" (one answer).
    assert batches(answers(*"abcdef"), 6) == {}
    ten = batches(answers(*"abcdefghijkl"), 6)
    assert sorted(ten) == list(range(1, 11))
    assert set(ten.values()) == {T0 + timedelta(hours=9)}
    assert sorted(batches(answers(*"abcdefghijkl"), 5)) == list(range(1, 11))
    # At 12, two pieces of 5 are not enough; a third one (15 people) closes.
    assert batches(answers(*"abcdefghijkl"), 12) == {}
    assert len(batches(answers(*"abcdefghijklmno"), 12)) == 15


def test_a_period_holds_whole_batches() -> None:
    end = T0 + timedelta(days=1)
    assert in_period(T0, T0, end) and not in_period(end, T0, end)
    assert in_period(T0, None, None) and not in_period(T0 - timedelta(seconds=1), T0, None)
