"""The life of a pairing proposal, as rules with no chat and no database in them.

    draft ──send──→ sent ──both accept──→ accepted  (a Pairing starts, an intro opens)
      │               ├──one declines───→ declined  (the other is told, never why)
      └─remove→ removed├──expiry date────→ expired   (both cards closed, back to the pool)
                      └──one side left──→ declined  (declined_by = the leaver)

A declined or expired pair is never proposed again (the loader lists it as a past pair);
the people in it go back to the pool for the next round.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol

from bot.domain.due import DueKind

DRAFT, SENT, ACCEPTED, DECLINED, EXPIRED, REMOVED = (
    "draft",
    "sent",
    "accepted",
    "declined",
    "expired",
    "removed",
)
ACCEPT, DECLINE = "accept", "decline"


# -- due actions: each kind with its payload and its idempotency key (each happens once) --


@dataclass(frozen=True)
class ProposalRef:
    proposal_id: int


@dataclass(frozen=True)
class ProposalWithdrawn:
    """The proposal ended on one side (a decline, or someone left): tell the other side."""

    proposal_id: int
    tell: str  # the person to tell
    outcome: str  # "declined_by_other", "partner_gone" or "not_started" (a rule broke)


@dataclass(frozen=True)
class PairingRef:
    pairing_id: int


@dataclass(frozen=True)
class PairingEndedNotice:
    pairing_id: int
    partner_id: str  # the person to tell
    ender_id: str
    by_admin: bool = False


def _withdrawn_key(p: ProposalWithdrawn) -> str:
    causes = {"declined_by_other": "declined", "not_started": "not_started"}
    cause = causes.get(p.outcome, "withdrawn")
    return f"proposal:{p.proposal_id}:{cause}"


SEND = DueKind("proposal.send", ProposalRef, key=lambda p: f"proposal:{p.proposal_id}:send")
REMIND = DueKind("proposal.remind", ProposalRef, key=lambda p: f"proposal:{p.proposal_id}:remind")
EXPIRE = DueKind("proposal.expire", ProposalRef, key=lambda p: f"proposal:{p.proposal_id}:expire")
# Someone declined or left while a proposal waited: tell the other side.
WITHDRAWN = DueKind("proposal.withdrawn", ProposalWithdrawn, key=_withdrawn_key)
# Both accepted: introduce them and ask for kickoff goals.
STARTED = DueKind("pairing.started", PairingRef, key=lambda p: f"pairing:{p.pairing_id}:started")
# Ended early: tell the partner, no fault.
ENDED = DueKind(
    "pairing.ended",
    PairingEndedNotice,
    key=lambda p: f"pairing:{p.pairing_id}:ended:{p.partner_id}",
)
ROUND = "matching.round"  # a scheduled round for rolling enrollment (a routine)
# Mondays 07:00 (the deployment's zone): admins find the round when they arrive
ROUNDS_TRIGGER = {"day_of_week": "mon", "hour": 7, "minute": 0}

MAX_GOALS = 3
MAX_GOAL_CHARS = 280
MAX_REASON_CHARS = 500
AGENDA_ITEMS = 3


Side = Literal["mentor", "mentee"]
AnswerResult = Literal[
    "not_yours",  # the person is on neither side
    "closed",  # the proposal is no longer waiting (expired, removed, already decided)
    "already",  # this side answered before (a double click): counts once
    "waiting",  # recorded; the other side has not answered yet
    "accepted",  # both accepted: the pairing starts
    "declined",  # this side declined: the proposal ends
    "partner_gone",  # the other side left meanwhile: the proposal ends, back to the pool
]


@dataclass(frozen=True)
class Answers:
    status: str
    mentor_answer: str | None
    mentee_answer: str | None


def side_of(person_id: str, mentor_id: str, mentee_id: str) -> Side | None:
    if person_id == mentor_id:
        return "mentor"
    if person_id == mentee_id:
        return "mentee"
    return None


def decide(current: Answers, side: Side | None, answer: str, partner_active: bool) -> AnswerResult:
    """What one answer does to a proposal (the caller holds the row's lock)."""
    if side is None:
        return "not_yours"
    if current.status != SENT:
        return "already" if _own(current, side) == answer else "closed"
    if _own(current, side) is not None:
        return "already"
    if answer == DECLINE:
        return "declined"
    if not partner_active:
        return "partner_gone"
    other = current.mentee_answer if side == "mentor" else current.mentor_answer
    return "accepted" if other == ACCEPT else "waiting"


class AnsweredBy(Protocol):
    """A proposal as a person answers it (the stored row fits)."""

    @property
    def mentor_id(self) -> str: ...
    @property
    def mentee_id(self) -> str: ...
    @property
    def mentor_answer(self) -> str | None: ...
    @property
    def mentee_answer(self) -> str | None: ...


def answer_of(proposal: AnsweredBy, person_id: str) -> str | None:
    """The person's own answer (None: not yet, or not their proposal)."""
    if person_id == proposal.mentor_id:
        return proposal.mentor_answer
    if person_id == proposal.mentee_id:
        return proposal.mentee_answer
    return None


def _own(current: Answers, side: Side) -> str | None:
    return current.mentor_answer if side == "mentor" else current.mentee_answer


def expiry(sent_at: datetime, days: int) -> datetime:
    return sent_at + timedelta(days=max(1, days))


def reminder_time(sent_at: datetime, expires_at: datetime) -> datetime:
    """One reminder, halfway to the expiry but at least a day before it when there is room."""
    halfway = sent_at + (expires_at - sent_at) / 2
    return min(halfway, max(sent_at, expires_at - timedelta(days=1)))


def agenda(wanted: list[tuple[str, int]], offered: set[str]) -> list[str]:
    """A first-session agenda: the mentee's wanted skills the mentor offers, the lowest
    current level first (the biggest step). Never a skill the mentor does not offer."""
    ranked = sorted((item for item in wanted if item[0] in offered), key=lambda i: (i[1], i[0]))
    return [key for key, _level in ranked[:AGENDA_ITEMS]]


def card_purpose(proposal_id: int) -> str:
    """What the delivered proposal cards are recorded as, to close them later."""
    return f"proposal:{proposal_id}"
