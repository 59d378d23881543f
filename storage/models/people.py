"""Organisation, people and their platform identities, career stages and the skills taxonomy."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, Timestamped
from storage.types import JSONType, PersonId, UTCDateTime, new_opaque_id


class Organisation(Timestamped, Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slack_team_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)
    teams_tenant_ids: Mapped[list[str]] = mapped_column(JSONType, default=list)


class CareerStage(Base):
    """An admin-defined, ordered ladder (rank 1 = earliest career stage)."""

    __tablename__ = "career_stages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    rank: Mapped[int] = mapped_column(Integer)
    label_fr: Mapped[str] = mapped_column(String(120))
    label_en: Mapped[str] = mapped_column(String(120))


class Person(Timestamped, Base):
    """The only table (with PlatformIdentity) that holds names and emails.

    Erasing a person empties those columns and sets ``erased_at``: the row stays as a
    tombstone so that the management tree, and the rules that read it, still hold.
    """

    __tablename__ = "persons"

    id: Mapped[str] = mapped_column(PersonId, primary_key=True, default=new_opaque_id)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    employee_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    first_name: Mapped[str | None] = mapped_column(String(120))
    last_name: Mapped[str | None] = mapped_column(String(120))
    title: Mapped[str | None] = mapped_column(String(200))
    department: Mapped[str | None] = mapped_column(String(200))
    manager_id: Mapped[str | None] = mapped_column(ForeignKey("persons.id"), index=True)
    career_stage_id: Mapped[int | None] = mapped_column(ForeignKey("career_stages.id"))
    location: Mapped[str | None] = mapped_column(String(200))
    timezone: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(8))
    languages: Mapped[list[str]] = mapped_column(JSONType, default=list)
    preferred_platform: Mapped[str | None] = mapped_column(String(16))
    assistant_id: Mapped[str | None] = mapped_column(ForeignKey("persons.id"))
    # Quiet hours are clock rules: local times, read in ``timezone``. None = deployment default.
    quiet_start: Mapped[time | None] = mapped_column(Time)
    quiet_end: Mapped[time | None] = mapped_column(Time)
    quiet_days: Mapped[list[int] | None] = mapped_column(JSONType)
    # May session times be proposed from their calendar's free/busy? None: the program's
    # default (SessionSettings.read_calendars); False after "don't read my calendar".
    reads_calendar: Mapped[bool | None] = mapped_column(Boolean)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    identities: Mapped[list[PlatformIdentity]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )

    @property
    def display_name(self) -> str:
        parts = [p for p in (self.first_name, self.last_name) if p]
        return " ".join(parts) if parts else (self.email or self.id)


class PlatformIdentity(Timestamped, Base):
    """How to reach a person on one platform (Slack team + user, Teams tenant + AAD object)."""

    __tablename__ = "platform_identities"
    __table_args__ = (UniqueConstraint("platform", "tenant_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))  # slack | teams | console
    tenant_id: Mapped[str] = mapped_column(String(64))  # Slack team id or Teams tenant id
    user_id: Mapped[str] = mapped_column(String(128))  # Slack user id or AAD object id
    display_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    conversation_ref: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    locale: Mapped[str | None] = mapped_column(String(16))  # as the platform reports it
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship(back_populates="identities")


class Skill(Timestamped, Base):
    """A digital skill of the taxonomy; retired skills stay so that history reads well."""

    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    category: Mapped[str] = mapped_column(String(64), default="digital")
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    translations: Mapped[list[SkillTranslation]] = relationship(
        back_populates="skill", cascade="all, delete-orphan", lazy="selectin"
    )

    def name(self, locale: str) -> str:
        by_locale = {t.locale: t.name for t in self.translations}
        return by_locale.get(locale) or by_locale.get("en") or self.key


class SkillTranslation(Base):
    __tablename__ = "skill_translations"
    __table_args__ = (UniqueConstraint("skill_id", "locale"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    skill_id: Mapped[int] = mapped_column(ForeignKey("skills.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)

    skill: Mapped[Skill] = relationship(back_populates="translations")
