"""Proactive delivery on Slack: ``dialogs.notify.delivery.ChatChannel`` for the notifier."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from dialogs.core.events import Platform
from dialogs.core.ui import Message, MessageRef
from dialogs.notify.delivery import Recipient, Unreachable
from handlers.slack import render

UNREACHABLE = frozenset(
    {"not_in_channel", "user_not_found", "account_inactive", "cannot_dm_bot", "channel_not_found"}
)
ClientFor = Callable[[str], Awaitable[AsyncWebClient]]


class SlackChannel:
    platform: Platform = "slack"

    def __init__(self, client_for: ClientFor) -> None:
        self._client_for = client_for  # team id -> a client with that team's bot token

    async def send(self, recipient: Recipient, message: Message) -> MessageRef:
        client = await self._client_for(recipient.tenant_id)
        try:
            opened = await client.conversations_open(users=recipient.user_id)
            return await self._post(client, str(opened["channel"]["id"]), message)
        except SlackApiError as error:
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
                return [await self._post(client, str(opened["channel"]["id"]), message)]
            except SlackApiError as error:
                raise _unreachable(error) from error
        return [await self.send(r, message) for r in recipients]

    async def announce(self, tenant_id: str, channel: str, message: Message) -> MessageRef:
        client = await self._client_for(tenant_id)
        try:
            return await self._post(client, channel, message)
        except SlackApiError as error:
            raise _unreachable(error) from error

    @staticmethod
    async def _post(client: AsyncWebClient, channel: str, message: Message) -> MessageRef:
        answer = await client.chat_postMessage(
            channel=channel, text=render.fallback_text(message), blocks=render.blocks(message)
        )
        return MessageRef("slack", str(answer["channel"]), str(answer["ts"]))


def _unreachable(error: SlackApiError) -> Exception:
    code = str(error.response.get("error", ""))
    return Unreachable(code) if code in UNREACHABLE else error
