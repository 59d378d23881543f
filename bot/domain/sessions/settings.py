"""A program's sessions settings: what an admin may change, and the defaults."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CADENCE_DAYS: Mapping[str, int] = {"weekly": 7, "biweekly": 14, "monthly": 28}


@dataclass(frozen=True)
class SessionSettings:
    """Stored in ``programs.session_settings`` as the keys an admin changed."""

    # Slots for a session: how many, within how many days.
    slots_min: int = 3
    slots_max: int = 5
    horizon_days: int = 14
    # Reminders before a session, in hours; "did it happen?" this long after its end.
    reminder_hours: tuple[int, ...] = (24, 1)
    did_it_happen_after_minutes: int = 60
    # Nudges (bot.domain.sessions.nudges).
    no_session_after_days: int = 3
    nudges_per_week: int = 2
    ignored_nudges_before_alert: int = 2
    dormant_cadences: int = 2  # no session for this many cadences: the pair is dormant
    at_risk_after_dormant_days: int = 21
    # Read people's free/busy (Microsoft 365 or Google) when a provider is configured, for
    # those who did not say "don't read my calendar".
    read_calendars: bool = True

    @classmethod
    def of(cls, stored: Mapping[str, Any] | None) -> SessionSettings:
        """The program's settings; unknown keys (a newer version's) are ignored."""
        known = {f.name: f for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        for name, value in (stored or {}).items():
            if name in known:
                values[name] = tuple(value) if isinstance(value, list) else value
        return cls(**values)

    def changed(self) -> dict[str, Any]:
        """Only what differs from the defaults: what ``programs.session_settings`` stores."""
        default = SessionSettings()
        return {
            f.name: list(v) if isinstance(v := getattr(self, f.name), tuple) else v
            for f in dataclasses.fields(self)
            if getattr(self, f.name) != getattr(default, f.name)
        }


def cadence_days(*preferences: str | None, program: str) -> int:
    """The slower of the two people's preferred cadences, else the program's."""
    given = [CADENCE_DAYS[p] for p in preferences if p is not None and p in CADENCE_DAYS]
    return max(given) if given else CADENCE_DAYS.get(program, CADENCE_DAYS["biweekly"])
