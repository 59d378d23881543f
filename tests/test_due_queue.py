"""The durable due-action queue, its runner and the clock, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.clock import SystemClock, Ticker
from storage.db import Database
from storage.due_runner import DrainReport, DueHandlers, DueRunner, Wait
from storage.enqueue import release_waiting
from storage.models import AuditEvent, DueAction
from storage.queue import ClaimedAction, DueQueue, QueueStats
from storage.routines import Routine, latest_fire_time
from tests.support.clock import fixed_clock
from tests.support.waiting import within

T0 = datetime(2025, 3, 10, 8, 0, tzinfo=UTC)
LEASE = timedelta(minutes=5)


class FakeClock:
    """The queue's wall clock, moved by hand so that leases expire when a test says."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def enqueue(
    database: Database,
    queue: DueQueue,
    key: str,
    due_at: datetime,
    kind: str = "ping",
    max_attempts: int = 5,
) -> bool:
    async with database.unit_of_work() as session:
        return await queue.enqueue(
            session, kind, key, due_at, {"key": key}, max_attempts=max_attempts
        )


async def action(database: Database, key: str) -> DueAction:
    async with database.sessions() as session:
        row = (
            await session.execute(select(DueAction).where(DueAction.idempotency_key == key))
        ).scalar_one()
        return row


async def parked_audits(database: Database) -> list[AuditEvent]:
    async with database.sessions() as session:
        rows = await session.execute(
            select(AuditEvent).where(AuditEvent.action == "due_action.parked")
        )
        return list(rows.scalars())


async def test_second_enqueue_is_a_no_op_and_the_callers_work_still_commits(
    database: Database,
) -> None:
    queue = DueQueue(database)
    async with database.unit_of_work() as session:
        assert await queue.enqueue(session, "ping", "k1", T0, {"n": 1}) is True
        assert (
            await queue.enqueue(session, "ping", "k1", T0 + timedelta(hours=1), {"n": 2}) is False
        )
        session.add(AuditEvent(action="something.else", details={}))
    async with database.unit_of_work() as session:
        assert await queue.enqueue(session, "ping", "k1", T0, {"n": 3}) is False
        session.add(AuditEvent(action="something.else", details={}))

    async with database.sessions() as session:
        actions = list((await session.execute(select(DueAction))).scalars())
        audits = (await session.execute(select(func.count()).select_from(AuditEvent))).scalar()
    assert [(a.idempotency_key, a.payload, a.due_at) for a in actions] == [("k1", {"n": 1}, T0)]
    assert audits == 2


async def test_claim_takes_only_what_is_due_oldest_first(database: Database) -> None:
    queue = DueQueue(database, clock=FakeClock())
    await enqueue(database, queue, "later", T0 + timedelta(minutes=1))
    await enqueue(database, queue, "now", T0)
    await enqueue(database, queue, "late", T0 - timedelta(minutes=1))

    claimed = await queue.claim("a", T0, 10, LEASE)

    assert [c.idempotency_key for c in claimed] == ["late", "now"]
    first = claimed[0]
    assert isinstance(first, ClaimedAction)
    assert (first.kind, first.payload, first.attempts, first.lease_owner) == (
        "ping",
        {"key": "late"},
        1,
        "a",
    )
    assert first.lease_expires_at == T0 + LEASE
    assert await queue.claim("b", T0, 10, LEASE) == []
    assert (await action(database, "later")).status == "pending"


async def test_claim_respects_the_batch_limit(database: Database) -> None:
    queue = DueQueue(database)
    for n in range(5):
        await enqueue(database, queue, f"k{n}", T0 + timedelta(seconds=n))
    first = await queue.claim("a", T0 + timedelta(minutes=1), 3, LEASE)
    second = await queue.claim("b", T0 + timedelta(minutes=1), 3, LEASE)
    assert [c.idempotency_key for c in first] == ["k0", "k1", "k2"]
    assert [c.idempotency_key for c in second] == ["k3", "k4"]


async def test_expired_lease_is_taken_over_and_the_old_owner_cannot_complete(
    database: Database,
) -> None:
    clock = FakeClock()
    queue = DueQueue(database, clock=clock)
    await enqueue(database, queue, "k", T0)
    [held] = await queue.claim("dead", T0, 10, LEASE)

    clock.now = T0 + LEASE - timedelta(seconds=1)
    assert await queue.claim("alive", clock.now, 10, LEASE) == []

    clock.now = T0 + LEASE
    [taken] = await queue.claim("alive", clock.now, 10, LEASE)
    assert (taken.id, taken.attempts, taken.lease_owner) == (held.id, 2, "alive")

    assert await queue.complete(held.id, "dead") is False
    assert await queue.fail(held.id, "dead", "late failure") == "lost"
    assert (await action(database, "k")).status == "running"
    assert await queue.complete(taken.id, "alive") is True
    row = await action(database, "k")
    assert (row.status, row.lease_owner, row.finished_at) == ("done", "alive", clock.now)


