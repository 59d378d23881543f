"""Scheduling a pair's first session, as data: its due actions and what people are told.

The dialogs layer words these in each reader's language and time zone. Times travel as
ISO 8601 UTC instants; a card rendered days later from the queue still names the slots it
was made with (a click on a slot that changed meanwhile is answered, not acted on).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from bot.domain.due import DueKind
from bot.domain.notifications import NOTIFICATION_TYPES, Notification

# How long after "we'll organise it ourselves" they are asked for the date they chose.
ASK_DATE_AFTER_DAYS = 3


def _ids(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


def slots_purpose(check_in_id: int) -> str:
    """What a session's slot and pick cards are recorded as: replaced once it is settled."""
    return f"session:{check_in_id}:slots"


@dataclass(frozen=True)
class PairingSlots:
    pairing_id: int


@dataclass(frozen=True)
class CheckInRef:
    check_in_id: int


# Offered once per pairing, whether the pairing just started or was already active when
# scheduling shipped: the same key makes the second attempt a no-op.
OFFER = DueKind(
    "sessions.offer_slots", PairingSlots, key=lambda p: f"pairing:{p.pairing_id}:first_slots"
)
ASK_DATE = DueKind(
    "sessions.ask_date", CheckInRef, key=lambda p: f"check_in:{p.check_in_id}:ask_date"
)
BACKFILL = "sessions.first_slots_backfill"  # the routine's name


@dataclass(frozen=True)
class SlotsOffered(Notification):
    """Slots for a session, to one person of the pair (or to a leader's assistant).

    ``outside``: slot -> the people whose hours it falls outside (nearest options when the
    two never overlap; ``overlap`` is then False and the card offers an asynchronous
    exchange). ``for_leader``: the leader the reader acts for (an assistant), else "".
    """

    type: ClassVar[str] = "session_slots"
    check_in_id: int
    program_name: str
    person_ids: tuple[str, ...]  # the partner (and the leader, for an assistant)
    slots: tuple[str, ...]
    minutes: int = 45
    overlap: bool = True
    outside: dict[str, list[str]] = field(default_factory=dict)
    for_leader: str = ""
    again: bool = False  # other slots, after someone asked

    def __post_init__(self) -> None:
        object.__setattr__(self, "person_ids", _ids(self.person_ids))
        object.__setattr__(self, "slots", _ids(self.slots))

    def purpose(self) -> str:
        return slots_purpose(self.check_in_id)


@dataclass(frozen=True)
class SlotPicked(Notification):
    """The partner (or an assistant for them) picked or proposed a time: confirm it, or ask
    for other slots. ``outside_reader``: the time lies outside the reader's hours."""

    type: ClassVar[str] = "session_picked"
    check_in_id: int
    person_ids: tuple[str, ...]  # who picked (then the leader they acted for, if any)
    at: str
    minutes: int = 45
    outside_reader: bool = False
    typed: bool = False
    for_leader: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "person_ids", _ids(self.person_ids))

    def purpose(self) -> str:
        return slots_purpose(self.check_in_id)


@dataclass(frozen=True)
class SessionConfirmed(Notification):
    """The session is planned. ``person_ids``: the partner (and who acted, when an assistant
    did); ``earlier``: the reader picked another slot at the same moment and is told which
    one holds; ``copy``: the leader's single copy, their assistant having arranged it."""

    type: ClassVar[str] = "session_confirmed"
    check_in_id: int
    person_ids: tuple[str, ...]
    at: str
    minutes: int = 45
    earlier: bool = False
    copy: bool = False
    card: bool = False  # the replacement of the slot cards (no buttons)
    calendar: str = ""  # the reader's private calendar address: calendar links ("" none)

    def __post_init__(self) -> None:
        object.__setattr__(self, "person_ids", _ids(self.person_ids))

    def purpose(self) -> str:
        return slots_purpose(self.check_in_id) if self.card else self.type


@dataclass(frozen=True)
class SelfOrganised(Notification):
    """The partner (``person_ids[0]``) will agree the time directly; or, with ``ask``, the
    due question: which date did you agree on?"""

    type: ClassVar[str] = "session_self_organised"
    check_in_id: int
    person_ids: tuple[str, ...]
    ask: bool = False
    asynchronous: bool = False  # an exchange in writing rather than a meeting

    def __post_init__(self) -> None:
        object.__setattr__(self, "person_ids", _ids(self.person_ids))


SCHEDULING_NOTIFICATIONS: tuple[type[Notification], ...] = (
    SlotsOffered,
    SlotPicked,
    SessionConfirmed,
    SelfOrganised,
)
NOTIFICATION_TYPES.update({cls.type: cls for cls in SCHEDULING_NOTIFICATIONS})
