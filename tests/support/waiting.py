"""Deadlines for the waits in test support: a wait that never ends fails, naming what it awaited."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

# Long enough for a slow CI machine, far below pytest-timeout's per-test default.
DEADLINE_S = 20.0


async def within(awaitable: Awaitable[T], what: str, timeout: float = DEADLINE_S) -> T:
    """``await awaitable``, or fail after ``timeout`` seconds with "waiting for ``what``"."""
    try:
        return await asyncio.wait_for(awaitable, timeout)
    except TimeoutError:
        raise AssertionError(f"gave up after {timeout:g} s waiting for {what}") from None


async def eventually(
    condition: Callable[[], bool], what: str, timeout: float = DEADLINE_S, step: float = 0.01
) -> None:
    """Poll ``condition`` on the event loop until it holds, or fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout:g} s waiting for {what}")
        await asyncio.sleep(step)