async def test_a_future_drain_instant_does_not_steal_a_live_lease(database: Database) -> None:
    queue = DueQueue(database, clock=FakeClock())
    await enqueue(database, queue, "k", T0)
    await queue.claim("live worker", T0, 10, LEASE)
    assert await queue.claim("due run --at", T0 + timedelta(days=30), 10, LEASE) == []


async def test_failures_back_off_then_park_with_an_audit_event(database: Database) -> None:
    queue = DueQueue(database, clock=FakeClock())
    calls: list[int] = []

    async def broken(action: ClaimedAction) -> None:
        calls.append(action.attempts)
        raise RuntimeError("Slack said no")

    runner = DueRunner(queue, {"ping": broken}, owner="w", clock=fixed_clock())
    await enqueue(database, queue, "k", T0, max_attempts=3)

    assert await runner.drain(T0) == DrainReport(retried=1)
    row = await action(database, "k")
    assert row.status == "pending" and row.lease_owner is None
    assert row.last_error == "RuntimeError: Slack said no"
    assert T0 + timedelta(seconds=30) <= row.due_at <= T0 + timedelta(seconds=33)

    assert await runner.drain(row.due_at - timedelta(seconds=1)) == DrainReport()
    second_at = row.due_at
    assert await runner.drain(second_at) == DrainReport(retried=1)
    row = await action(database, "k")
    assert second_at + timedelta(seconds=60) <= row.due_at <= second_at + timedelta(seconds=66)
    assert await parked_audits(database) == []

    assert await runner.drain(row.due_at) == DrainReport(parked=1)
    row = await action(database, "k")
    assert (row.status, row.attempts) == ("parked", 3)
    assert calls == [1, 2, 3]
    [audit] = await parked_audits(database)
    assert audit.subject_id == str(row.id)
    assert audit.details["kind"] == "ping"
    assert audit.details["error"] == "RuntimeError: Slack said no"
    assert await runner.drain(T0 + timedelta(days=1)) == DrainReport()


async def test_unknown_kind_is_parked_at_once(database: Database) -> None:
    queue = DueQueue(database)
    await enqueue(database, queue, "k", T0, kind="not.a.kind")
    assert await DueRunner(queue, DueHandlers(), clock=fixed_clock()).drain(T0) == DrainReport(
        parked=1
    )
    row = await action(database, "k")
    assert row.status == "parked" and row.attempts == 1
    assert "no handler registered for kind 'not.a.kind'" in (row.last_error or "")
    [audit] = await parked_audits(database)
    assert audit.details["kind"] == "not.a.kind"


async def test_an_action_whose_claimers_keep_dying_is_parked(database: Database) -> None:
    clock = FakeClock()
    queue = DueQueue(database, clock=clock)
    await enqueue(database, queue, "k", T0, max_attempts=2)
    for _ in range(2):  # two claimers die holding it
        await queue.claim("dead", clock.now, 10, LEASE)
        clock.now += LEASE
    ran: list[int] = []

    async def ping(action: ClaimedAction) -> None:
        ran.append(action.id)

    assert await DueRunner(queue, {"ping": ping}, clock=fixed_clock()).drain(
        clock.now
    ) == DrainReport(parked=1)
    assert ran == []
    row = await action(database, "k")
    assert (row.status, row.attempts) == ("parked", 3)
    assert row.last_error == "lease expired 2 times without an outcome"
    assert len(await parked_audits(database)) == 1


async def test_release_hands_unfinished_actions_back_at_once(database: Database) -> None:
    queue = DueQueue(database, clock=FakeClock())
    for n in range(3):
        await enqueue(database, queue, f"k{n}", T0)
    await enqueue(database, queue, "other", T0)
    [mine_done, *mine] = await queue.claim("leaving", T0, 3, LEASE)
    [theirs] = await queue.claim("staying", T0, 3, LEASE)
    await queue.complete(mine_done.id, "leaving")

    assert await queue.release("leaving") == 2

    rows = [await action(database, c.idempotency_key) for c in mine]
    assert [(r.status, r.attempts, r.lease_owner) for r in rows] == [("pending", 0, None)] * 2
    assert (await action(database, theirs.idempotency_key)).status == "running"
    assert (await action(database, mine_done.idempotency_key)).status == "done"
    retaken = await queue.claim("next", T0, 10, LEASE)
    assert sorted(c.id for c in retaken) == sorted(c.id for c in mine)


