"""Shared channels the bot is in (Teams team channels), with where to post in each.

Teams tells a bot about a team's channels only when it is added to the team (and when a
channel is created, renamed or deleted later); nothing can list them afterwards without
an activity to answer. Kept here rather than in one process's memory, so that any replica,
or a restarted process, can post a call for volunteers in a channel by its name or id.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, Timestamped
from storage.types import BigId, JSONType


class TeamChannel(Timestamped, Base):
    __tablename__ = "team_channels"
    __table_args__ = (
        UniqueConstraint("platform", "tenant_id", "channel_id"),
        Index("ix_team_channels_team", "platform", "tenant_id", "team_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(16))  # "teams"
    tenant_id: Mapped[str] = mapped_column(String(64))
    team_id: Mapped[str] = mapped_column(String(255))
    team_name: Mapped[str | None] = mapped_column(String(255))
    channel_id: Mapped[str] = mapped_column(String(255))
    # As Teams shows it; None when not told. The General channel has none, and its id is
    # the team's.
    channel_name: Mapped[str | None] = mapped_column(String(255))

    @property
    def is_general(self) -> bool:
        return self.channel_id == self.team_id

    # botbuilder's ConversationReference fields as JSON (serviceUrl, conversation, bot).
    conversation_ref: Mapped[dict[str, Any]] = mapped_column(JSONType)
