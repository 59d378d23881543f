"""What the two providers share: an app-only token kept until it expires, and one POST that
honours 429 Retry-After within the caller's deadline and says why it failed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from typing import Any

import aiohttp

from bot.domain.sessions.busy import Reason

# A token is renewed this long before the provider says it expires.
EARLY_RENEWAL = 60.0


class ProviderError(Exception):
    def __init__(self, reason: Reason, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason: Reason = reason


class TokenRejected(Exception):
    """The provider refused the token (401): fetch a new one and try once more."""


class AppToken:
    """An access token for the app itself, fetched when missing or about to expire."""

    def __init__(self, fetch: Callable[[], Awaitable[tuple[str, float]]]) -> None:
        self._fetch = fetch  # -> (token, lifetime in seconds)
        self._value: str | None = None
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def get(self) -> str:
        loop = asyncio.get_running_loop()
        async with self._lock:
            if self._value is None or loop.time() >= self._expires - EARLY_RENEWAL:
                self._value, lifetime = await self._fetch()
                self._expires = loop.time() + lifetime
            return self._value

    def forget(self) -> None:
        self._value = None


async def post_json(
    http: aiohttp.ClientSession,
    url: str,
    *,
    deadline: float,
    json: Any = None,
    form: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Any:
    """POST and return the JSON answer. A 429 waits its Retry-After when that still ends
    before ``deadline`` (the event loop's time), else it is a "throttled" failure."""
    loop = asyncio.get_running_loop()
    while True:
        async with http.post(url, json=json, data=form, headers=headers) as response:
            if response.status == 429:
                wait = _retry_after(response.headers.get("Retry-After"))
                if loop.time() + wait >= deadline:
                    raise ProviderError("throttled", f"Retry-After {wait:g} s")
                await asyncio.sleep(wait)
                continue
            if response.status == 401:
                raise TokenRejected()
            if response.status == 403:
                raise ProviderError("denied", f"HTTP {response.status}")
            if response.status >= 400:
                raise ProviderError("error", f"HTTP {response.status}")
            return await response.json(content_type=None)


async def with_token(token: AppToken, call: Callable[[str], Awaitable[Any]]) -> Any:
    """Run ``call`` with the token; once more with a new token if it was refused."""
    try:
        return await call(await token.get())
    except TokenRejected:
        token.forget()
    try:
        return await call(await token.get())
    except TokenRejected as exc:
        raise ProviderError("denied", "the token was refused twice") from exc


def _retry_after(header: str | None) -> float:
    try:
        return max(0.0, float(header)) if header else 1.0
    except ValueError:
        return 1.0


def batches(items: Sequence[str], size: int) -> Iterator[tuple[str, ...]]:
    """``itertools.batched`` (Python 3.12) for 3.11."""
    for i in range(0, len(items), size):
        yield tuple(items[i : i + size])