async def test_runner_drains_only_what_is_due_at_the_given_instant(database: Database) -> None:
    queue = DueQueue(database)
    handlers = DueHandlers()
    seen: list[str] = []

    @handlers.register("ping")
    async def ping(action: ClaimedAction) -> None:
        seen.append(action.idempotency_key)
        if action.idempotency_key == "chain":
            return
        # A handler may enqueue follow-ups; those due now run in the same drain.
        async with database.unit_of_work() as session:
            await queue.enqueue(session, "ping", "chain", action.due_at)

    await enqueue(database, queue, "first", T0)
    await enqueue(database, queue, "tomorrow", T0 + timedelta(days=1))
    runner = DueRunner(queue, handlers, batch=1, clock=fixed_clock())

    assert await runner.drain(T0) == DrainReport(done=2)
    assert seen == ["first", "chain"]
    assert (await action(database, "tomorrow")).status == "pending"
    assert await runner.drain(T0 + timedelta(days=1)) == DrainReport(done=1)
    assert seen == ["first", "chain", "tomorrow"]


async def test_handlers_registry_refuses_a_second_handler_for_a_kind() -> None:
    handlers = DueHandlers()

    @handlers.register("ping")
    async def first(action: ClaimedAction) -> None:
        return None

    try:
        handlers.register("ping")(first)
    except ValueError as exc:
        assert "ping" in str(exc)
    else:
        raise AssertionError("a second handler was accepted")


async def test_reschedule_and_cancel_touch_only_pending_actions(database: Database) -> None:
    queue = DueQueue(database)
    await enqueue(database, queue, "moved", T0)
    await enqueue(database, queue, "cancelled", T0)
    await enqueue(database, queue, "running", T0 - timedelta(hours=1))
    await queue.claim("w", T0 - timedelta(hours=1), 1, LEASE)
    async with database.unit_of_work() as session:
        assert await queue.reschedule(session, "moved", T0 + timedelta(hours=2)) is True
        assert await queue.cancel(session, "cancelled") is True
        assert await queue.cancel(session, "running") is False
        assert await queue.cancel(session, "missing") is False

    assert await queue.claim("w", T0 + timedelta(hours=1), 10, LEASE) == []
    async with database.unit_of_work() as session:
        assert await queue.enqueue(session, "ping", "cancelled", T0) is False
    assert (await action(database, "moved")).due_at == T0 + timedelta(hours=2)


async def test_stats_report_depth_readiness_age_and_parked(database: Database) -> None:
    queue = DueQueue(database, clock=FakeClock())
    assert await queue.stats(T0) == QueueStats(0, 0.0, 0, 0)
    await enqueue(database, queue, "overdue", T0 - timedelta(seconds=90))
    await enqueue(database, queue, "due", T0)
    await enqueue(database, queue, "future", T0 + timedelta(hours=1))
    await enqueue(database, queue, "held", T0 - timedelta(hours=3), kind="nope")
    await queue.claim("w", T0 - timedelta(hours=3), 1, LEASE)
    await enqueue(database, queue, "doomed", T0 - timedelta(hours=2), kind="nope")
    await DueRunner(queue, {}, clock=fixed_clock()).drain(T0 - timedelta(hours=2))

    stats = await queue.stats(T0)
    assert stats == QueueStats(depth=4, oldest_due_age_seconds=90.0, parked=1, ready=2)


async def test_routine_enqueues_once_per_fire_time_even_if_fired_twice(
    database: Database,
) -> None:
    runs: list[datetime] = []

    async def digest(action: ClaimedAction) -> None:
        runs.append(action.due_at)

    routine = Routine("weekly-digest", {"day_of_week": "mon", "hour": 9}, digest)
    queue = DueQueue(database)
    replica_a = Ticker(
        DueRunner(queue, {}, clock=fixed_clock()), [routine], timezone="Europe/Paris"
    )
    replica_b = Ticker(
        DueRunner(queue, {}, clock=fixed_clock()), [routine], timezone="Europe/Paris"
    )
    fire = datetime(2025, 3, 10, 8, 0, tzinfo=UTC)  # Monday 09:00 in Paris

    assert await replica_a.fire(routine, fire) is True
    assert await replica_b.fire(routine, fire) is False
    assert await replica_a.catch_up(fire + timedelta(minutes=10)) == 0
    next_week = fire + timedelta(days=7)
    assert await replica_b.catch_up(next_week + timedelta(seconds=5)) == 1

    assert await replica_a.runner.drain(next_week) == DrainReport(done=2)
    assert runs == [fire, next_week]


