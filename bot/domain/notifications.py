"""What the program has to tell people, as data: the domain emits these, never chat text.

``dialogs`` presenters put them into words in the reader's language; the notifier queues
and delivers them. Each has a stable ``type`` and JSON-safe parameters so that it survives
in the due-action queue.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, ClassVar


@dataclass(frozen=True)
class Notification:
    type: ClassVar[str] = "notification"

    def to_payload(self) -> dict[str, Any]:
        return {"type": self.type, "params": asdict(self)}


@dataclass(frozen=True)
class Introduction(Notification):
    """Two (or more) people should meet: a pairing starts."""

    type: ClassVar[str] = "introduction"
    person_ids: tuple[str, ...]
    program_name: str = ""


@dataclass(frozen=True)
class PersonUnreachable(Notification):
    """For admins: someone could not be reached on any platform (never silently skipped)."""

    type: ClassVar[str] = "person_unreachable"
    person_id: str
    reason: str


@dataclass(frozen=True)
class Announcement(Notification):
    """A message from the program team, in both languages (the reader gets theirs)."""

    type: ClassVar[str] = "announcement"
    text_fr: str
    text_en: str


NOTIFICATION_TYPES: dict[str, type[Notification]] = {
    cls.type: cls for cls in (Introduction, PersonUnreachable, Announcement)
}


def notification_from_payload(payload: dict[str, Any]) -> Notification:
    cls = NOTIFICATION_TYPES[payload["type"]]
    params = dict(payload["params"])
    if cls is Introduction:
        params["person_ids"] = tuple(params["person_ids"])
    return cls(**params)
