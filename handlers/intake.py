"""Record before the ack, close once answered, and finish what a dead process left behind.

Every platform does the same with an inbound event that changes state: it is written to
``InboundEvent`` in one short transaction (the platform's unique id turns its retries into
no-ops), together with a ``<platform>.recover`` due action two minutes later. Then the
platform is acknowledged and the event handled in a task of its own. Handling ends with one
write that marks the record done and cancels its recovery; if the process died first,
whichever replica drains the queue gets the stored payload back (``register``).

Recording and closing are group commits (``storage.group_commit``): events arriving or
finishing while a batch is being written join the next one, a few statements for all of
them, and each caller still waits for its own commit, so an acked event is never lost.
Handling runs in lanes (``handlers.lanes``): a few at a time, in order per conversation.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.lanes import Lanes
from storage.db import Database
from storage.due_runner import DueHandlers
from storage.group_commit import GroupCommit
from storage.inbound import Arrival, close_records, record_arrivals, recovery_key
from storage.journal import one_trip_journal
from storage.models import InboundEvent
from storage.queue import ClaimedAction, DueQueue

log = logging.getLogger(__name__)
RECOVER_AFTER = timedelta(minutes=2)  # far beyond a normal processing time (milliseconds)

# A write that belongs in the same transaction as the closing (e.g. the sender's reference).
AlsoWrite = Callable[[AsyncSession], Awaitable[None]]
# Finishes a record left behind: its id and the payload stored with it.
Recover = Callable[[int, dict[str, Any]], Awaitable[None]]


@dataclass(frozen=True)
class Finished:
    record_id: int | None  # None (or 0): nothing was recorded, only ``also`` to write
    status: str = "processed"
    also: AlsoWrite | None = None


class Intake:
    def __init__(self, database: Database, platform: str) -> None:
        self.database = database
        self.platform = platform
        self.recover_kind = f"{platform}.recover"  # stored in the queue: never rename
        self.queue = DueQueue(database)
        self.lanes = Lanes()
        # Arrivals and closings share their transactions: under load, one per batch of both.
        self._journal: GroupCommit[Arrival | Finished, int | None] = GroupCommit(self._commit)
        # A batch without ``also`` writes goes in one trip (``storage.journal``).
        self._one_trip = one_trip_journal(database, platform, self.recover_kind)

    def recover_key(self, record_id: int) -> str:
        return recovery_key(self.recover_kind, record_id)

    async def record(
        self, key: str, kind: str, body: dict[str, Any], *, recoverable: bool = True
    ) -> int | None:
        """The record's id, or None when the platform sent this event before (ignore it)."""
        recover_at = self.queue.clock() + RECOVER_AFTER if recoverable else None
        return await self._journal.submit(Arrival(key, kind, body, recover_at))

    async def _commit(self, items: Sequence[Arrival | Finished]) -> list[int | None]:
        """Closings first (and what they write along), then arrivals: new records' ids, None
        for a retry (only the first of a retry and its original in one batch is new)."""
        closings = [item for item in items if isinstance(item, Finished)]
        statuses = {f.record_id: f.status for f in closings if f.record_id}
        arrivals = {n: item for n, item in enumerate(items) if isinstance(item, Arrival)}
        first: dict[str, int] = {}
        for n, arrival in arrivals.items():
            first.setdefault(arrival.event_id, n)
        unique = [a for n, a in arrivals.items() if first[a.event_id] == n]
        also = [f.also for f in closings if f.also is not None]
        if self._one_trip is not None and not also:
            ids = await self._one_trip.write(statuses, unique)
        else:
            async with self.database.unit_of_work(immediate=True) as session:
                for write in also:
                    await write(session)
                if statuses:
                    await close_records(session, self.recover_kind, statuses)
                ids = await record_arrivals(session, self.platform, self.recover_kind, unique)
        return [
            ids.get(item.event_id)
            if isinstance(item, Arrival) and first[item.event_id] == n
            else None
            for n, item in enumerate(items)
        ]

    def spawn(self, work: Coroutine[Any, Any, None], lane: str | None = None) -> None:
        """Handle after the ack, after the earlier work of ``lane`` (``drain`` waits)."""
        self.lanes.add(work, lane)

    async def drain(self) -> None:
        """Let work in flight finish (graceful shutdown, tests)."""
        await self.lanes.drain()

    async def close(self, finished: Finished) -> None:
        """Mark the record done and drop its recovery, in the next batch of closings."""
        if not finished.record_id and finished.also is None:
            return  # nothing recorded, nothing else to write
        await self._journal.submit(finished)

    def register(self, handlers: DueHandlers, recover: Recover) -> None:
        """Run ``recover`` for each record whose process died before closing it."""

        async def left_behind(action: ClaimedAction) -> None:
            record_id = int(action.payload.get("record", 0))
            async with self.database.unit_of_work() as session:
                record = await session.get(InboundEvent, record_id)
                if record is None or record.processed_at is not None:
                    return  # finished (or forgotten) already: nothing to do
                body = dict(record.payload)
            await recover(record_id, body)

        handlers.register(self.recover_kind)(left_behind)
