"""The plain facts a program's report is computed from (storage reads them from the
tables; tests may write them by hand)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.reports.privacy import in_period

NOT_STATED = ""  # the group of people whose department (stage, location) is not known


@dataclass(frozen=True)
class PersonFact:
    person_id: str
    enrolled_at: datetime
    groups: Mapping[str, str]  # breakdown -> the person's group (NOT_STATED if unknown)
    baseline: Mapping[str, int] = field(default_factory=dict)  # skill -> level at enrollment
    matched_at: datetime | None = None  # their first pairing in the program
    unreachable: bool = False


@dataclass(frozen=True)
class FeedbackFact:
    """One ``Feedback`` row (``ref`` its id)."""

    ref: int
    person_id: str
    kind: str  # session | midpoint | closing | pulse
    at: datetime
    rating: int | None = None
    nps: int | None = None
    skill_levels: Mapping[str, int] = field(default_factory=dict)
    retrospective: Mapping[str, int] = field(default_factory=dict)
    quote: str | None = None  # a testimonial its author agreed to have quoted


@dataclass(frozen=True)
class RequestFact:
    person_id: str
    kind: str
    asked_at: datetime
    answer_ref: int | None  # the Feedback answering it


@dataclass(frozen=True)
class GoalCheckFact:
    ref: int
    person_id: str
    goal_id: int
    at: datetime
    done: bool


@dataclass(frozen=True)
class PairFact:
    mentor_id: str
    mentee_id: str
    started_at: datetime
    first_held_at: datetime | None
    at_risk: bool
    active: bool


@dataclass(frozen=True)
class ProgramFacts:
    now: datetime
    people: Sequence[PersonFact]
    feedback: Sequence[FeedbackFact] = ()
    requests: Sequence[RequestFact] = ()
    goal_checks: Sequence[GoalCheckFact] = ()
    pairs: Sequence[PairFact] = ()
    sessions: Sequence[tuple[str, datetime]] = ()  # (status, scheduled_at)
    proposals: Sequence[tuple[str, datetime | None]] = ()  # (status, sent_at)


@dataclass(frozen=True)
class Period:
    start: datetime | None = None
    end: datetime | None = None  # excluded

    def holds(self, at: datetime | None) -> bool:
        return at is not None and in_period(at, self.start, self.end)

    @property
    def whole(self) -> bool:
        return self.start is None and self.end is None
