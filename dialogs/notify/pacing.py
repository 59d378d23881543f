"""Client-side pacing: stay under a platform's rate limits instead of bouncing off them.

Slack and Teams answer 429 beyond their limits, and the SDKs' retry handlers then sleep for
``Retry-After`` (Slack: whole seconds), which costs far more throughput than waiting for the
next free slot. A channel takes a token from each bucket that applies (the conversation,
the workspace or tenant) before it sends. The buckets measure real (monotonic) time, as
leases do, not business time: a demo moved a week forward must not send faster. They live
in the process: replicas each pace themselves, and a 429 still retries if they add up.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

# A workspace's (tenant's) bucket holds half a second of its rate. The senders (due
# runners) also read and write the database between messages: when all of them are busy
# at once for longer than the burst lasts, the slots that pass are lost for good, although
# they could catch up at once (benchmarks/fanout.py: with a burst of 0.1 s, 10,000
# reminders took 5 % longer than the ceiling allows while the runners spent over half
# their time waiting for the pacer, i.e. they had time to spare). Half a second still
# leaves the platform's own burst (about a second of the ceiling) room for messages that
# reach it up to half a second late.
CATCH_UP_SECONDS = 0.5


@dataclass(frozen=True)
class Rate:
    """``per_second`` sustained, up to ``burst`` at once after a pause."""

    per_second: float
    burst: float = 1.0


class Bucket:
    """A token bucket that hands out the instant each taker may go."""

    __slots__ = ("_at", "_tokens", "rate")

    def __init__(self, rate: Rate, now: float) -> None:
        self.rate = rate
        self._tokens = rate.burst
        self._at = now

    def reserve(self, now: float) -> float:
        """Take one token; how long to wait before using it (0: go now)."""
        self._tokens = min(self.rate.burst, self._tokens + (now - self._at) * self.rate.per_second)
        self._at = now
        self._tokens -= 1.0
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate.per_second

    def full(self, now: float) -> bool:
        return self._tokens + (now - self._at) * self.rate.per_second >= self.rate.burst


class Pacer:
    """Buckets per key for one scope (a conversation, a workspace), created on first use.

    Full buckets are forgotten past ``keep`` keys, so 5,000 conversations cost a few
    hundred kilobytes, not a bucket each forever.
    """

    def __init__(
        self,
        rate: Rate,
        *,
        keep: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate
        self.keep = keep
        self._monotonic = monotonic
        self._buckets: OrderedDict[str, Bucket] = OrderedDict()
        self.waited = 0.0  # seconds spent waiting (benchmarks print it)

    def reserve(self, key: str) -> float:
        now = self._monotonic()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = Bucket(self.rate, now)
            self._forget_full(now)
        else:
            self._buckets.move_to_end(key)
        return bucket.reserve(now)

    def _forget_full(self, now: float) -> None:
        while len(self._buckets) > self.keep:
            key, oldest = next(iter(self._buckets.items()))
            if not oldest.full(now):
                return  # the least recently used is still busy: so are the others
            del self._buckets[key]


async def pace(*taken: tuple[Pacer | None, str]) -> None:
    """Wait until each bucket named (pacer, key) lets one more message go, in turn: the
    narrowest scope (the conversation) first, the workspace last, so that the slot taken
    in the workspace is the one the message really uses."""
    for pacer, key in taken:
        if pacer is None:
            continue
        wait = pacer.reserve(key)
        if wait > 0:
            pacer.waited += wait
            await asyncio.sleep(wait)
