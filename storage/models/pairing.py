"""Matching runs and proposals, admin blocks and pins, pairings, check-ins, feedback, goals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
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


class CheckIn(Timestamped, Base):
    __tablename__ = "check_ins"
    __table_args__ = (
        CheckConstraint(
            "status IN ('planned', 'held', 'missed', 'skipped', 'rescheduled')", name="status"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pairing_id: Mapped[int] = mapped_column(ForeignKey("pairings.id", ondelete="CASCADE"))
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=45)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # iCalendar SEQUENCE


class Feedback(Base):
    __tablename__ = "feedback"
    __table_args__ = (
        UniqueConstraint("pairing_id", "check_in_id", "person_id", "kind"),
        CheckConstraint("kind IN ('session', 'midpoint', 'closing')", name="kind"),
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pairing_id: Mapped[int] = mapped_column(ForeignKey("pairings.id", ondelete="CASCADE"))
    check_in_id: Mapped[int | None] = mapped_column(ForeignKey("check_ins.id", ondelete="CASCADE"))
    person_id: Mapped[str] = mapped_column(PersonId, index=True)
    kind: Mapped[str] = mapped_column(String(16), default="session")
    happened: Mapped[bool | None] = mapped_column(Boolean)
    rating: Mapped[int | None] = mapped_column(Integer)
    learned: Mapped[str | None] = mapped_column(Text)
    skill_levels: Mapped[dict[str, int]] = mapped_column(JSONType, default=dict)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Goal(Timestamped, Base):
    __tablename__ = "goals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pairing_id: Mapped[int] = mapped_column(ForeignKey("pairings.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=1)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_by: Mapped[str | None] = mapped_column(PersonId)
    achieved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
