"""Who was talking a moment ago: the identity look-up of a busy person, skipped for 5 s.

Every event starts by finding its person and whether they are an admin (two queries). A
person clicking through a card or a burst after an announcement asks the same again within
seconds, so the answer is kept briefly, under the platform user *and* the profile hints it
came with (changed hints must reach the database). Kept only for non-admins and only when
the event wrote nothing: admins are looked up every time (a revoked admin is refused at
once, on every replica), and a person this process changed is looked up afresh. Changes by
another replica (a new admin, a new language) show within ``TTL_S``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from storage.models import Person
from storage.people.identities import PlatformUser

TTL_S = 5.0
MAX_KEPT = 10_000


class KnownPeople:
    def __init__(self, ttl: float = TTL_S, clock: Callable[[], float] = time.monotonic) -> None:
        # A monotonic timer (not business time): this is how old a cached answer is.
        self.ttl = ttl
        self.clock = clock
        self._kept: dict[PlatformUser, tuple[Person, float]] = {}

    def get(self, user: PlatformUser) -> Person | None:
        """The person (detached: merge it into a session) if looked up less than TTL ago."""
        kept = self._kept.get(user)
        if kept is None:
            return None
        if kept[1] <= self.clock():
            del self._kept[user]
            return None
        return kept[0]

    def keep(self, user: PlatformUser, person: Person) -> None:
        if len(self._kept) >= MAX_KEPT:
            self._kept.clear()  # a crude bound: looking up again is cheap, growing is not
        self._kept[user] = (person, self.clock() + self.ttl)

    def forget(self, user: PlatformUser) -> None:
        self._kept.pop(user, None)
