"""Retry outbound connector calls on 429/412/502/503/504, honouring ``Retry-After``.

Teams throttles per conversation and per app; the connector asks to back off with 429 (and
sometimes 412 on concurrent updates) or a 5xx from its gateway. Delays grow exponentially
with full jitter, so replicas do not retry in lockstep; a ``Retry-After`` wins when longer.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from msrest.pipeline import Request, Response
from msrest.pipeline.async_abc import AsyncHTTPPolicy

RETRIED_STATUSES = frozenset({412, 429, 502, 503, 504})


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


class RetryPolicy(AsyncHTTPPolicy[Any, Any]):
    def __init__(
        self,
        *,
        attempts: int = 4,
        base_delay: float = 0.5,
        max_delay: float = 20.0,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        jitter: Callable[[float, float], float] = random.uniform,
    ) -> None:
        super().__init__()
        self.attempts = attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._sleep = sleep
        self._jitter = jitter
        self.retried = 0  # observed by tests and metrics

    def delay(self, attempt: int, retry_after: float | None) -> float:
        backoff = self._jitter(0.0, min(self.max_delay, self.base_delay * 2**attempt))
        if retry_after is not None:
            return min(self.max_delay, max(retry_after, backoff))
        return backoff

    def _next(self) -> Any:
        assert self.next is not None, "policy used outside a pipeline"
        return self.next

    async def send(self, request: Request[Any], **kwargs: Any) -> Response[Any, Any]:
        attempt = 0
        while True:
            response: Response[Any, Any] = await self._next().send(request, **kwargs)
            status = response.http_response.status_code
            if status not in RETRIED_STATUSES or attempt + 1 >= self.attempts:
                return response
            retry_after = retry_after_seconds(response.http_response.headers.get("Retry-After"))
            await self._sleep(self.delay(attempt, retry_after))
            attempt += 1
            self.retried += 1
