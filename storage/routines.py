"""Recurring jobs, declared by capabilities and fired by the scheduler as due actions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.triggers.cron import CronTrigger

from storage.due_runner import Handler

MAX_FIRES_SCANNED = 100_000  # bounds latest_fire_time on a per-second cron


@dataclass(frozen=True)
class Routine:
    """A recurring job: ``trigger`` holds CronTrigger arguments, ``fn`` handles each fire.

    ``fn`` runs as a due action of kind ``routine.<name>``; ``action.due_at`` is the fire
    time. The cron trigger's time zone defaults to the Ticker's.
    """

    name: str
    trigger: Mapping[str, Any]
    fn: Handler
    payload: Mapping[str, Any] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return f"routine.{self.name}"

    def key(self, fire_time: datetime) -> str:
        return f"routine.{self.name}@{fire_time.astimezone(UTC).isoformat()}"


def latest_fire_time(trigger: CronTrigger, now: datetime, lookback: timedelta) -> datetime | None:
    """The last time ``trigger`` fired at or before ``now``, looking back ``lookback``."""
    latest: datetime | None = None
    fire = trigger.get_next_fire_time(None, now - lookback)
    for _ in range(MAX_FIRES_SCANNED):
        if fire is None or fire > now:
            break
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
    return latest.astimezone(UTC) if latest is not None else None
