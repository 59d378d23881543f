"""What the local web console shows: each person's conversation with the bot, persisted.

The console has no platform to keep messages for it, so it keeps them here: any replica or
a restart shows the same history. ``payload`` is the neutral ``Message`` (not HTML), so that
a card is rendered for its reader at read time (their time zone, buttons disabled once
answered). Identity for the core lives in ``message_refs`` like on every platform.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import BigId, JSONType, PersonId, UTCDateTime, utcnow


class ConsoleMessage(Base):
    __tablename__ = "console_messages"
    __table_args__ = (
        CheckConstraint("author IN ('bot', 'person')", name="author"),
        Index("ix_console_messages_person_updated", "person_id", "updated_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[str] = mapped_column(PersonId)
    author: Mapped[str] = mapped_column(String(16))  # bot | person (what they typed)
    locale: Mapped[str] = mapped_column(String(8))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
