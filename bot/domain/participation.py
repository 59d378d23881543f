"""What happens around an enrollment: pausing, leaving, writing to the team, invitations.

Pure rules: no chat types, no SQLAlchemy. Problems come back as codes; ``dialogs`` puts
them into words in the reader's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from bot.domain.due import DueKind, unique

# Enrollments that still take part (or wait to): the ones pause, leave and merge act on.
OPEN_STATUSES = ("draft", "pending", "active", "paused")
PAUSABLE_STATUSES = ("active", "paused")  # pending waits for approval: nothing to pause
LEAVABLE_STATUSES = ("pending", "active", "paused")
# A draft is an enrollment left unfinished: the invitation is still unanswered.
ANSWERED_STATUSES = ("pending", "active", "paused", "left", "declined")

MAX_PAUSE_DAYS = 366  # "at most a year ahead", leap years included
MAX_MESSAGE_CHARS = 3000
MAX_REASON_CHARS = 2000
INVITE_REMINDER_DAYS = 7
MAX_INVITE_REMINDER_DAYS = 60

PauseProblem = Literal["past", "too_far"]

EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>]+$")
SEPARATORS = re.compile(r"[\s,;]+")


def pause_date_problem(until: date, today: date) -> PauseProblem | None:
    """A pause ends on a day after today and at most a year ahead."""
    if until <= today:
        return "past"
    if until > today + timedelta(days=MAX_PAUSE_DAYS):
        return "too_far"
    return None


def local_today(now: datetime, zone: str) -> date:
    return now.astimezone(ZoneInfo(zone)).date()


def resume_at(until: date, zone: str) -> datetime:
    """The instant a pause ends: the start of ``until`` in the person's own zone, in UTC."""
    return datetime.combine(until, time(0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


# -- due actions: each kind with its payload and its idempotency key ----------------------


@dataclass(frozen=True)
class Resume:
    enrollment_id: int
    until: str  # the instant the pause ends (ISO 8601, UTC)
    day: str = ""  # the last day of the pause in the person's zone: one resume per date

    @property
    def instant(self) -> datetime:
        return datetime.fromisoformat(self.until)


@dataclass(frozen=True)
class Invite:
    person_id: str
    program_id: int


@dataclass(frozen=True)
class TellPartner:
    """Someone left: their partner is told (never why)."""

    partner_id: str  # the person to tell
    leaver_id: str
    program_name: str
    pairing_id: int = 0  # the pairing that ended (0 in actions queued before it was kept)


@dataclass(frozen=True)
class Contact:
    """A person's message to the program team."""

    person_id: str
    text: str
    program_ids: tuple[int, ...] = ()  # the programs they take part in; none: open ones
    program_name: str = ""


# Pausing again to another date queues another resume.
RESUME = DueKind(
    "participation.resume",
    Resume,
    key=lambda p: f"participation.resume:{p.enrollment_id}:{p.day}",
)
INVITE = DueKind(
    "participation.invite",
    Invite,
    key=lambda p: f"participation.invite:{p.program_id}:{p.person_id}",
)
INVITE_REMINDER = DueKind(
    "participation.invite_reminder",
    Invite,
    key=lambda p: f"participation.invite_reminder:{p.program_id}:{p.person_id}",
)
PARTNER_LEFT = DueKind(
    "participation.partner_left",
    TellPartner,
    key=lambda p: f"participation.partner_left:{p.pairing_id}:{p.partner_id}",
)
CONTACT = DueKind(
    "participation.contact",
    Contact,
    key=lambda p: unique(f"participation.contact:{p.person_id}"),
)


def partner_of(mentor_id: str, mentee_id: str, person_id: str) -> str:
    """The other side of a pair (a proposal or a pairing) from ``person_id``'s: the mentee
    for the mentor, the mentor for anyone else."""
    return mentee_id if mentor_id == person_id else mentor_id


@dataclass(frozen=True)
class InviteTargets:
    """Whom an admin asked to invite: emails, and/or career stages and departments."""

    emails: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    departments: tuple[str, ...] = ()
    not_emails: tuple[str, ...] = ()  # words that are no email: shown back, nothing sent

    @property
    def empty(self) -> bool:
        return not (self.emails or self.stages or self.departments)


def split_list(text: str) -> tuple[str, ...]:
    """Words separated by commas, semicolons, spaces or new lines, in order, once each."""
    return tuple(dict.fromkeys(w for w in SEPARATORS.split(text.strip()) if w))


def split_emails(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(emails, lower-cased and once each; what is no email, as typed)."""
    emails: dict[str, None] = {}
    others: list[str] = []
    for word in split_list(text):
        bare = word.strip("<>\"'")  # "Léa <lea@acme.example>" pasted from a mail client
        if EMAIL.match(bare):
            emails[bare.lower()] = None
        else:
            others.append(word)  # shown back as typed
    return tuple(emails), tuple(others)


def invite_targets(
    emails_text: str, stages: tuple[str, ...] = (), departments: tuple[str, ...] = ()
) -> InviteTargets:
    emails, others = split_emails(emails_text)
    return InviteTargets(
        emails=emails,
        stages=tuple(dict.fromkeys(s.strip() for s in stages if s.strip())),
        departments=tuple(dict.fromkeys(d.strip() for d in departments if d.strip())),
        not_emails=others,
    )


def reminder_days_problem(days: int) -> bool:
    return not 1 <= days <= MAX_INVITE_REMINDER_DAYS