def test_latest_fire_time_follows_the_routine_time_zone() -> None:
    from apscheduler.triggers.cron import CronTrigger

    trigger = CronTrigger(hour=9, minute=0, timezone="Europe/Paris")
    # 2025-03-30: Paris moves to summer time, so 09:00 local is 07:00 UTC that day.
    now = datetime(2025, 3, 30, 7, 30, tzinfo=UTC)
    assert latest_fire_time(trigger, now, timedelta(hours=2)) == datetime(
        2025, 3, 30, 7, 0, tzinfo=UTC
    )
    assert latest_fire_time(trigger, now, timedelta(hours=2)).tzinfo == UTC  # type: ignore[union-attr]
    assert latest_fire_time(trigger, now, timedelta(minutes=10)) is None
    assert latest_fire_time(trigger, now, timedelta(days=1, hours=1)) == datetime(
        2025, 3, 30, 7, 0, tzinfo=UTC
    )


async def test_clock_drains_while_running_and_shutdown_waits_then_releases(
    database: Database,
) -> None:
    queue = DueQueue(database)
    started, proceed = asyncio.Event(), asyncio.Event()
    handled: list[str] = []

    async def slow(action: ClaimedAction) -> None:
        started.set()
        await proceed.wait()
        handled.append(action.idempotency_key)

    now = datetime.now(UTC)
    for n in range(3):
        await enqueue(database, queue, f"k{n}", now - timedelta(seconds=3 - n), kind="slow")
    # the real scheduler on the real clock: it ticks every 50 ms of wall time
    runner = DueRunner(queue, {"slow": slow}, batch=10, clock=SystemClock())
    clock = Ticker(runner, interval=timedelta(seconds=0.05))
    clock.start()
    await within(started.wait(), "the clock to start the first slow action")

    shutting_down = asyncio.create_task(clock.shutdown())
    await asyncio.sleep(0.1)
    assert not shutting_down.done()  # it waits for the action in hand
    proceed.set()
    await within(shutting_down, "the clock's shutdown once the action in hand finished")

    assert handled == ["k0"]
    rows = [await action(database, f"k{n}") for n in range(3)]
    assert [(r.status, r.attempts, r.lease_owner) for r in rows[1:]] == [("pending", 0, None)] * 2
    assert rows[0].status == "done"


async def test_a_waiting_action_is_kept_until_released_then_runs(database: Database) -> None:
    queue = DueQueue(database, clock=FakeClock())
    runs: list[int] = []

    async def nobody_yet(action: ClaimedAction) -> None:
        runs.append(action.attempts)
        if len(runs) == 1:
            raise Wait("waiting for a reader")

    runner = DueRunner(queue, {"ping": nobody_yet}, owner="A", clock=fixed_clock(T0))
    await enqueue(database, queue, "kept", T0, max_attempts=1)
    assert await runner.drain(T0) == DrainReport(waiting=1)
    row = await action(database, "kept")
    assert (row.status, row.attempts, row.last_error) == ("waiting", 0, "waiting for a reader")
    # Neither due, nor failed: later drains leave it, the stats count it apart.
    assert await runner.drain(T0 + timedelta(days=30)) == DrainReport()
    stats = await queue.stats(T0 + timedelta(days=30))
    assert (stats.depth, stats.parked, stats.waiting) == (0, 0, 1)
    async with database.unit_of_work() as session:
        assert await release_waiting(session, "another reason", T0) == 0
        assert await release_waiting(session, "waiting for a reader", T0 + timedelta(hours=1)) == 1
    assert await runner.drain(T0 + timedelta(hours=1)) == DrainReport(done=1)
    assert runs == [1, 1]  # the wait did not use up its only attempt


async def test_the_backlog_counts_what_a_dead_claimer_held_once_its_lease_ran_out(
    database: Database,
) -> None:
    wall = FakeClock()
    queue = DueQueue(database, clock=wall)
    await enqueue(database, queue, "held", T0 - timedelta(minutes=2))
    await enqueue(database, queue, "waiting-in-line", T0 - timedelta(minutes=1))
    [held] = await queue.claim("dead", T0, 1, LEASE)
    assert held.idempotency_key == "held"
    stats = await queue.stats(T0)
    assert (stats.ready, stats.oldest_due_age_seconds) == (1, 60.0)
    wall.now = T0 + LEASE  # its claimer never came back
    stats = await queue.stats(T0)
    assert (stats.ready, stats.oldest_due_age_seconds) == (2, 120.0)
