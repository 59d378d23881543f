"""Recognition of mentors, as rules: who earns a certificate, what a thank-you may say,
what a mentor's consent allows, and the messages and due actions around them.

Reverse mentoring asks young employees to coach their seniors; the program thanks them:
a thank-you from the mentee (any time, and offered when the pairing closes), a certificate
for each mentor who saw a pairing through, and, only with the mentor's consent, a public
shout-out in the channel the program team chose and a note to the mentor's manager.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar, Literal

from bot.domain.due import DueKind
from bot.domain.notifications import NOTIFICATION_TYPES, Notification

# A pairing ended early (a move, a leave) still earns its mentor a certificate once this
# many sessions were held: three sessions is about six weeks of coaching at the default
# cadence, enough to have taught something. A completed pairing always earns one.
MIN_HELD_SESSIONS = 3
THANKS_MAX_CHARS = 600  # a short word, not a letter: it also fits one chat message

Kind = Literal["thanks", "certificate", "shout_out", "manager_note"]
ThanksProblem = Literal["empty", "too_long"]
Consent = Literal["yes", "no"]


def earns_certificate(status: str, held_sessions: int) -> bool:
    """A completed pairing, or one that ended after at least ``MIN_HELD_SESSIONS``."""
    if status == "completed":
        return True
    return status == "ended" and held_sessions >= MIN_HELD_SESSIONS


def thanks_problem(text: str) -> ThanksProblem | None:
    words = text.strip()
    if not words:
        return "empty"
    if len(words) > THANKS_MAX_CHARS:
        return "too_long"
    return None


def may_thank(person_id: str, mentee_id: str, status: str) -> bool:
    """Only the mentee thanks, at any time of the pairing or after it."""
    return person_id == mentee_id and status in ("active", "ended", "completed")


def parse_consent(value: str) -> tuple[int, Consent] | None:
    """A consent button's value ``"<pairing id>:yes|no"``; None when malformed."""
    pairing, _, answer = value.partition(":")
    if not pairing.isdigit() or answer not in ("yes", "no"):
        return None
    return int(pairing), "yes" if answer == "yes" else "no"


def goes_public(consent: Consent | None) -> bool:
    """Without an explicit yes, nothing is posted and the manager hears nothing."""
    return consent == "yes"


@dataclass(frozen=True)
class CertificateFacts:
    """What a certificate says, already in its reader's words (``locale``)."""

    locale: str
    mentor_name: str
    program_name: str
    started_on: date
    ended_on: date
    skills: tuple[str, ...]  # localised skill names
    issued_on: date
    held_sessions: int


def certificate_filename(slug: str, locale: str, extension: str) -> str:
    stem = "certificat" if locale == "fr" else "certificate"
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in slug)[:60] or "program"
    return f"{stem}-{safe}.{extension}"


# -- due actions -------------------------------------------------------------------------


@dataclass(frozen=True)
class PairingClosed:
    """A pairing was completed or ended: certificate (if earned), consent, offer thanks."""

    pairing_id: int


@dataclass(frozen=True)
class ShoutOut:
    """Post the consented shout-out of a recognition row in the program's channel."""

    recognition_id: int


CLOSED = DueKind("recognition.closed", PairingClosed, key=lambda p: f"recognition:{p.pairing_id}")
SHOUT_OUT = DueKind(
    "recognition.shout_out", ShoutOut, key=lambda s: f"recognition-shout:{s.recognition_id}"
)


# -- notifications -------------------------------------------------------------------------


def _ids(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


@dataclass(frozen=True)
class ThanksReceived(Notification):
    """For the mentor: their mentee's thank-you, in the mentee's own words."""

    type: ClassVar[str] = "thanks_received"
    person_ids: tuple[str, ...]  # the mentee
    program_name: str
    text: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "person_ids", _ids(self.person_ids))


@dataclass(frozen=True)
class ThanksOffered(Notification):
    """For the mentee at the close: a button to thank their mentor."""

    type: ClassVar[str] = "thanks_offered"
    pairing_id: int
    person_ids: tuple[str, ...]  # the mentor
    program_name: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "person_ids", _ids(self.person_ids))

    def purpose(self) -> str:
        return f"thanks-offered:{self.pairing_id}"


@dataclass(frozen=True)
class CertificateReady(Notification):
    """For the mentor: their certificate, the stored files attached (Slack uploads them;
    Teams and the console link to ``/files/{token}``)."""

    type: ClassVar[str] = "certificate_ready"
    pairing_id: int
    program_name: str
    # (stored file id, file name, media type, signed URL or "") of the PDF and the PNG
    files: tuple[tuple[int, str, str, str], ...] = ()

    def __post_init__(self) -> None:
        files = tuple((int(i), str(n), str(m), str(u)) for i, n, m, u in self.files)
        object.__setattr__(self, "files", files)


@dataclass(frozen=True)
class PublicThanksAsked(Notification):
    """For the mentor: may the program thank you publicly (a channel, your manager)?"""

    type: ClassVar[str] = "public_thanks_asked"
    pairing_id: int
    program_name: str
    channel: str = ""  # where the shout-out would go, as the admins named it; "" none chosen
    has_manager: bool = False

    def purpose(self) -> str:
        return f"public-thanks:{self.pairing_id}"


@dataclass(frozen=True)
class ManagerNote(Notification):
    """For the mentor's manager (only with the mentor's consent): what they taught."""

    type: ClassVar[str] = "manager_note"
    person_ids: tuple[str, ...]  # the mentor
    program_name: str
    started_on: str  # ISO dates: the manager's language formats them
    ended_on: str
    skills: dict[str, list[str]]  # locale -> skill names
    held_sessions: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "person_ids", _ids(self.person_ids))


@dataclass(frozen=True)
class ShoutOutFailed(Notification):
    """For the admin who chose the channel: a consented shout-out could not be posted."""

    type: ClassVar[str] = "shout_out_failed"
    channel: str  # as the admin named it
    program_name: str
    reason: str  # the platform's word, e.g. not_in_channel


RECOGNITION_NOTIFICATIONS: tuple[type[Notification], ...] = (
    ThanksReceived,
    ThanksOffered,
    CertificateReady,
    PublicThanksAsked,
    ManagerNote,
    ShoutOutFailed,
)
NOTIFICATION_TYPES.update({cls.type: cls for cls in RECOGNITION_NOTIFICATIONS})
