"""What matching has to tell people, as data (the dialogs layer puts it into words).

Proposal cards carry a snapshot of what the reader needs (the other person's highlights,
the reasons as codes, skill labels in both languages), so that a card rendered days later
from the queue says what the proposal was when it was made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from bot.domain.notifications import NOTIFICATION_TYPES, Notification
from bot.domain.proposals import card_purpose


def _tuple(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value)


@dataclass(frozen=True)
class PairProposed(Notification):
    """For each side of a proposal: who, why, the other's highlights, Accept / Decline."""

    type: ClassVar[str] = "pair_proposed"
    proposal_id: int
    program_name: str
    person_ids: tuple[str, ...]  # the other person (the notifier looks names up by it)
    role: str  # the reader's side: mentor | mentee
    reasons: list[dict[str, Any]] = field(default_factory=list)
    # the other person: title, skills (keys), goals, languages, format, location
    highlights: dict[str, Any] = field(default_factory=dict)
    agenda: list[str] = field(default_factory=list)  # skill keys, first session
    skill_labels: dict[str, dict[str, str]] = field(default_factory=dict)  # key -> locale -> name
    names: dict[str, str] = field(default_factory=dict)  # person id -> name, for the reasons
    expires_at: str = ""  # ISO, UTC
    reminder: bool = False
    mentor_id: str = ""  # the reasons name both sides
    mentee_id: str = ""
    stage_labels: dict[str, dict[str, str]] = field(default_factory=dict)  # key -> locale -> name

    def __post_init__(self) -> None:
        object.__setattr__(self, "person_ids", _tuple(self.person_ids))

    def purpose(self) -> str:
        return card_purpose(self.proposal_id)


@dataclass(frozen=True)
class ProposalClosed(Notification):
    """A proposal ended without a pairing, or the reader's card is answered.

    ``outcome``: expired | declined_by_other | partner_gone | you_declined | accepted_waiting
    | accepted (both did: the pairing started; a card only).
    ``card`` renders the short replacement of the proposal card (its buttons gone); without
    it, the message that tells the person. The other's reason is never part of it.
    """

    type: ClassVar[str] = "proposal_closed"
    proposal_id: int
    program_name: str
    person_ids: tuple[str, ...]  # the other person
    outcome: str
    card: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "person_ids", _tuple(self.person_ids))


@dataclass(frozen=True)
class PairingIntroduction(Notification):
    """Both accepted: a conversation with both, a first agenda, and kickoff goals to set."""

    type: ClassVar[str] = "pairing_introduction"
    pairing_id: int
    program_name: str
    person_ids: tuple[str, ...]  # mentor, mentee
    agenda: list[str] = field(default_factory=list)
    skill_labels: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "person_ids", _tuple(self.person_ids))


@dataclass(frozen=True)
class PairingEnded(Notification):
    """For the partner of a pairing ended early: no fault, never a reason."""

    type: ClassVar[str] = "pairing_ended"
    pairing_id: int
    program_name: str
    person_ids: tuple[str, ...]  # the partner who ended it (empty when an admin did)
    by_admin: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "person_ids", _tuple(self.person_ids))


@dataclass(frozen=True)
class RoundReady(Notification):
    """For program admins: a scheduled round is ready to review and send."""

    type: ClassVar[str] = "round_ready"
    run_id: int
    program_name: str
    pairs: int
    unmatched: int


NOTIFICATION_TYPES.update(
    {
        cls.type: cls
        for cls in (PairProposed, ProposalClosed, PairingIntroduction, PairingEnded, RoundReady)
    }
)
