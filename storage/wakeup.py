"""Waking the due-action runner when work falls due, rather than at its next poll.

A unit of work that queues an action (or makes one due again) notes the due time on its
session (``announce``); once it commits, and only then, since the runner must see the row,
the process's ``Wakeup`` rings each runner's ``Alarm``. On PostgreSQL the same transaction
sends a NOTIFY, which PostgreSQL delivers at commit and drops on rollback; every other
replica's ``DueListener`` rings its own alarms. A runner also sets its alarm for the next
action due before its poll (a reminder due in 2 s). The poll stays as the fallback: a lost
notification delays work by one poll interval, never loses it.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import structlog
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Session

from bot.domain.clock import Clock
from storage.types import new_opaque_id, utcnow

log = structlog.get_logger("tandem.wakeup")

CHANNEL = "tandem_due"
# Actions due further ahead than this are not announced to other replicas: their own polls
# find them in time (an inbound record's recovery, 2 minutes ahead, would otherwise send a
# notification per event).
NOTIFY_HORIZON = timedelta(minutes=1)
LISTENER_NAME = "tandem-due-listener"  # in pg_stat_activity
TIMER_MARGIN_S = 0.001  # event-loop timers may fire a hair early
_PENDING = "tandem.due_announced"  # session.info: (Wakeup, soonest due time) until commit


class Alarm:
    """One runner's: the soonest due time announced since it last woke."""

    def __init__(self) -> None:
        self.soonest: datetime | None = None
        self._waiter: asyncio.Future[None] | None = None
        self._wake_at: datetime | None = None  # business time the current sleep ends

    def ring(self, due_at: datetime) -> None:
        if self.soonest is None or due_at < self.soonest:
            self.soonest = due_at
        waiter = self._waiter
        # Only what falls due before the sleep would end anyway cuts it short.
        if (
            waiter is not None
            and not waiter.done()
            and (self._wake_at is None or due_at < self._wake_at)
        ):
            waiter.set_result(None)

    async def sleep(self, clock: Clock, seconds: float) -> None:
        """Return after ``seconds``, or as soon as an announced action is due by ``clock``."""
        deadline = time.monotonic() + seconds
        loop = asyncio.get_running_loop()
        unmoved: datetime | None = None  # waited for it, yet the clock stood still (a test's)
        while True:
            now = clock.now()
            if self.soonest is not None and self.soonest <= now:
                self.soonest = None
                return
            left = deadline - time.monotonic()
            if left <= 0:
                return
            aim = self.soonest if self.soonest != unmoved else None
            if aim is not None:
                left = min(left, (aim - now).total_seconds() + TIMER_MARGIN_S)
            self._wake_at = now + timedelta(seconds=left)
            self._waiter = loop.create_future()
            try:
                await asyncio.wait_for(self._waiter, left)
            except TimeoutError:
                unmoved = aim
            finally:
                self._waiter = self._wake_at = None


class Wakeup:
    """One per database engine in a process: rings the alarms of the runners on it."""

    def __init__(self) -> None:
        self.token = new_opaque_id()[:12]  # tells this process's notifications apart
        self.alarms: set[Alarm] = set()

    def alarm(self) -> Alarm:
        alarm = Alarm()
        self.alarms.add(alarm)
        return alarm

    def forget(self, alarm: Alarm) -> None:
        self.alarms.discard(alarm)

    def ring(self, due_at: datetime) -> None:
        for alarm in list(self.alarms):
            alarm.ring(due_at)

    def payload(self, due_at: datetime) -> str:
        return f"{self.token} {due_at.isoformat()}"

    def heard(self, payload: str) -> None:
        """A NOTIFY from a replica (this process's own were rung at commit already)."""
        token, _, due = payload.partition(" ")
        if token == self.token:
            return
        try:
            due_at = datetime.fromisoformat(due)
        except ValueError:
            log.warning("wakeup.bad_payload", size=len(payload))
            return
        self.ring(due_at)


_WAKEUPS: weakref.WeakKeyDictionary[Engine, Wakeup] = weakref.WeakKeyDictionary()


def wakeup_for(engine: AsyncEngine | Engine) -> Wakeup:
    sync = engine.sync_engine if isinstance(engine, AsyncEngine) else engine
    found = _WAKEUPS.get(sync)
    if found is None:
        found = _WAKEUPS[sync] = Wakeup()
    return found


def notify_clause(wakeup: Wakeup, due_at: datetime, dialect: str) -> Any | None:
    """``pg_notify(...)`` for a RETURNING clause or a SELECT, or None when not worth it."""
    if dialect != "postgresql" or due_at > utcnow() + NOTIFY_HORIZON:
        return None
    return func.pg_notify(CHANNEL, wakeup.payload(due_at))


async def announce(session: AsyncSession, due_at: datetime, *, notified: bool = False) -> None:
    """Wake the runners at commit for an action due at ``due_at`` (inside the caller's unit
    of work). ``notified``: the caller's statement already sent the NOTIFY."""
    connection = await session.connection()
    wakeup = wakeup_for(connection.engine)
    pending = session.info.get(_PENDING)
    soonest = due_at if pending is None else min(pending[1], due_at)
    session.info[_PENDING] = (wakeup, soonest)
    if not notified:
        clause = notify_clause(wakeup, due_at, connection.dialect.name)
        if clause is not None:
            await session.execute(select(clause))


@event.listens_for(Session, "after_commit")
def _ring_after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending is not None:
        wakeup, soonest = pending
        wakeup.ring(soonest)


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def listener_dsn(url: str) -> str:
    """asyncpg's DSN for SQLAlchemy's ``postgresql+asyncpg://`` URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class DueListener:
    """LISTENs on a connection of its own and rings ``wakeup`` on each NOTIFY; reconnects
    when the connection drops (a restart, a failover, ``pg_terminate_backend``)."""

    def __init__(
        self,
        url: str,
        wakeup: Wakeup,
        *,
        check_every: float = 5.0,
        retry_first: float = 0.2,
        retry_cap: float = 5.0,
    ) -> None:
        self.dsn = listener_dsn(url)
        self.wakeup = wakeup
        self.check_every = check_every  # a silent drop is noticed within this
        self.retry_first = retry_first
        self.retry_cap = retry_cap
        self.connections = 0  # how many times it has connected (tests watch reconnection)
        self.listening = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    def _heard(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        self.wakeup.heard(payload)

    async def _run(self) -> None:
        delay = self.retry_first
        while True:
            try:
                await self._listen()
                delay = self.retry_first
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, TimeoutError) as exc:
                log.warning("wakeup.listener_lost", error=type(exc).__name__)
            self.listening.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, self.retry_cap)

    async def _listen(self) -> None:
        connection: asyncpg.Connection = await asyncpg.connect(
            self.dsn, timeout=10, server_settings={"application_name": LISTENER_NAME}
        )
        lost = asyncio.Event()
        try:
            connection.add_termination_listener(lambda _: lost.set())
            await connection.add_listener(CHANNEL, self._heard)
            self.connections += 1
            self.listening.set()
            # What was announced while nobody listened is due by now at the latest.
            self.wakeup.ring(datetime.min.replace(tzinfo=utcnow().tzinfo))
            log.info("wakeup.listening", connections=self.connections)
            while not lost.is_set():
                try:
                    await asyncio.wait_for(lost.wait(), self.check_every)
                except TimeoutError:
                    await asyncio.wait_for(connection.fetchval("SELECT 1"), self.check_every)
        finally:
            connection.terminate()
