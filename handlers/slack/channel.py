"""Proactive delivery on Slack: ``dialogs.notify.delivery.ChatChannel`` for the notifier."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from dialogs.core.events import Platform
from dialogs.core.ui import Message, MessageRef
from dialogs.notify.delivery import Recipient, Unreachable
from dialogs.notify.pacing import CATCH_UP_SECONDS, Pacer, Rate, pace
from handlers.slack import files, render
from storage.db import Database

UNREACHABLE = frozenset(
    {"not_in_channel", "user_not_found", "account_inactive", "cannot_dm_bot", "channel_not_found"}
)
ClientFor = Callable[[str], Awaitable[AsyncWebClient]]
# chat.postMessage: about 1 message per second per conversation (Slack tolerates short
# bursts), and a workspace-wide ceiling; paced a little under both rather than answered 429.
CONVERSATION_RATE = Rate(per_second=1.0, burst=2)
WORKSPACE_RATE = Rate(per_second=50.0, burst=50.0 * CATCH_UP_SECONDS)
DM_CACHE = 20_000  # (team, user) -> DM channel id: conversations.open once per person


class SlackChannel:
    platform: Platform = "slack"

    def __init__(
        self,
        client_for: ClientFor,
        *,
        conversation_rate: Rate | None = CONVERSATION_RATE,
        workspace_rate: Rate | None = WORKSPACE_RATE,
        database: Database | None = None,
    ) -> None:
        self._client_for = client_for  # team id -> a client with that team's bot token
        self.database = database  # where the files that messages carry are kept
        self.per_conversation = Pacer(conversation_rate) if conversation_rate else None
        self.per_workspace = Pacer(workspace_rate) if workspace_rate else None
        # conversations.open is rate-limited far lower than chat.postMessage (Tier 3):
        # a person's DM channel never changes, so it is opened once per process.
        self._dms: OrderedDict[tuple[str, str], str] = OrderedDict()

    async def send(self, recipient: Recipient, message: Message) -> MessageRef:
        client = await self._client_for(recipient.tenant_id)
        key = (recipient.tenant_id, recipient.user_id)
        try:
            channel = self._dms.get(key)
            if channel is None:
                opened = await client.conversations_open(users=recipient.user_id)
                channel = self._dms[key] = str(opened["channel"]["id"])
                if len(self._dms) > DM_CACHE:
                    self._dms.popitem(last=False)
            return await self._post(client, recipient.tenant_id, channel, message)
        except SlackApiError as error:
            self._dms.pop(key, None)  # left, blocked the app: open afresh next time
            raise _unreachable(error) from error

    async def update(self, ref: MessageRef, message: Message) -> None:
        # A MessageRef does not carry the team: single-workspace installs have one client.
        client = await self._client_for("")
        await client.chat_update(
            channel=ref.conversation_id,
            ts=ref.message_id,
            text=render.fallback_text(message),
            blocks=render.blocks(message),
        )

    async def introduce(
        self, recipients: Sequence[Recipient], message: Message
    ) -> list[MessageRef]:
        teams = {r.tenant_id for r in recipients}
        if len(teams) == 1 and len(recipients) > 1:
            client = await self._client_for(next(iter(teams)))
            users = ",".join(r.user_id for r in recipients)
            try:
                opened = await client.conversations_open(users=users)
                channel = str(opened["channel"]["id"])
                return [await self._post(client, next(iter(teams)), channel, message)]
            except SlackApiError as error:
                raise _unreachable(error) from error
        return [await self.send(r, message) for r in recipients]

    async def announce(self, tenant_id: str, channel: str, message: Message) -> MessageRef:
        client = await self._client_for(tenant_id)
        try:
            return await self._post(client, tenant_id, channel, message)
        except SlackApiError as error:
            raise _unreachable(error) from error

    async def _post(
        self, client: AsyncWebClient, team_id: str, channel: str, message: Message
    ) -> MessageRef:
        await pace((self.per_conversation, f"{team_id}/{channel}"), (self.per_workspace, team_id))
        answer = await client.chat_postMessage(
            channel=channel, text=render.fallback_text(message), blocks=render.blocks(message)
        )
        if self.database is not None and files.attachments_of(message):
            await files.upload(client, self.database, team_id, channel, message)
        return MessageRef("slack", str(answer["channel"]), str(answer["ts"]))

    async def delete(self, team_id: str, channel: str, ts: str) -> None:
        """Delete a message the bot posted (a shout-out whose subject was forgotten); one
        that is already gone is done."""
        client = await self._client_for(team_id)
        try:
            await client.chat_delete(channel=channel, ts=ts)
        except SlackApiError as error:
            if error.response.get("error") not in {"message_not_found", "channel_not_found"}:
                raise

    async def delete_file(self, team_id: str, file_id: str) -> None:
        """Delete a file the bot uploaded (``files.delete``)."""
        await files.delete_file(await self._client_for(team_id), file_id)


def _unreachable(error: SlackApiError) -> Exception:
    code = str(error.response.get("error", ""))
    return Unreachable(code) if code in UNREACHABLE else error
