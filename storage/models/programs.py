"""Programs, their admins and texts, enrollments with availability, and consents."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, Timestamped
from storage.types import JSONType, PersonId, UTCDateTime, utcnow

DEFAULT_MATCHING_WEIGHTS: dict[str, float] = {
    "skills": 4.0,
    "reverse": 1.0,
    "time_overlap": 2.0,
    "format": 1.0,
    "reach": 1.0,
    "stage_gap": 1.0,
}


class Program(Timestamped, Base):
    __tablename__ = "programs"
    __table_args__ = (
        CheckConstraint("cadence IN ('weekly', 'biweekly', 'monthly')", name="cadence"),
        CheckConstraint("status IN ('draft', 'open', 'running', 'closed')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    enrollment_closes_on: Mapped[date | None] = mapped_column(Date)
    cadence: Mapped[str] = mapped_column(String(16), default="biweekly")
    session_minutes: Mapped[int] = mapped_column(Integer, default=45)
    capacity_default: Mapped[int] = mapped_column(Integer, default=1)
    approval_required: Mapped[bool] = mapped_column(Boolean, default=False)
    # Eligibility per role by career stage keys, cross-department rule, reverse-order rule …
    rules: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    matching_weights: Mapped[dict[str, float]] = mapped_column(
        JSONType, default=lambda: dict(DEFAULT_MATCHING_WEIGHTS)
    )
    proposal_expiry_days: Mapped[int] = mapped_column(Integer, default=7)
    charter_version: Mapped[int | None] = mapped_column(Integer)
    privacy_version: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    # Sessions, reminders and nudges settings an admin changed (keys of
    # bot.domain.sessions.SessionSettings); missing keys take that class's defaults.
    session_settings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    # Free text people wrote (feedback comments, pulses, testimonials) is erased this many
    # months after the program ends; aggregates stay.
    retention_months: Mapped[int] = mapped_column(Integer, default=12, server_default="12")


class ProgramAdmin(Timestamped, Base):
    __tablename__ = "program_admins"
    __table_args__ = (UniqueConstraint("program_id", "person_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    person_id: Mapped[str] = mapped_column(PersonId, index=True)


class ProgramText(Base):
    """A versioned, per-language text (charter, privacy notice) that a DPO approves.

    ``program_id`` None is the deployment-wide default used by programs without their own.
    """

    __tablename__ = "program_texts"
    __table_args__ = (
        UniqueConstraint("program_id", "kind", "version", "locale"),
        CheckConstraint("kind IN ('charter', 'privacy')", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    locale: Mapped[str] = mapped_column(String(8))
    body: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[str | None] = mapped_column(PersonId)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Enrollment(Timestamped, Base):
    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("program_id", "person_id"),
        CheckConstraint("role IN ('mentor', 'mentee', 'both')", name="role"),
        CheckConstraint(
            "status IN ('draft', 'pending', 'active', 'paused', 'left', 'declined')",
            name="status",
        ),
        CheckConstraint("capacity BETWEEN 0 AND 3", name="capacity"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    person_id: Mapped[str] = mapped_column(PersonId, index=True)
    role: Mapped[str] = mapped_column(String(8))
    # [{"skill": key, "level": 1..5}]: proficiency for offered, current level (baseline) wanted.
    skills_offered: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    skills_wanted: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    offers_back: Mapped[list[str]] = mapped_column(JSONType, default=list)
    goals: Mapped[str | None] = mapped_column(Text)
    preferred_cadence: Mapped[str | None] = mapped_column(String(16))
    languages: Mapped[list[str]] = mapped_column(JSONType, default=list)
    format: Mapped[str] = mapped_column(String(16), default="remote")  # remote|in_person|either
    location: Mapped[str | None] = mapped_column(String(200))
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    motivation: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    left_reason: Mapped[str | None] = mapped_column(Text)

    availability: Mapped[list[AvailabilityWindow]] = relationship(
        back_populates="enrollment", cascade="all, delete-orphan", lazy="selectin"
    )


class AvailabilityWindow(Base):
    """A weekly window in the person's own zone: a clock rule, so local times plus the zone."""

    __tablename__ = "availability_windows"
    __table_args__ = (CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        ForeignKey("enrollments.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday
    start: Mapped[time] = mapped_column(Time)
    end: Mapped[time] = mapped_column(Time)
    timezone: Mapped[str] = mapped_column(String(64))

    enrollment: Mapped[Enrollment] = relationship(back_populates="availability")


class Consent(Base):
    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[str] = mapped_column(PersonId, index=True)
    program_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    text_kind: Mapped[str] = mapped_column(String(16))
    text_version: Mapped[int] = mapped_column(Integer)
    locale: Mapped[str] = mapped_column(String(8))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
