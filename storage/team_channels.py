"""The Teams channels the bot is in: kept when Teams tells (install, channel events), read
when an admin announces a program there."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Text, cast, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import PlatformIdentity, TeamChannel

PLATFORM = "teams"


@dataclass(frozen=True)
class KnownChannel:
    """One channel of a team, as an install or a channel event told it."""

    channel_id: str
    name: str | None  # None: not told (Teams never names the General channel)


def channel_reference(
    tenant_id: str, channel_id: str, service_url: str, bot: dict[str, Any]
) -> dict[str, Any]:
    """A ConversationReference (as JSON) that posts a new conversation in a team channel."""
    return {
        "bot": bot,
        "conversation": {
            "id": channel_id,
            "conversationType": "channel",
            "tenantId": tenant_id,
            "isGroup": True,
        },
        "channelId": "msteams",
        "serviceUrl": service_url,
    }


async def keep_channels(
    session: AsyncSession,
    tenant_id: str,
    team_id: str,
    team_name: str | None,
    channels: Iterable[KnownChannel],
    service_url: str,
    bot: dict[str, Any],
) -> None:
    """Insert or refresh these channels of one team (a name already known is kept when the
    event tells none: a message in a channel does not carry its name)."""
    wanted = {c.channel_id: c for c in channels}
    found = {
        row.channel_id: row
        for row in await session.scalars(
            select(TeamChannel).where(
                TeamChannel.platform == PLATFORM,
                TeamChannel.tenant_id == tenant_id,
                TeamChannel.channel_id.in_(list(wanted)),
            )
        )
    }
    for channel_id, channel in wanted.items():
        reference = channel_reference(tenant_id, channel_id, service_url, bot)
        row = found.get(channel_id)
        if row is None:
            row = TeamChannel(
                platform=PLATFORM,
                tenant_id=tenant_id,
                team_id=team_id,
                channel_id=channel_id,
                conversation_ref=reference,
            )
            session.add(row)
        row.team_id = team_id
        row.team_name = team_name or row.team_name
        row.channel_name = channel.name or row.channel_name
        if row.conversation_ref != reference:
            row.conversation_ref = reference


async def forget_channels(
    session: AsyncSession,
    tenant_id: str,
    *,
    team_id: str | None = None,
    channel_id: str | None = None,
) -> None:
    """The bot left a team (or was uninstalled), or a channel was deleted."""
    query = delete(TeamChannel).where(
        TeamChannel.platform == PLATFORM, TeamChannel.tenant_id == tenant_id
    )
    if channel_id is not None:
        query = query.where(TeamChannel.channel_id == channel_id)
    elif team_id is not None:
        query = query.where(TeamChannel.team_id == team_id)
    else:
        raise ValueError("forget a team or a channel, not a whole tenant")
    await session.execute(query)


async def rename(
    session: AsyncSession,
    tenant_id: str,
    *,
    team_id: str,
    team_name: str | None = None,
    channel_id: str | None = None,
    channel_name: str | None = None,
) -> None:
    rows = await session.scalars(
        select(TeamChannel).where(
            TeamChannel.platform == PLATFORM,
            TeamChannel.tenant_id == tenant_id,
            TeamChannel.team_id == team_id,
        )
    )
    for row in rows:
        if team_name:
            row.team_name = team_name
        if channel_id is not None and row.channel_id == channel_id and channel_name:
            row.channel_name = channel_name


async def tenant_channels(session: AsyncSession, tenant_id: str) -> list[TeamChannel]:
    """As Teams lists them: by team, the General channel first, then by name."""
    rows = await session.scalars(
        select(TeamChannel).where(
            TeamChannel.platform == PLATFORM, TeamChannel.tenant_id == tenant_id
        )
    )
    return sorted(
        rows,
        key=lambda c: (
            (c.team_name or "").casefold(),
            not c.is_general,
            (c.channel_name or "").casefold(),
            c.channel_id,
        ),
    )


async def stored_reference(
    session: AsyncSession, tenant_id: str, channel_id: str
) -> dict[str, Any] | None:
    reference: dict[str, Any] | None = await session.scalar(
        select(TeamChannel.conversation_ref).where(
            TeamChannel.platform == PLATFORM,
            TeamChannel.tenant_id == tenant_id,
            TeamChannel.channel_id == channel_id,
        )
    )
    return reference


async def stored_service_url(session: AsyncSession, conversation_id: str) -> str | None:
    """The connector address kept with a Teams conversation: a person's 1:1 chat (their
    identity's reference) or a team channel (a channel's post thread id starts with it)."""
    channel_id = conversation_id.split(";", 1)[0]  # "19:…;messageid=…" for a channel post
    found = await session.scalar(
        select(TeamChannel.conversation_ref).where(
            TeamChannel.platform == PLATFORM, TeamChannel.channel_id == channel_id
        )
    )
    if found is None:
        rows = await session.scalars(
            select(PlatformIdentity.conversation_ref).where(
                PlatformIdentity.platform == PLATFORM,
                cast(PlatformIdentity.conversation_ref, Text).contains(conversation_id),
            )
        )
        found = next(
            (r for r in rows if r and (r.get("conversation") or {}).get("id") == conversation_id),
            None,
        )
    url = (found or {}).get("serviceUrl")
    return str(url) if url else None
