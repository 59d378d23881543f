"""Closing processed activities in batches: one short write for all those finished together.

Every processed activity ends with a write (its record closed, its recovery cancelled, the
sender's reference stored when it changed). Under load many finish at once; SQLite has one
writer and PostgreSQL pays a round trip per commit, so those finishing while a batch is
being written join the next one. Each caller still waits for its own commit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from handlers.teams.references import store_reference
from storage.db import Database
from storage.inbound import mark_processed
from storage.queue import DueQueue


@dataclass(frozen=True)
class Finished:
    record_id: int | None
    status: str = "processed"
    # (tenant id, user id, reference) when the sender's 1:1 reference changed
    reference: tuple[str, str, dict[str, Any]] | None = None


class Closer:
    def __init__(self, database: Database, queue: DueQueue, key: Callable[[int], str]) -> None:
        self.database = database
        self.queue = queue
        self.key = key  # the recovery action's idempotency key for a record id
        self._pending: list[tuple[Finished, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def close(self, finished: Finished) -> None:
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
                            if finished.reference is not None:
                                await store_reference(session, *finished.reference)
                            if finished.record_id is not None:
                                await mark_processed(session, finished.record_id, finished.status)
                                await self.queue.cancel(session, self.key(finished.record_id))
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
