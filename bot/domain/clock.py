"""Business time: the one clock the program's rules read.

Everything that decides *when* in the program's terms (a proposal's expiry, a reminder, quiet
hours, a pause that ends, the date a text was published) reads ``Clock.now()``. The server
and the CLI provide the system clock, ``tandem demo`` a clock its user moves forward, tests
a clock of their own. Leases and timeouts are not business time: they keep the real clock,
so moving the demo's clock never expires a lease.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, aware, in UTC."""
        ...


class ManualClock:
    """A clock that stands still until told otherwise (``tandem due run --at``, tests)."""

    def __init__(self, at: datetime) -> None:
        self._at = _aware(at)

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        self._at = _aware(at)

    def advance(self, delta: timedelta) -> datetime:
        self._at += delta
        return self._at


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("a clock holds aware instants")
    return at.astimezone(UTC)
