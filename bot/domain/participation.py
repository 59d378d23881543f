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
RESUME = "participation.resume"
INVITE = "participation.invite"
INVITE_REMINDER = "participation.invite_reminder"
PARTNER_LEFT = "participation.partner_left"
CONTACT = "participation.contact"

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


def resume_key(enrollment_id: int, until: date) -> str:
    """One resume per enrollment and date: pausing again to another date queues another."""
    return f"{RESUME}:{enrollment_id}:{until.isoformat()}"


def invite_key(person_id: str, program_id: int) -> str:
    return f"{INVITE}:{program_id}:{person_id}"


def invite_reminder_key(person_id: str, program_id: int) -> str:
    return f"{INVITE_REMINDER}:{program_id}:{person_id}"


def partner_left_key(pairing_id: int, partner_id: str) -> str:
    return f"{PARTNER_LEFT}:{pairing_id}:{partner_id}"


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
