"""The free/busy reader the sessions use: the configured providers in turn, each call
bounded (2 s by default), answers cached for minutes in memory (never stored), and every
failure a silent fallback to the person's availability windows, counted for the admins.

A person a provider does not know (``not_found``) is asked of the next provider: an
organisation moving from Google to Microsoft 365 has people in both for a while.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol

import aiohttp
import structlog

from bot.domain.sessions.busy import Answer, FreeBusy, Unreadable, utc
from handlers.calendars.http import ProviderError

log = structlog.get_logger("tandem.calendars")


class Provider(Protocol):
    provider: str

    async def read(
        self, emails: Sequence[str], start: datetime, end: datetime, *, deadline: float
    ) -> dict[str, Answer]: ...


# (provider, outcome): outcome is "read" or a fallback reason ("timeout", "denied", …).
Observe = Callable[[str, str], None]


class CalendarReader:
    """``bot.domain.sessions.busy.FreeBusyReader`` over the configured providers."""

    def __init__(
        self,
        providers: Sequence[Provider],
        *,
        timeout: float = 2.0,
        cache_for: timedelta = timedelta(minutes=5),
        observe: Observe | None = None,
    ) -> None:
        self.providers = tuple(providers)
        self.timeout = timeout
        self.cache_for = cache_for.total_seconds()
        self.observe = observe
        # (provider, email) -> (expiry on the loop's clock, window start, window end, answer)
        self._cache: dict[tuple[str, str], tuple[float, datetime, datetime, Answer]] = {}
        self.outcomes: Counter[str] = Counter()  # since start: "read" or why it fell back

    async def read(
        self, emails: Sequence[str], start: datetime, end: datetime
    ) -> Mapping[str, Answer]:
        start, end = utc(start), utc(end)
        loop = asyncio.get_running_loop()
        answers: dict[str, Answer] = {}
        pending = list(dict.fromkeys(e.strip().lower() for e in emails if e))
        for provider in self.providers:
            if not pending:
                break
            got = {e: a for e in pending if (a := self._cached(provider.provider, e, start, end))}
            ask = [e for e in pending if e not in got]
            if ask:
                got.update(await self._ask(provider, ask, start, end, loop.time()))
            for email, answer in got.items():
                answers[email] = answer
            pending = [e for e in pending if _try_next(answers[e])]
        return answers

    async def _ask(
        self, provider: Provider, emails: list[str], start: datetime, end: datetime, now: float
    ) -> dict[str, Answer]:
        deadline = now + self.timeout
        try:
            async with asyncio.timeout(self.timeout):
                got = await provider.read(emails, start, end, deadline=deadline)
        except TimeoutError:
            got = {e: Unreadable(e, provider.provider, "timeout") for e in emails}
        except ProviderError as exc:
            got = {e: Unreadable(e, provider.provider, exc.reason) for e in emails}
        except (aiohttp.ClientError, ValueError, KeyError) as exc:
            log.warning("calendars.failed", provider=provider.provider, error=type(exc).__name__)
            got = {e: Unreadable(e, provider.provider, "error") for e in emails}
        expires = asyncio.get_running_loop().time() + self.cache_for
        for email in emails:
            answer = got.get(email) or Unreadable(email, provider.provider, "error")
            got[email] = answer
            outcome = "read" if isinstance(answer, FreeBusy) else answer.reason
            self.outcomes[outcome] += 1
            if self.observe is not None:
                self.observe(provider.provider, outcome)
            # Failures are not cached: the next proposal asks again.
            if isinstance(answer, FreeBusy) or answer.reason == "not_found":
                self._cache[(provider.provider, email)] = (expires, start, end, answer)
        log.info(
            "calendars.read",
            provider=provider.provider,
            asked=len(emails),
            read=sum(isinstance(a, FreeBusy) for a in got.values()),
        )
        return got

    def remembered(
        self, emails: Sequence[str], start: datetime, end: datetime
    ) -> Mapping[str, Answer]:
        start, end = utc(start), utc(end)
        found: dict[str, Answer] = {}
        for email in dict.fromkeys(e.strip().lower() for e in emails if e):
            for provider in self.providers:
                answer = self._cached(provider.provider, email, start, end)
                if answer is not None and not _try_next(answer):
                    found[email] = answer
                    break
        return found

    def _cached(self, provider: str, email: str, start: datetime, end: datetime) -> Answer | None:
        """An answer read recently for a window that covers ``start``..``end``."""
        key = (provider, email)
        entry = self._cache.get(key)
        if entry is None:
            return None
        expires, read_from, read_to, answer = entry
        if expires <= asyncio.get_running_loop().time():
            del self._cache[key]
            return None
        return answer if read_from <= start and end <= read_to else None


def _try_next(answer: Answer) -> bool:
    return isinstance(answer, Unreadable) and answer.reason == "not_found"
