"""Work after the ack: a bounded number at a time, in arrival order per conversation.

Each conversation (a person in a workspace or tenant) has a lane whose events run one
after the other, so a quick second click never overtakes the first. Lanes share a few
slots: under a burst, work waits here (its record is already durable) instead of piling
hundreds of transactions onto the one event loop and database, which would delay the acks.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from itertools import count
from typing import Any

log = logging.getLogger(__name__)
Work = Coroutine[Any, Any, None]
SLOTS = 8


class Lanes:
    def __init__(self, slots: int = SLOTS) -> None:
        self._slots = asyncio.Semaphore(slots)
        self._lanes: dict[str, deque[Work]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._unnamed = count()
        self.waiting = 0  # events recorded and acked, not yet being handled (``/metrics``)

    def add(self, work: Work, lane: str | None = None) -> None:
        """Run ``work`` after the earlier work of ``lane`` (None: a lane of its own)."""
        name = lane if lane is not None else f"#{next(self._unnamed)}"
        self.waiting += 1
        queued = self._lanes.get(name)
        if queued is not None:
            queued.append(work)
            return
        self._lanes[name] = deque([work])
        task = asyncio.get_running_loop().create_task(self._run(name))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @asynccontextmanager
    async def now_or_never(self, lane: str) -> AsyncIterator[bool]:
        """A slot for work done inline (True), unless every slot is taken or ``lane`` has
        work waiting (False: ``add`` it instead, behind the rest)."""
        if self._slots.locked() or lane in self._lanes:
            yield False
            return
        async with self._slots:
            yield True

    async def _run(self, name: str) -> None:
        queued = self._lanes[name]
        try:
            while queued:
                async with self._slots:
                    work = queued.popleft()
                    self.waiting -= 1
                    try:
                        await work
                    except Exception:  # the work logs and closes its own record
                        log.exception("lane %s: work failed", name)
        finally:
            del self._lanes[name]

    async def drain(self) -> None:
        """Let work in flight and waiting finish (graceful shutdown, tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
