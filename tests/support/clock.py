"""Tests read business time from their own clock, never from the calendar."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.clock import ManualClock

# A Tuesday at noon in Paris (inside working hours, outside quiet hours), near the time the
# tests were written: the programs they create run in 2027.
T0 = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)


def fixed_clock(at: datetime = T0) -> ManualClock:
    """A clock of the test's own, standing at ``at`` until the test moves it."""
    return ManualClock(at)
