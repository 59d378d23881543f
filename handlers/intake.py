"""Record before the ack, close once answered, and finish what a dead process left behind.

Every platform does the same with an inbound event that changes state: it is written to
``InboundEvent`` in one short transaction (the platform's unique id turns its retries into
no-ops), together with a ``<platform>.recover`` due action two minutes later. Then the
platform is acknowledged and the event handled in a task of its own. Handling ends with one
write that marks the record done and cancels its recovery; if the process died first,
whichever replica drains the queue gets the stored payload back (``register``).

Closing is batched: under load many events finish at once, SQLite has one writer and
PostgreSQL pays a round trip per commit, so those finishing while a batch is being written
join the next one. Each caller still waits for its own commit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.due_runner import DueHandlers
from storage.inbound import mark_processed, record_inbound
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
        self._pending: list[tuple[Finished, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def recover_key(self, record_id: int) -> str:
        return f"{self.recover_kind}:{record_id}"

    async def record(
        self, key: str, kind: str, body: dict[str, Any], *, recoverable: bool = True
    ) -> int | None:
        """The record's id, or None when the platform sent this event before (ignore it)."""
        async with self.database.unit_of_work(immediate=True) as session:
            record_id = await record_inbound(session, self.platform, key, kind, body)
            if record_id is not None and recoverable:
                await self.queue.enqueue(
                    session,
                    self.recover_kind,
                    self.recover_key(record_id),
                    self.queue.clock() + RECOVER_AFTER,
                    {"record": record_id},
                )
            return record_id

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Handle after the ack, in a task of its own (``drain`` waits for it)."""
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Let work in flight finish (graceful shutdown, tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def close(self, finished: Finished) -> None:
        """Mark the record done and drop its recovery, in the next batch of closings."""
        if not finished.record_id and finished.also is None:
            return  # nothing recorded, nothing else to write
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((finished, done))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write())
        await done

    async def _write(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                try:
                    async with self.database.unit_of_work(immediate=True) as session:
                        for finished, _ in batch:
                            await self._close_one(session, finished)
                except Exception as error:  # each waiter gets it; the next batch still runs
                    for _, done in batch:
                        if not done.done():
                            done.set_exception(error)
                    continue
                for _, done in batch:
                    if not done.done():
                        done.set_result(None)
        finally:
            self._writer = None

    async def _close_one(self, session: AsyncSession, finished: Finished) -> None:
        if finished.also is not None:
            await finished.also(session)
        if finished.record_id:
            await mark_processed(session, finished.record_id, finished.status)
            await self.queue.cancel(session, self.recover_key(finished.record_id))

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
