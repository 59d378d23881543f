"""What the nudge policy has people told, as data (dialogs/sessions/nudges.py words it).

Each carries the ids of the ``nudges`` rows it was recorded as, so that its buttons
(*Snooze 1 day*, *Snooze 1 week*, *We're fine*) answer exactly those; a nudge about a
session nobody answered also carries that session's id, for its *Yes* / *No* / *Moved*.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from bot.domain.notifications import NOTIFICATION_TYPES, Notification


@dataclass(frozen=True)
class SessionNudge(Notification):
    """One nudge about one pair: what is pending, with the partner's name."""

    type: ClassVar[str] = "session_nudge"
    nudge_id: int
    kind: str  # no_session | unanswered | no_goals | dormant
    program_name: str
    person_ids: tuple[str, ...]  # the partner
    # ``unanswered``: the session, so the nudge carries its own Yes / No / Moved
    check_in_id: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "person_ids", tuple(str(p) for p in self.person_ids))

    def purpose(self) -> str:
        return f"nudge:{self.nudge_id}"


@dataclass(frozen=True)
class NudgeDigest(Notification):
    """A leader's one short weekly message instead of several pings."""

    type: ClassVar[str] = "session_digest"
    nudge_ids: tuple[int, ...]
    # (kind, partner id) per item, in the order the reader reads them
    items: tuple[tuple[str, str], ...]
    person_ids: tuple[str, ...] = ()  # the partners named

    def __post_init__(self) -> None:
        object.__setattr__(self, "nudge_ids", tuple(int(i) for i in self.nudge_ids))
        object.__setattr__(self, "items", tuple((str(k), str(p)) for k, p in self.items))
        object.__setattr__(self, "person_ids", tuple(str(p) for p in self.person_ids))

    def purpose(self) -> str:
        return f"nudge:{self.nudge_ids[0]}" if self.nudge_ids else self.type


@dataclass(frozen=True)
class PairAtRisk(Notification):
    """For the program admins: a pair drifting, and what happened (nobody is removed)."""

    type: ClassVar[str] = "session_at_risk"
    pairing_id: int
    program_name: str
    program_slug: str
    person_ids: tuple[str, ...]  # mentor, mentee
    ignored: tuple[tuple[str, int], ...] = ()  # (person id, nudges ignored)
    dormant_days: int = 0
    open_items: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "person_ids", tuple(str(p) for p in self.person_ids))
        object.__setattr__(self, "ignored", tuple((str(p), int(c)) for p, c in self.ignored))
        object.__setattr__(self, "open_items", tuple(str(k) for k in self.open_items))


NOTIFICATION_TYPES.update({cls.type: cls for cls in (SessionNudge, NudgeDigest, PairAtRisk)})
