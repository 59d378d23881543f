"""Matching runs and proposals, admin blocks and pins, pairings, check-ins, feedback, goals."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, Timestamped
from storage.types import JSONType, PersonId, UTCDateTime, utcnow


class MatchRun(Base):
    __tablename__ = "match_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    dry_run: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(16), default="running")
    stats: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_by: Mapped[str | None] = mapped_column(PersonId)
    # "admin" (on demand) or "schedule" (a round for rolling enrollment)
    trigger: Mapped[str] = mapped_column(String(16), default="admin", server_default="admin")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Proposal(Timestamped, Base):
    __tablename__ = "proposals"
    __table_args__ = (
        CheckConstraint(
            "status IN ('draft', 'sent', 'accepted', 'declined', 'expired', 'removed')",
            name="status",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    match_run_id: Mapped[int] = mapped_column(ForeignKey("match_runs.id", ondelete="CASCADE"))
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    mentor_id: Mapped[str] = mapped_column(PersonId, index=True)
    mentee_id: Mapped[str] = mapped_column(PersonId, index=True)
    score: Mapped[float] = mapped_column(Float)
    # Reason codes with parameters; dialogs put them into words in the reader's language.
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    mentor_answer: Mapped[str | None] = mapped_column(String(16))
    mentee_answer: Mapped[str | None] = mapped_column(String(16))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_by: Mapped[str | None] = mapped_column(PersonId)
    decline_reason: Mapped[str | None] = mapped_column(Text)  # private: never shown to the other


class AdminBlock(Timestamped, Base):
    """An admin says: never pair these two (in this program)."""

    __tablename__ = "admin_blocks"
    __table_args__ = (UniqueConstraint("program_id", "person_a", "person_b"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    person_a: Mapped[str] = mapped_column(PersonId)
    person_b: Mapped[str] = mapped_column(PersonId)
    created_by: Mapped[str | None] = mapped_column(PersonId)


class AdminPin(Timestamped, Base):
    """An admin says: pair this mentor with this mentee (the solver keeps it)."""

    __tablename__ = "admin_pins"
    __table_args__ = (UniqueConstraint("program_id", "mentor_id", "mentee_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    mentor_id: Mapped[str] = mapped_column(PersonId)
    mentee_id: Mapped[str] = mapped_column(PersonId)
    created_by: Mapped[str | None] = mapped_column(PersonId)


class Pairing(Timestamped, Base):
    """An active or past pair; history is kept so that no pair repeats."""

    __tablename__ = "pairings"
    __table_args__ = (CheckConstraint("status IN ('active', 'ended', 'completed')", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id"))
    mentor_id: Mapped[str] = mapped_column(PersonId, index=True)
    mentee_id: Mapped[str] = mapped_column(PersonId, index=True)
    status: Mapped[str] = mapped_column(String(16), default="active")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_by: Mapped[str | None] = mapped_column(PersonId)
    end_reason: Mapped[str | None] = mapped_column(Text)  # private: never shown to the partner
    # The pair's own cadence (either person may change it); None = the slower of the two
    # enrollment preferences, else the program's.
    cadence: Mapped[str | None] = mapped_column(String(16))
    # "Not for me": no more "try it this week" tips for this pairing (migration 0013).
    tips_declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CheckIn(Timestamped, Base):
    """One session of a pair: proposed slots, then a confirmed time, then what happened.

    A pair's series is a clock rule: ``local_start`` read in ``zone`` (the pair chooses;
    the leader's zone by default), so a clock change never moves the session's local hour.
    ``scheduled_at`` is the UTC instant, recomputed from the rule; ``sequence`` is the
    iCalendar SEQUENCE, bumped on every change a calendar must see.
    """

    __tablename__ = "check_ins"
    __table_args__ = (
        CheckConstraint(
            "status IN ('proposed', 'planned', 'held', 'missed', 'skipped', 'rescheduled',"
            " 'cancelled', 'disputed')",
            name="status",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pairing_id: Mapped[int] = mapped_column(ForeignKey("pairings.id", ondelete="CASCADE"))
    ordinal: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # 1 = first
    # While ``proposed``: the time of the first proposed slot; then the confirmed instant.
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=45)
    # proposed: slots offered, nobody has confirmed | planned: confirmed | held | missed
    # (nobody answered "did it happen?") | skipped | rescheduled (replaced by a later row)
    # | cancelled | disputed (one said yes, the other no)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # iCalendar SEQUENCE
    # UTC instants (ISO 8601) offered while ``proposed``; emptied once confirmed.
    slots: Mapped[list[str]] = mapped_column(JSONType, default=list)
    picked_by: Mapped[str | None] = mapped_column(PersonId)  # who picked (or typed) the time
    confirmed_by: Mapped[str | None] = mapped_column(PersonId)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The series' clock rule: wall time and IANA zone (None until the first is confirmed).
    zone: Mapped[str | None] = mapped_column(String(64))
    local_start: Mapped[time | None] = mapped_column(Time)
    # The pair organises the time themselves and confirms the date afterwards.
    self_organised: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    # "Did it happen?": {"<person id>": "yes" | "no" | "moved"}.
    answers: Mapped[dict[str, str]] = mapped_column(JSONType, default=dict)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("check_ins.id"))
    cancelled_by: Mapped[str | None] = mapped_column(PersonId)


class Nudge(Base):
    """One nudge (or weekly digest, or at-risk alert) sent about a pairing, and its answer.

    The nudge policy (bot/domain) reads these to keep within its weekly limits and to turn
    ignored nudges into an alert to the program admins instead of a third nudge.
    """

    __tablename__ = "nudges"
    __table_args__ = (
        CheckConstraint("answer IS NULL OR answer IN ('snoozed', 'fine', 'acted')", name="answer"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pairing_id: Mapped[int] = mapped_column(
        ForeignKey("pairings.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[str] = mapped_column(PersonId, index=True)  # who was nudged
    # no_session | unanswered | no_goals | dormant | digest | at_risk
    kind: Mapped[str] = mapped_column(String(16))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    answer: Mapped[str | None] = mapped_column(String(16))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Feedback(Base):
    """One person's answer to one ``FeedbackRequest`` (a session's survey, a pulse, a
    mid-point or closing review); answering again updates it. Private: the other side of
    the pair never reads it, admins only as aggregates (pulses: see ``bot.domain.feedback``).
    """

    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("pairing_id", "check_in_id", "person_id", "kind"),
        CheckConstraint("kind IN ('session', 'midpoint', 'closing', 'pulse')", name="kind"),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating"),
        CheckConstraint("nps IS NULL OR nps BETWEEN 0 AND 10", name="nps"),
        CheckConstraint("pulse IS NULL OR pulse IN ('fine', 'concern', 'talk')", name="pulse"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pairing_id: Mapped[int] = mapped_column(ForeignKey("pairings.id", ondelete="CASCADE"))
    check_in_id: Mapped[int | None] = mapped_column(ForeignKey("check_ins.id", ondelete="CASCADE"))
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("feedback_requests.id", ondelete="CASCADE"), unique=True
    )
    person_id: Mapped[str] = mapped_column(PersonId, index=True)
    kind: Mapped[str] = mapped_column(String(16), default="session")
    role: Mapped[str | None] = mapped_column(String(8))  # mentor | mentee
    happened: Mapped[bool | None] = mapped_column(Boolean)
    rating: Mapped[int | None] = mapped_column(Integer)
    # Session: the skill keys learned (mentee) or taught (mentor), chips from the pair's skills.
    skills: Mapped[list[str]] = mapped_column(JSONType, default=list)
    learned: Mapped[str | None] = mapped_column(Text)  # free text: what was learned or taught
    comment: Mapped[str | None] = mapped_column(Text)  # free text, optional
    pulse: Mapped[str | None] = mapped_column(String(16))  # fine | concern | talk
    # Closing: skill -> self-assessed level now (1-5); and, looking back, where they were.
    skill_levels: Mapped[dict[str, int]] = mapped_column(JSONType, default=dict)
    retrospective: Mapped[dict[str, int]] = mapped_column(JSONType, default=dict)
    nps: Mapped[int | None] = mapped_column(Integer)  # 0-10, would you recommend
    changed: Mapped[str | None] = mapped_column(Text)  # free text: what changed for you
    testimonial: Mapped[str | None] = mapped_column(Text)  # free text, quoted only with consent
    quote_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    quote_withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Goal(Timestamped, Base):
    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pairing_id: Mapped[int] = mapped_column(ForeignKey("pairings.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=1)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_by: Mapped[str | None] = mapped_column(PersonId)
    achieved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
