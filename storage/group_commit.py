"""Group commit: writes that arrive while a transaction is being written join the next one.

Under load many small writes come at once; SQLite has one writer and PostgreSQL pays a
round trip per commit, so one short transaction for all of them costs about what one of
them did. Each caller still waits for its own commit (and gets its own answer or error).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database

Item = TypeVar("Item")
Answer = TypeVar("Answer")
# Writes a batch in the given session; one answer per item, in order.
WriteBatch = Callable[[AsyncSession, Sequence[Item]], Awaitable[Sequence[Answer]]]


class GroupCommit(Generic[Item, Answer]):
    def __init__(self, database: Database, write: WriteBatch[Item, Answer]) -> None:
        self.database = database
        self.write = write
        self._pending: list[tuple[Item, asyncio.Future[Answer]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> Answer:
        """``item``'s answer, once the transaction holding it has committed."""
        done: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
        self._pending.append((item, done))
        if self._writer is None:
            self._writer = asyncio.create_task(self._write())
        return await done

    async def _write(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending, []
                try:
                    async with self.database.unit_of_work(immediate=True) as session:
                        answers = await self.write(session, [item for item, _ in batch])
                except Exception as error:  # each waiter gets it; the next batch still runs
                    for _, done in batch:
                        if not done.done():
                            done.set_exception(error)
                    continue
                for (_, done), answer in zip(batch, answers, strict=True):
                    if not done.done():
                        done.set_result(answer)
        finally:
            self._writer = None
