"""The only timer in Tandem: APScheduler ticks, the due-action table remembers.

APScheduler's memory job store forgets everything on restart and two replicas would each
run every job, so the scheduler does only one thing: turn each cron routine's fire into a
due action with an idempotency key made of the routine's name and the scheduled fire time.
N replicas firing the same routine enqueue one action; its handler then runs once, with the
queue's retries. The queue is drained as soon as work falls due (``storage.wakeup``) and
every few seconds as the fallback.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.domain.clock import Clock
from storage.db import Database
from storage.deployment import demo_clock_offset, set_demo_clock_offset
from storage.due_runner import DrainReport, DueRunner, Handler
from storage.queue import DueQueue
from storage.routines import Routine, cron_trigger, enqueue_fire, fire_times, latest_fire_time
from storage.wakeup import Alarm, DueListener, wakeup_for

log = structlog.get_logger("tandem.clock")

DRAIN_INTERVAL = timedelta(seconds=5)
# APScheduler skips a job that starts more than misfire_grace_time late (default 1 s): a
# busy event loop must delay a tick, never drop it.
MISFIRE_GRACE = timedelta(hours=1)


class SystemClock:
    """Business time in production: the system's clock (the domain's ``Clock``)."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class DemoClock:
    """``tandem demo``'s business time: the system clock moved forward by an offset kept in
    the database, so what a newcomer fast-forwarded stays fast-forwarded after a restart."""

    def __init__(self, database: Database, base: Clock | None = None) -> None:
        self.database = database
        self.base = base or SystemClock()  # tests give a fixed clock of their own
        self.offset = timedelta()

    async def load(self) -> datetime:
        self.offset = await demo_clock_offset(self.database)
        return self.now()

    def now(self) -> datetime:
        return self.base.now() + self.offset

    async def move_to(self, at: datetime) -> datetime:
        """Stand at ``at`` (later than now) from here on, and after a restart."""
        self.offset = at - self.base.now()
        await set_demo_clock_offset(self.database, self.offset)
        return at


class DemoTime:
    """The console's clock control: moving the demo's time forward lets what falls in between
    happen in order, as if the time had passed: each scheduled routine's fire (a Monday's
    matching round, the daily look at every pair) and each due action (a reminder, "did it
    happen?", an expiry), with the clock standing at that very moment, so what they create
    is dated from the demo's time and a reminder an hour before is read an hour before."""

    def __init__(
        self,
        clock: DemoClock,
        handlers: Mapping[str, Handler],
        routines: Callable[[], Sequence[Routine]],
        *,
        timezone: str = "UTC",
    ) -> None:
        self.clock = clock
        self.handlers = handlers
        self.routines = routines  # read when moving: capabilities add theirs after mounting
        self.timezone = timezone
        # Two moves at once (a double tap, two tabs) would both start from the same instant
        # and land on the same end: one after the other, they add up.
        self._moving = asyncio.Lock()

    async def load(self) -> datetime:
        return await self.clock.load()

    async def forward(self, delta: timedelta) -> tuple[datetime, DrainReport]:
        """Move ``delta`` forward; the instant reached and what ran on the way."""
        async with self._moving:
            return await self._forward(delta)

    async def _forward(self, delta: timedelta) -> tuple[datetime, DrainReport]:
        now = await self.clock.load()
        end = now + delta
        queue = DueQueue(self.clock.database)
        runner = DueRunner(queue, self.handlers, clock=self.clock)
        fires: dict[datetime, list[Routine]] = {}
        for routine in self.routines():
            runner.register(routine.kind, routine.fn)
            trigger = cron_trigger(routine, self.timezone)
            for fire in fire_times(trigger, now + timedelta(microseconds=1), end):
                fires.setdefault(fire, []).append(routine)
        report = await runner.drain(now)  # what was already due
        # Stop at each routine's fire and at each action's own due time, in order (what an
        # action queues for later is found at the next stop): time only moves forward.
        while True:
            due = await queue.next_due(now)
            stops = [at for at in (due, min(fires, default=None)) if at is not None and at <= end]
            if not stops:
                break
            now = await self.clock.move_to(min(stops))
            for routine in fires.pop(now, []):
                await enqueue_fire(queue, routine, now)
            report += await runner.drain(now)
        await self.clock.move_to(end)
        return end, report + await runner.drain(end)


