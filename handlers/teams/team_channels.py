"""Keep the team channels the bot is in, as Teams tells them, for announcements.

When the bot is added to a team (``conversationUpdate`` with the bot in ``membersAdded``,
or ``installationUpdate`` ``add``, both with ``channelData.team``) the team's channels are
asked of the connector (``GET /v3/teams/{id}/conversations``) and stored with where to
post; channel and team events (created, renamed, deleted, restored, the bot removed) keep
the table current, and a message typed in a channel adds that channel when it is missing
(a team that installed the bot before this table existed). Any replica reads the table.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo

from handlers.teams.translate import channel_id_of, team_of, tenant_of
from storage.db import Database
from storage.team_channels import KnownChannel, forget_channels, keep_channels, rename

log = logging.getLogger(__name__)

LIST_TIMEOUT = 10.0
MAX_REMEMBERED = 100_000
ADDED_CHANNEL_EVENTS = frozenset({"channelCreated", "channelRestored", "channelUnarchived"})
GONE_CHANNEL_EVENTS = frozenset({"channelDeleted", "channelArchived"})
GONE_TEAM_EVENTS = frozenset({"teamDeleted", "teamArchived", "teamHardDeleted"})


def _names_bot(members: Any, bot_id: Any) -> bool:
    return isinstance(members, list) and any(
        isinstance(m, dict) and m.get("id") == bot_id for m in members
    )


def is_added(body: dict[str, Any]) -> bool:
    bot_id = (body.get("recipient") or {}).get("id")
    if body.get("type") == "installationUpdate":
        return body.get("action") in {"add", "add-upgrade", None}
    return body.get("type") == "conversationUpdate" and _names_bot(body.get("membersAdded"), bot_id)


def is_removed(body: dict[str, Any]) -> bool:
    bot_id = (body.get("recipient") or {}).get("id")
    if body.get("type") == "installationUpdate":
        return body.get("action") == "remove"
    return body.get("type") == "conversationUpdate" and _names_bot(
        body.get("membersRemoved"), bot_id
    )


class TeamChannelBook:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._kept: set[tuple[str, str]] = set()  # (tenant, channel) this process stored

    async def observe(self, body: dict[str, Any], turn: TurnContext | None = None) -> None:
        """Update the table from one authenticated activity (never fails the activity)."""
        team = team_of(body)
        if not team.get("id"):
            return
        try:
            await self._observe(body, team, turn)
        except Exception:  # the channels are kept again at the next event or message
            log.exception("teams: keeping the team's channels failed")

    async def _observe(
        self, body: dict[str, Any], team: dict[str, Any], turn: TurnContext | None
    ) -> None:
        tenant, team_id = tenant_of(body), str(team["id"])
        event = (body.get("channelData") or {}).get("eventType")
        channel = (body.get("channelData") or {}).get("channel") or {}
        if is_removed(body) or event in GONE_TEAM_EVENTS:
            await self._write(forget_channels, tenant, team_id=team_id)
            self._kept = {k for k in self._kept if k[0] != tenant}
        elif event in GONE_CHANNEL_EVENTS and channel.get("id"):
            await self._write(forget_channels, tenant, channel_id=str(channel["id"]))
            self._kept.discard((tenant, str(channel["id"])))
        elif event == "channelRenamed" or event == "teamRenamed":
            await self._write(
                rename,
                tenant,
                team_id=team_id,
                team_name=team.get("name"),
                channel_id=channel.get("id"),
                channel_name=channel.get("name"),
            )
        elif event in ADDED_CHANNEL_EVENTS and channel.get("id"):
            await self._keep(body, team, [KnownChannel(str(channel["id"]), channel.get("name"))])
        elif is_added(body):
            await self._keep(body, team, await self._listed(body, team_id, turn))
        else:
            here = channel_id_of(body)
            if here is not None and (tenant, here) not in self._kept:
                await self._keep(body, team, [KnownChannel(here, channel.get("name"))])

    async def _listed(
        self, body: dict[str, Any], team_id: str, turn: TurnContext | None
    ) -> list[KnownChannel]:
        """The team's channels, asked of the connector; the install's own when it fails."""
        channel = (body.get("channelData") or {}).get("channel") or {}
        fallback = [KnownChannel(channel_id_of(body) or team_id, channel.get("name"))]
        if turn is None:
            return fallback
        try:
            client = await TeamsInfo.get_teams_connector_client(turn)
            # msrest's Teams operations are synchronous: off the event loop.
            listed = await asyncio.wait_for(
                asyncio.to_thread(client.teams.get_teams_channels, team_id), LIST_TIMEOUT
            )
        except Exception as error:  # 403 (no permission), timeout: keep what the event tells
            log.info("teams: listing the team's channels failed: %s", type(error).__name__)
            return fallback
        # Teams gives the General channel (its id is the team's) no name.
        return [KnownChannel(c.id, c.name) for c in listed.conversations or [] if c.id] or fallback

    async def _keep(
        self, body: dict[str, Any], team: dict[str, Any], channels: list[KnownChannel]
    ) -> None:
        tenant = tenant_of(body)
        bot = {k: v for k, v in (body.get("recipient") or {}).items() if k in ("id", "name")}
        await self._write(
            keep_channels,
            tenant,
            str(team["id"]),
            team.get("name"),
            channels,
            body["serviceUrl"],
            bot,
        )
        if len(self._kept) > MAX_REMEMBERED:
            self._kept.clear()
        self._kept.update((tenant, c.channel_id) for c in channels)

    async def _write(self, change: Any, *args: Any, **kwargs: Any) -> None:
        async with self.database.unit_of_work(immediate=True) as session:
            await change(session, *args, **kwargs)
