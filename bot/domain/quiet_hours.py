"""Quiet hours: when proactive messages wait. Stored and evaluated as local clock times."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class QuietHours:
    """A nightly window (may wrap past midnight) plus whole quiet days, in a person's zone."""

    start: time
    end: time
    days: frozenset[int]  # 0 = Monday, as datetime.weekday()

    @classmethod
    def parse(cls, text: str) -> QuietHours | None:
        """Parse ``20:00-08:00,sat,sun``; ``off`` means no quiet hours."""
        text = text.strip().lower()
        if text in ("off", "none", ""):
            return None
        window, *day_names = (part.strip() for part in text.split(","))
        try:
            start_s, end_s = window.split("-")
            start, end = time.fromisoformat(start_s), time.fromisoformat(end_s)
        except ValueError as exc:
            raise ValueError(f"expected HH:MM-HH:MM[,day…] or off, got {text!r}") from exc
        days: set[int] = set()
        for name in day_names:
            if name not in WEEKDAYS:
                raise ValueError(f"unknown day {name!r} (use {', '.join(WEEKDAYS)})")
            days.add(WEEKDAYS.index(name))
        return cls(start=start, end=end, days=frozenset(days))

    def __str__(self) -> str:
        days = "".join(f",{WEEKDAYS[d]}" for d in sorted(self.days))
        return f"{self.start:%H:%M}-{self.end:%H:%M}{days}"

    def is_quiet(self, local: datetime) -> bool:
        if local.weekday() in self.days:
            return True
        clock = local.time().replace(tzinfo=None)
        if self.start <= self.end:
            return self.start <= clock < self.end
        return clock >= self.start or clock < self.end

    def next_allowed(self, instant: datetime, zone: str) -> datetime:
        """The first instant at or after ``instant`` (aware) outside quiet hours in ``zone``."""
        tz = ZoneInfo(zone)
        local = instant.astimezone(tz)
        # Quiet periods end on a minute boundary; step to the next "end" candidate at most
        # eight times (seven quiet days plus a night) instead of scanning minute by minute.
        for _ in range(9):
            if not self.is_quiet(local):
                return local.astimezone(instant.tzinfo)
            if local.weekday() in self.days:
                local = datetime.combine(local.date() + timedelta(days=1), time(0), tz)
                continue
            end_today = datetime.combine(local.date(), self.end, tz)
            local = end_today if end_today > local else end_today + timedelta(days=1)
        return local.astimezone(instant.tzinfo)
