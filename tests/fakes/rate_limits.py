"""The platforms' rate limits, enforced by the fakes when asked (off by default).

Slack's chat.postMessage: about 1 message per second per channel with short bursts, and a
workspace-wide ceiling; beyond, 429 with ``Retry-After`` in whole seconds. Teams: 7
messages per second and 60 per 30 seconds per conversation, and about 50 requests per
second per tenant; beyond, 429. A refused request uses no allowance.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Bucket:
    """``per_second`` sustained, up to ``burst`` at once."""

    per_second: float
    burst: float


@dataclass(frozen=True)
class Window:
    """At most ``count`` in any ``seconds``."""

    count: int
    seconds: float


Limit = Bucket | Window


@dataclass
class _State:
    tokens: float = 0.0
    at: float = 0.0
    sent: deque[float] = field(default_factory=deque)


class Limiter:
    """Checks a request against every (limit, key) that applies, all or nothing."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._monotonic = monotonic
        self._states: dict[tuple[int, str], _State] = {}
        self.accepted = 0
        self.refused = 0

    def admit(self, *checks: tuple[Limit, str]) -> float:
        """0 when the request may go (and it is counted), else the seconds to wait."""
        now = self._monotonic()
        states = [self._state(limit, key, now) for limit, key in checks]
        wait = max(
            (
                self._wait(limit, state, now)
                for (limit, _), state in zip(checks, states, strict=True)
            ),
            default=0.0,
        )
        if wait > 0:
            self.refused += 1
            return wait
        for (limit, _), state in zip(checks, states, strict=True):
            if isinstance(limit, Bucket):
                state.tokens -= 1
            else:
                state.sent.append(now)
        self.accepted += 1
        return 0.0

    def _state(self, limit: Limit, key: str, now: float) -> _State:
        state = self._states.get((id(limit), key))
        if state is None:
            initial = limit.burst if isinstance(limit, Bucket) else 0.0
            state = self._states[(id(limit), key)] = _State(initial, now)
        if isinstance(limit, Bucket):
            state.tokens = min(limit.burst, state.tokens + (now - state.at) * limit.per_second)
            state.at = now
        else:
            while state.sent and state.sent[0] <= now - limit.seconds:
                state.sent.popleft()
        return state

    @staticmethod
    def _wait(limit: Limit, state: _State, now: float) -> float:
        if isinstance(limit, Bucket):
            return 0.0 if state.tokens >= 1 else (1 - state.tokens) / limit.per_second
        if len(state.sent) < limit.count:
            return 0.0
        return state.sent[0] + limit.seconds - now


def retry_after(wait: float) -> str:
    """``Retry-After`` in whole seconds, as both platforms send it (at least 1)."""
    return str(max(1, math.ceil(wait)))


@dataclass(frozen=True)
class SlackLimits:
    per_channel: Bucket = Bucket(per_second=1.0, burst=3)
    per_workspace: Bucket = Bucket(per_second=50.0, burst=50)

    def describe(self) -> str:
        return (
            f"chat.postMessage: {self.per_channel.per_second:g}/s per channel "
            f"(bursts of {self.per_channel.burst:g}), {self.per_workspace.per_second:g}/s "
            "per workspace; 429 + Retry-After beyond"
        )


@dataclass(frozen=True)
class TeamsLimits:
    per_second: Window = Window(7, 1.0)
    per_30_seconds: Window = Window(60, 30.0)
    per_tenant: Bucket = Bucket(per_second=50.0, burst=50)

    def describe(self) -> str:
        return (
            f"send: {self.per_second.count}/s and {self.per_30_seconds.count} per 30 s per "
            f"conversation, {self.per_tenant.per_second:g}/s per tenant; 429 + Retry-After beyond"
        )
