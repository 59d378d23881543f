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


# What an admin may set each number to: (lowest, highest). The slot card shows 5 at most.
BOUNDS: Mapping[str, tuple[int, int]] = {
    "slots_min": (1, 5),
    "slots_max": (1, 5),
    "horizon_days": (3, 60),
    "did_it_happen_after_minutes": (0, 24 * 60),
    "no_session_after_days": (1, 60),
    "nudges_per_week": (0, 7),
    "ignored_nudges_before_alert": (1, 10),
    "dormant_cadences": (1, 12),
    "at_risk_after_dormant_days": (1, 365),
}
REMINDER_HOURS_MAX = 7 * 24
ON, OFF = frozenset({"on", "yes", "true"}), frozenset({"off", "no", "false"})


class SettingError(ValueError):
    """A name or value an admin typed that cannot be a setting; the message says why."""


def shown(value: Any) -> str:
    """A setting as typed back: ``24,1``, ``on``, ``3``."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value) or "none"
    return str(value)


def with_setting(settings: SessionSettings, name: str, text: str) -> SessionSettings:
    """``settings`` with ``name`` set from what an admin typed; SettingError otherwise."""
    value: Any
    typed = text.strip().lower()
    if name == "reminder_hours":
        parts = [p.strip() for p in typed.split(",")] if typed not in ("", "none") else []
        if not all(p.isdigit() and 1 <= int(p) <= REMINDER_HOURS_MAX for p in parts):
            raise SettingError(
                f"reminder_hours is hours before a session, from 1 to {REMINDER_HOURS_MAX}, "
                f"separated by commas (or none): {text!r}"
            )
        value = tuple(sorted({int(p) for p in parts}, reverse=True))
    elif name == "read_calendars":
        if typed not in ON | OFF:
            raise SettingError(f"read_calendars is on or off: {text!r}")
        value = typed in ON
    elif name in BOUNDS:
        low, high = BOUNDS[name]
        if not (typed.isdigit() and low <= int(typed) <= high):
            raise SettingError(f"{name} is a whole number from {low} to {high}: {text!r}")
        value = int(typed)
    else:
        names = ", ".join(f.name for f in dataclasses.fields(SessionSettings))
        raise SettingError(f"no setting {name!r}; the settings are {names}")
    changed = dataclasses.replace(settings, **{name: value})
    if changed.slots_min > changed.slots_max:
        raise SettingError(
            f"slots_min ({changed.slots_min}) cannot exceed slots_max ({changed.slots_max})"
        )
    return changed
