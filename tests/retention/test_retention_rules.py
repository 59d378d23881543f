"""The retention rules, pure: the day texts are erased, the instant in the program's zone,
the periods an admin may type, and when the nightly routine queues an erasure."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.retention import (
    ERASE,
    HORIZON,
    EraseTexts,
    Texts,
    add_months,
    erase_at,
    erase_on,
    months_problem,
    when_to_queue,
)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2027, 1, 15), 1, date(2027, 2, 15)),
        (date(2027, 1, 31), 1, date(2027, 2, 28)),  # kept inside February
        (date(2027, 1, 30), 1, date(2027, 2, 28)),
        (date(2027, 2, 28), 1, date(2027, 3, 31)),  # a month's end stays its end
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2027, 6, 30), 6, date(2027, 12, 31)),
        (date(2027, 12, 31), 12, date(2028, 12, 31)),
        (date(2027, 11, 10), 120, date(2037, 11, 10)),
    ],
)
def test_months_are_added_as_people_count_them(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_texts_go_at_midnight_after_the_last_kept_day_in_the_program_s_zone() -> None:
    assert erase_on(date(2027, 6, 30), 12) == date(2028, 7, 1)
    assert erase_at(date(2027, 6, 30), 12, "Europe/Paris") == datetime(2028, 6, 30, 22, tzinfo=UTC)
    assert erase_at(date(2027, 12, 31), 1, "Europe/Paris") == datetime(2028, 1, 31, 23, tzinfo=UTC)
    assert erase_at(date(2027, 6, 30), 12, "America/Montreal") == datetime(
        2028, 7, 1, 4, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("1", None), ("12", None), (" 120 ", None), ("0", "out_of_range"),
        ("121", "out_of_range"), ("9999999999999", "out_of_range"), ("", "not_a_number"),
        ("six", "not_a_number"), ("12.5", "not_a_number"), ("-1", "not_a_number"),
        ("+6", "not_a_number"), ("١٢", "not_a_number"), ("²", "not_a_number"),
    ],
)  # fmt: skip
def test_the_period_is_a_whole_number_of_months_from_1_to_120(
    typed: str, problem: str | None
) -> None:
    assert months_problem(typed) == problem


def test_the_routine_queues_what_falls_due_before_its_next_runs_and_only_with_text() -> None:
    now = datetime(2028, 6, 1, 1, 20, tzinfo=UTC)
    soon, later, past = now + timedelta(hours=20), now + HORIZON + timedelta(hours=1), now - HORIZON
    assert when_to_queue(soon, now, 3) == soon
    assert when_to_queue(later, now, 3) is None
    assert when_to_queue(past, now, 3) == now  # late: at once
    assert when_to_queue(past, now, 0) is None and when_to_queue(soon, now, 0) is None


def test_counts_total_every_text_once_and_the_key_names_program_and_instant() -> None:
    texts = Texts(learned=2, comments=1, pulse_comments=2, changed=2, testimonials=2, thanks=1,
                  decline_reasons=1, end_reasons=1, quotable=1)  # fmt: skip
    assert texts.total == 12  # quotable testimonials are among the testimonials
    assert texts.counts()["quotable"] == 1
    at = "2028-06-30T22:00:00+00:00"
    assert ERASE.key_of(EraseTexts(7, at)) == f"retention:7:{at}"
    assert ERASE.load(ERASE.dump(EraseTexts(7, at))) == EraseTexts(7, at)
