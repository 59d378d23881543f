"""Proactive delivery in Teams: send from a stored reference, update, introduce."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity, ConversationReference, ErrorResponseException
from botframework.connector.aio import ConnectorClient

from dialogs.delivery import Recipient, Unreachable
from dialogs.events import Platform
from dialogs.i18n import Translator
from dialogs.ui import Actions, Button, Message, MessageRef
from handlers.teams.config import TeamsConfig
from handlers.teams.render import message_activity
from handlers.teams.trust import trusted_service_url

# Microsoft's global entry point, used when no activity told us a conversation's region.
DEFAULT_SERVICE_URL = "https://smba.trafficmanager.net/teams/"
GONE_STATUSES = frozenset({403, 404})


def chat_link(people: Sequence[str]) -> str:
    """Teams' deep link that opens a group chat with these people (UPNs)."""
    return "https://teams.microsoft.com/l/chat/0/0?users=" + ",".join(
        quote(p, safe="@.") for p in people
    )


class TeamsChannel:
    platform: Platform = "teams"

    def __init__(self, adapter: CloudAdapter, config: TeamsConfig) -> None:
        self.adapter = adapter
        self.config = config
        self.service_urls: dict[str, str] = {}  # conversation id -> its region's connector

    def remember(self, conversation_id: str, service_url: str) -> None:
        self.service_urls[conversation_id] = service_url

    async def _connector(self, service_url: str) -> ConnectorClient:
        if not trusted_service_url(service_url, loopback_allowed=self.config.on_loopback):
            raise Unreachable(f"untrusted service URL {service_url!r}")
        claims = self.adapter.create_claims_identity(self.config.app_id)
        factory = self.adapter.bot_framework_authentication.create_connector_factory(claims)
        client: ConnectorClient = await factory.create(service_url, None)
        return client

    async def send(self, recipient: Recipient, message: Message) -> MessageRef:
        stored = recipient.conversation_ref
        if not stored or not stored.get("serviceUrl") or not stored.get("conversation"):
            raise Unreachable("no Teams conversation reference")
        reference = ConversationReference().deserialize(stored)
        activity = TurnContext.apply_conversation_reference(message_activity(message), reference)
        activity.reply_to_id = None  # a new message, not an answer to the stored activity
        connector = await self._connector(reference.service_url)
        conversation_id = reference.conversation.id
        result = await self._call(
            connector.conversations.send_to_conversation(conversation_id, activity)
        )
        self.remember(conversation_id, reference.service_url)
        return MessageRef("teams", conversation_id, result.id)

    async def update(self, ref: MessageRef, message: Message) -> None:
        service_url = self.service_urls.get(ref.conversation_id, DEFAULT_SERVICE_URL)
        activity: Activity = message_activity(message)
        activity.id = ref.message_id
        connector = await self._connector(service_url)
        await self._call(
            connector.conversations.update_activity(ref.conversation_id, ref.message_id, activity)
        )

    async def introduce(
        self, recipients: Sequence[Recipient], message: Message
    ) -> list[MessageRef]:
        """Teams bots cannot open a group chat: each gets the card and a link to one."""
        refs = []
        for recipient in recipients:
            others = [_upn(r) for r in recipients if r is not recipient]
            t = Translator(recipient.locale)
            label = t("Open a chat")
            button = Button(label, "open_chat", url=chat_link(others))
            personal = Message(
                (*message.blocks, Actions((button,))), message.summary, message.visibility
            )
            refs.append(await self.send(recipient, personal))
        return refs

    async def _call(self, pending: Any) -> Any:
        try:
            return await pending
        except ErrorResponseException as error:
            # msrest keeps the transport's response: aiohttp's has ``status``.
            response = error.response
            status = getattr(response, "status_code", None) or getattr(response, "status", None)
            if status in GONE_STATUSES:
                raise Unreachable(f"Teams answered {status}") from error
            raise


def _upn(recipient: Recipient) -> str:
    # The sign-in name (UPN) when known; the AAD object id otherwise.
    return getattr(recipient, "email", None) or recipient.user_id
