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

    def purpose(self) -> str:
        """What the delivered message is recorded as (to find it again and replace it)."""
        return self.type


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


# -- participation: pause, leave, contact, invitations ---------------------------------


@dataclass(frozen=True)
class PauseEnded(Notification):
    """A pause reached its date: the person takes part again."""

    type: ClassVar[str] = "pause_ended"
    program_name: str


@dataclass(frozen=True)
class PartnerLeft(Notification):
    """For the partner of someone who left: kind words, never the reason."""

    type: ClassVar[str] = "partner_left"
    person_ids: tuple[str, ...]  # who left (a tuple: the notifier looks names up by it)
    program_name: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "person_ids", tuple(self.person_ids))  # JSON gives a list


@dataclass(frozen=True)
class MessageToTeam(Notification):
    """For the program team: what a participant wrote to them (their words, kept inert)."""

    type: ClassVar[str] = "message_to_team"
    person_ids: tuple[str, ...]  # who wrote
    program_name: str
    text: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "person_ids", tuple(self.person_ids))


@dataclass(frozen=True)
class Invitation(Notification):
    """A personal invitation to join a program (with a Join button); ``reminder`` once."""

    type: ClassVar[str] = "invitation"
    program_slug: str
    program_name: str
    reminder: bool = False


NOTIFICATION_TYPES.update(
    {cls.type: cls for cls in (PauseEnded, PartnerLeft, MessageToTeam, Invitation)}
)


# -- enrollment: approval by the program team ----------------------------------------


@dataclass(frozen=True)
class ApprovalRequested(Notification):
    """For a program admin: someone asks to join a program that approves people first."""

    type: ClassVar[str] = "enrollment_approval"
    person_ids: tuple[str, ...]  # who asks (a tuple: the notifier looks names up by it)
    program_name: str
    enrollment_id: int
    role: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "person_ids", tuple(self.person_ids))  # JSON gives a list


@dataclass(frozen=True)
class EnrollmentDecided(Notification):
    """For the person: the program team approved or declined their enrollment."""

    type: ClassVar[str] = "enrollment_decided"
    program_name: str
    approved: bool


NOTIFICATION_TYPES.update({cls.type: cls for cls in (ApprovalRequested, EnrollmentDecided)})


# -- program administration: new versions of the program's texts -----------------------


@dataclass(frozen=True)
class TextsUpdated(Notification):
    """For an enrolled person: the charter or privacy notice changed; please accept it again."""

    type: ClassVar[str] = "texts_updated"
    program_slug: str
    program_name: str
    kind: str  # charter | privacy
    version: int


NOTIFICATION_TYPES.update({cls.type: cls for cls in (TextsUpdated,)})


# -- reaching people: announcements in shared channels ---------------------------------


@dataclass(frozen=True)
class AnnouncementFailed(Notification):
    """For the admin who asked: the call for volunteers could not be posted in a channel."""

    type: ClassVar[str] = "announcement_failed"
    channel: str  # as the admin named it, e.g. "#general"
    program_name: str
    reason: str  # the platform's word, e.g. not_in_channel


NOTIFICATION_TYPES.update({cls.type: cls for cls in (AnnouncementFailed,)})
