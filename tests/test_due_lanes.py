"""One lane (a person's conversation) is claimed in order: replicas never overtake."""

from __future__ import annotations

from datetime import timedelta

from storage.db import Database
from storage.queue import DueQueue
from tests.support.clock import T0

LEASE = timedelta(minutes=5)


async def test_only_the_first_unfinished_action_of_a_lane_is_claimed(database: Database) -> None:
    queue = DueQueue(database)
    async with database.unit_of_work() as session:
        for n, lane in enumerate(["person:a", "person:a", "person:a", "person:b", None, None]):
            due = T0 + timedelta(seconds=n)
            await queue.enqueue(session, "ping", f"k{n}", due, {}, lane=lane)
    later = T0 + timedelta(minutes=1)
    first = await queue.claim("replica-1", later, 10, LEASE)
    assert [a.idempotency_key for a in first] == ["k0", "k3", "k4", "k5"]
    # k0 is in flight with replica-1: replica-2 may not send k1 before it.
    assert await queue.claim("replica-2", later, 10, LEASE) == []
    assert await queue.complete(first[0].id, "replica-1")
    second = await queue.claim("replica-2", later, 10, LEASE)
    assert [a.idempotency_key for a in second] == ["k1"]
