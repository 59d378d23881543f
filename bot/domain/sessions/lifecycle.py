"""What a planned session sets in motion, as data: the due actions around it and what the
two people are told (``dialogs/sessions`` puts it into words and handles the actions).

Every due action of a session has a key that starts with ``session_keys(id)``, and the
messages those actions queue extend that key, so cancelling a session's pending actions
by that prefix, in the transaction that cancels it, stops every reminder not yet sent.
The session's ``sequence`` is part of each key: a rescheduled session (sequence + 1) gets
new reminders while the old ones stay cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from bot.domain.due import DueKind
from bot.domain.notifications import NOTIFICATION_TYPES, Notification

ANSWERS = ("yes", "no", "moved")
# Why a pair's future sessions were all cancelled (the partner is told, never more).
CANCEL_REASONS = ("pause", "leave", "end", "forget")


def session_keys(check_in_id: int) -> str:
    """The prefix of every due-action key about one session (the trailing colon keeps
    session 1 apart from session 12)."""
    return f"session:{check_in_id}:"


@dataclass(frozen=True)
class Remind:
    check_in_id: int
    sequence: int  # the version it reminds of: a changed session makes it void
    person_id: str
    hours: tuple[int, ...]  # merged reminders carry several offsets


@dataclass(frozen=True)
class Plan:
    """Plan a confirmed session's reminders and its question (run at once, where the
    deployment's quiet hours are known)."""

    check_in_id: int
    sequence: int


@dataclass(frozen=True)
class Ask:
    """ "Did it happen?" to both, after the session's end."""

    check_in_id: int
    sequence: int


@dataclass(frozen=True)
class SessionsCancelled(Notification):
    """For the partner: their future sessions were cancelled (pause, leave, end, forget)."""

    type: ClassVar[str] = "sessions_cancelled"
    person_ids: tuple[str, ...]  # who caused it (empty when forgotten: no name)
    reason: str
    count: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "person_ids", tuple(self.person_ids))


@dataclass(frozen=True)
class TellCancelled:
    """Queued where no notifier is at hand (storage's erasure): tell the partner."""

    partner_id: str
    person_id: str  # "" when the person was forgotten
    reason: str
    count: int
    pairing_id: int
    at: str  # when (ISO): a second pause later is told again


PLAN = DueKind(
    "sessions.plan", Plan, key=lambda p: f"{session_keys(p.check_in_id)}s{p.sequence}:plan"
)
REMIND = DueKind("sessions.remind", Remind)
ASK = DueKind("sessions.ask", Ask, key=lambda a: f"{session_keys(a.check_in_id)}s{a.sequence}:ask")
TELL_CANCELLED = DueKind(
    "sessions.tell_cancelled",
    TellCancelled,
    key=lambda t: f"sessions-cancelled:{t.pairing_id}:{t.partner_id}:{t.reason}:{t.at}",
)


def _ids(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


@dataclass(frozen=True)
class SessionReminder(Notification):
    """Before a session: when (in the reader's zone), with whom; Reschedule, Skip, Cancel."""

    type: ClassVar[str] = "session_reminder"
    check_in_id: int
    person_ids: tuple[str, ...]  # the partner
    starts_at: str  # ISO, UTC
    minutes: int
    hours: tuple[int, ...] = ()  # 24 → "tomorrow"-style, 1 → "in an hour"

    def __post_init__(self) -> None:
        object.__setattr__(self, "person_ids", _ids(self.person_ids))
        object.__setattr__(self, "hours", tuple(int(h) for h in self.hours))

    def purpose(self) -> str:
        return f"session:{self.check_in_id}"


@dataclass(frozen=True)
class DidItHappen(Notification):
    """After a session: Yes / No / Moved."""

    type: ClassVar[str] = "session_did_it_happen"
    check_in_id: int
    person_ids: tuple[str, ...]  # the partner
    starts_at: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "person_ids", _ids(self.person_ids))

    def purpose(self) -> str:
        return f"session-asked:{self.check_in_id}"


@dataclass(frozen=True)
class SessionPlanned(Notification):
    """The next session of the series is planned; ``shift_minutes`` non-zero when the
    reader's local hour moves this time (clocks changed on one side only)."""

    type: ClassVar[str] = "session_planned"
    check_in_id: int
    person_ids: tuple[str, ...]
    starts_at: str
    minutes: int
    shift_minutes: int = 0
    cadence_days: int = 14
    calendar: str = ""  # the reader's private calendar token (dialogs/sessions/calendar.py)

    def __post_init__(self) -> None:
        object.__setattr__(self, "person_ids", _ids(self.person_ids))


@dataclass(frozen=True)
class SessionChanged(Notification):
    """For the partner: the other person skipped, cancelled or rescheduled a session, or
    changed the pair's cadence (``what``: skipped | cancelled | rescheduled | cadence)."""

    type: ClassVar[str] = "session_changed"
    person_ids: tuple[str, ...]  # who did it
    what: str
    starts_at: str = ""  # the session's (new) time
    cadence_days: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "person_ids", _ids(self.person_ids))


NOTIFICATION_TYPES.update(
    {
        cls.type: cls
        for cls in (SessionsCancelled, SessionReminder, DidItHappen, SessionPlanned, SessionChanged)
    }
)


def outcome(answers: dict[str, str], people: tuple[str, ...]) -> str | None:
    """The session's status from "did it happen?" answers: held when both said yes (or one
    did and the other has not answered), missed when no, disputed when they disagree,
    None while nothing decides it. "moved" decides nothing: the reschedule does."""
    given = [answers[p] for p in people if p in answers and answers[p] != "moved"]
    if not given:
        return None
    if "yes" in given and "no" in given:
        return "disputed"
    return "held" if "yes" in given else "missed"
