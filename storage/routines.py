"""Recurring jobs, declared by capabilities and fired by the scheduler as due actions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.triggers.cron import CronTrigger

from storage.due_runner import Handler
from storage.queue import DueQueue

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


def cron_trigger(routine: Routine, timezone: str) -> CronTrigger:
    """The routine's schedule; its own time zone, else ``timezone`` (the deployment's)."""
    return CronTrigger(**{"timezone": timezone, **routine.trigger})


def fire_times(trigger: CronTrigger, start: datetime, end: datetime) -> list[datetime]:
    """Every time ``trigger`` fires from ``start`` to ``end`` (both included), in UTC."""
    fires: list[datetime] = []
    fire = trigger.get_next_fire_time(None, start)
    for _ in range(MAX_FIRES_SCANNED):
        if fire is None or fire > end:
            break
        fires.append(fire.astimezone(UTC))
        fire = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
    return fires


def latest_fire_time(trigger: CronTrigger, now: datetime, lookback: timedelta) -> datetime | None:
    """The last time ``trigger`` fired at or before ``now``, looking back ``lookback``."""
    fires = fire_times(trigger, now - lookback, now)
    return fires[-1] if fires else None


async def enqueue_fire(queue: DueQueue, routine: Routine, fire_time: datetime) -> bool:
    """Enqueue ``routine``'s action for ``fire_time``; False if one already exists (the key
    is the routine and the fire time, so replicas and the demo's clock enqueue it once)."""
    async with queue.database.unit_of_work() as session:
        return await queue.enqueue(
            session,
            routine.kind,
            routine.key(fire_time),
            fire_time,
            {"routine": routine.name, **routine.payload},
        )