class Ticker:
    def __init__(
        self,
        runner: DueRunner,
        routines: Sequence[Routine] = (),
        *,
        interval: timedelta = DRAIN_INTERVAL,
        timezone: str = "UTC",
        misfire_grace: timedelta = MISFIRE_GRACE,
        wake: bool = True,
    ) -> None:
        """``interval``: the fallback poll. ``wake``: drain as soon as work falls due; off,
        only the poll drains (the benchmark's baseline)."""
        self.runner = runner
        self.routines = list(routines)
        self.interval = interval
        self.timezone = timezone
        self.misfire_grace = misfire_grace
        self.triggers = {routine.name: cron_trigger(routine, timezone) for routine in self.routines}
        if len(self.triggers) != len(self.routines):
            raise ValueError("two routines share a name")
        for routine in self.routines:
            runner.register(routine.kind, routine.fn)
        self.wake = wake
        self._scheduler: AsyncIOScheduler | None = None
        self._drain: asyncio.Task[DrainReport] | None = None
        self._catching_up: asyncio.Task[int] | None = None
        self._draining: asyncio.Task[None] | None = None
        self._alarm: Alarm | None = None
        self.listener: DueListener | None = None

    def start(self) -> None:
        """Start ticking (call from inside the running event loop)."""
        scheduler = AsyncIOScheduler(timezone=UTC)
        job_defaults = {
            "max_instances": 1,
            "coalesce": True,
            "misfire_grace_time": int(self.misfire_grace.total_seconds()),
        }
        loop = asyncio.get_running_loop()
        database = self.runner.queue.database
        if self.wake:
            wakeup = wakeup_for(database.engine)
            self._alarm = wakeup.alarm()
            if not database.is_sqlite:
                self.listener = DueListener(database.url, wakeup)
                self.listener.start()
        self._draining = loop.create_task(self._keep_draining())
        for routine in self.routines:
            scheduler.add_job(
                self._fire_latest,
                self.triggers[routine.name],
                args=[routine],
                id=routine.kind,
                **job_defaults,
            )
        scheduler.start()
        self._scheduler = scheduler
        # A fire missed while no replica ran (a restart, a deploy) is caught up once.
        self._catching_up = loop.create_task(self.catch_up())
        log.info("clock.started", owner=self.runner.owner, routines=len(self.routines))

    async def _keep_draining(self) -> None:
        """Drain at once (actions may have waited), then whenever the alarm or poll says."""
        seconds = self.interval.total_seconds()
        while not self.runner.stopping:
            at = self.runner.clock.now()
            await self.tick()
            alarm = self._alarm
            if alarm is None:
                await asyncio.sleep(seconds)
                continue
            try:
                upcoming = await self.runner.queue.next_due(at)
                if upcoming is not None:
                    alarm.ring(upcoming)  # e.g. a reminder due before the next poll
            except Exception:  # the poll still drains: nothing is lost, only later
                log.exception("clock.next_due_failed")
            await alarm.sleep(self.runner.clock, seconds)

    async def tick(self) -> DrainReport:
        """One drain of what is due now; errors are logged, the next tick tries again."""
        # The drain runs in a task of its own: APScheduler's shutdown cancels the jobs it
        # runs, and a handler must not be cut off halfway through a delivery.
        drain = self._drain = asyncio.create_task(self._drain_logged())
        try:
            return await asyncio.shield(drain)
        finally:
            if drain.done():
                self._drain = None

    async def _drain_logged(self) -> DrainReport:
        try:
            report = await self.runner.drain()
        except Exception:
            log.exception("clock.drain_failed")
            return DrainReport()
        if report != DrainReport():
            log.info(
                "clock.drained",
                done=report.done,
                retried=report.retried,
                parked=report.parked,
                lost=report.lost,
            )
        return report

    async def fire(self, routine: Routine, fire_time: datetime) -> bool:
        """Enqueue ``routine``'s action for ``fire_time``; False if one already exists."""
        return await enqueue_fire(self.runner.queue, routine, fire_time)

    async def catch_up(self, now: datetime | None = None) -> int:
        """Enqueue each routine's latest fire within the misfire grace (idempotent)."""
        now = now or self.runner.clock.now()
        enqueued = 0
        for routine in self.routines:
            fire_time = latest_fire_time(self.triggers[routine.name], now, self.misfire_grace)
            if fire_time is not None:
                try:
                    enqueued += await self.fire(routine, fire_time)
                except Exception:
                    log.exception("clock.routine_failed", routine=routine.name)
        return enqueued

    async def _fire_latest(self, routine: Routine) -> None:
        # APScheduler does not pass the scheduled time: it is the latest fire up to now.
        fire_time = latest_fire_time(
            self.triggers[routine.name], self.runner.clock.now(), self.misfire_grace
        )
        if fire_time is None:
            return
        try:
            await self.fire(routine, fire_time)
        except Exception:
            log.exception("clock.routine_failed", routine=routine.name)

    async def shutdown(self, timeout: float = 20.0) -> None:
        """Stop ticking, let the drain in hand finish its action, hand leases back."""
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=False)
        self.runner.stop()
        draining, self._draining = self._draining, None
        if draining is not None:  # it only ever waits for a drain, which stays shielded
            draining.cancel()
            await asyncio.gather(draining, return_exceptions=True)
        if self.listener is not None:
            await self.listener.stop()
        if self._alarm is not None:
            wakeup_for(self.runner.queue.database.engine).forget(self._alarm)
        if self._catching_up is not None:
            await asyncio.gather(self._catching_up, return_exceptions=True)
        drain = self._drain
        if drain is not None and not drain.done():
            try:
                await asyncio.wait_for(asyncio.shield(drain), timeout)
            except TimeoutError:
                log.warning("clock.drain_cancelled", timeout=timeout)
                drain.cancel()
                await asyncio.gather(drain, return_exceptions=True)
        await self.runner.queue.release(self.runner.owner)
        log.info("clock.stopped", owner=self.runner.owner)
