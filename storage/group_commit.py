"""Group commit: writes that arrive while a transaction is being written join the next one.

Under load many small writes come at once; SQLite has one writer and PostgreSQL pays a
round trip per commit, so one short transaction for all of them costs about what one of
them did. Each caller still waits for its own commit (and gets its own answer or error):
when a batch fails, its items are written again one by one, so that one bad item fails alone.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Answer = TypeVar("Answer")
# Writes a batch in one transaction of its own; one answer per item, in order.
CommitBatch = Callable[[Sequence[Item]], Awaitable[Sequence[Answer]]]


class GroupCommit(Generic[Item, Answer]):
    def __init__(self, commit: CommitBatch[Item, Answer]) -> None:
        self.commit = commit
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
                    answers = await self.commit([item for item, _ in batch])
                except Exception as error:
                    if len(batch) == 1:
                        _answer(batch[0][1], error)
                        continue
                    for item, done in batch:  # find the bad one: the others still commit
                        try:
                            _answer(done, (await self.commit([item]))[0])
                        except Exception as alone:
                            _answer(done, alone)
                    continue
                for (_, done), answer in zip(batch, answers, strict=True):
                    _answer(done, answer)
        finally:
            self._writer = None


def _answer(done: asyncio.Future[Answer], outcome: Answer | Exception) -> None:
    if done.done():
        return
    if isinstance(outcome, Exception):
        done.set_exception(outcome)
    else:
        done.set_result(outcome)
