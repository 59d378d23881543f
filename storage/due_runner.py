"""Drains the due-action queue: claim a batch, run each handler outside the claim, record.

Later capabilities add handlers to a ``DueHandlers`` registry; none of them runs a timer.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from bot.domain.clock import Clock
from storage.queue import ClaimedAction, DueQueue
from storage.types import new_opaque_id

log = structlog.get_logger("tandem.due")

Handler = Callable[[ClaimedAction], Awaitable[None]]


class Wait(Exception):
    """Raised by a handler: the action cannot run until something outside the queue
    happens. It is kept, neither done nor failed, until ``release_waiting(reason)``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class DueHandlers(dict[str, Handler]):
    """Which handler runs each kind of due action."""

    def register(self, kind: str) -> Callable[[Handler], Handler]:
        """Decorator: ``@handlers.register("reminder.checkin")``."""

        def add(handler: Handler) -> Handler:
            if kind in self:
                raise ValueError(f"a handler for due actions of kind {kind!r} already exists")
            self[kind] = handler
            return handler

        return add


@dataclass(frozen=True)
class DrainReport:
    done: int = 0
    retried: int = 0
    parked: int = 0
    lost: int = 0  # another claimer took the action over before we finished it
    waiting: int = 0  # kept until released (see ``Wait``)

    def __add__(self, other: DrainReport) -> DrainReport:
        return DrainReport(
            self.done + other.done,
            self.retried + other.retried,
            self.parked + other.parked,
            self.lost + other.lost,
            self.waiting + other.waiting,
        )


def default_owner() -> str:
    """Unique per runner: host and pid say who it was, the suffix tells restarts apart."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{new_opaque_id()[:8]}"


class DueRunner:
    def __init__(
        self,
        queue: DueQueue,
        handlers: Mapping[str, Handler],
        owner: str | None = None,
        lease: timedelta = timedelta(minutes=5),
        batch: int = 100,
        *,
        clock: Clock,
    ) -> None:
        self.queue = queue
        self.clock = clock  # business time: what "due now" means (leases use the queue's)
        self.handlers = handlers
        self.owner = owner or default_owner()
        self.lease = lease
        self.batch = batch
        self._own: dict[str, Handler] = {}
        self._stopping = False

    def register(self, kind: str, handler: Handler) -> None:
        """Add a handler this runner alone knows (the Clock's routines)."""
        if kind in self.handlers or kind in self._own:
            raise ValueError(f"a handler for due actions of kind {kind!r} already exists")
        self._own[kind] = handler

    @property
    def stopping(self) -> bool:
        return self._stopping

    def stop(self) -> None:
        """Finish the action in hand and claim no more (the rest go back on ``release``)."""
        self._stopping = True

    async def drain(self, now: datetime | None = None) -> DrainReport:
        """Run everything due at ``now`` (default: the business clock), batch after batch.

        ``now`` stays fixed for the whole drain, so a retried action (due later) is not
        picked up again, while an action a handler enqueues for ``now`` is.
        """
        at = now or self.clock.now()
        report = DrainReport()
        while not self._stopping:
            claimed = await self.queue.claim(self.owner, at, self.batch, self.lease)
            if not claimed:
                break
            for action in claimed:
                if self._stopping:
                    break
                report += await self._run(action, at)
        return report

    async def _run(self, action: ClaimedAction, at: datetime) -> DrainReport:
        if action.attempts > action.max_attempts:
            # Only lease takeovers count past the limit: claimers died holding it (e.g. a
            # handler that kills its process). Park it rather than kill the next one.
            error = f"lease expired {action.attempts - 1} times without an outcome"
            parked = await self.queue.park(action.id, self.owner, error, at)
            return DrainReport(parked=1) if parked else DrainReport(lost=1)
        handler = self._own.get(action.kind) or self.handlers.get(action.kind)
        if handler is None:
            parked = await self.queue.park(
                action.id, self.owner, f"no handler registered for kind {action.kind!r}", at
            )
            return DrainReport(parked=1) if parked else DrainReport(lost=1)
        try:
            await handler(action)
        except Wait as wait:
            waiting = await self.queue.wait(action.id, self.owner, wait.reason)
            return DrainReport(waiting=1) if waiting else DrainReport(lost=1)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            log.warning(
                "due_action.failed",
                id=action.id,
                kind=action.kind,
                attempt=action.attempts,
                error=error[:500],
            )
            outcome = await self.queue.fail(action.id, self.owner, error, at)
            return DrainReport(
                retried=int(outcome == "retried"),
                parked=int(outcome == "parked"),
                lost=int(outcome == "lost"),
            )
        if await self.queue.complete(action.id, self.owner):
            return DrainReport(done=1)
        log.warning("due_action.lease_lost", id=action.id, kind=action.kind)
        return DrainReport(lost=1)
