"""Proactive delivery in Teams: send from a stored reference, update, introduce."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationParameters,
    ConversationReference,
    ErrorResponseException,
)
from botframework.connector.aio import ConnectorClient
from sqlalchemy import select

from dialogs.core.content import Paragraph, PersonRef
from dialogs.core.events import Platform
from dialogs.core.i18n import Translator
from dialogs.core.ui import Actions, Button, Facts, Message, MessageRef, Section
from dialogs.notify.delivery import Recipient, Unreachable
from dialogs.notify.pacing import CATCH_UP_SECONDS, Pacer, Rate, pace
from handlers.teams.config import TeamsConfig
from handlers.teams.guard import trusted_service_url
from handlers.teams.render import message_activity
from storage.db import Database
from storage.models import Person, PlatformIdentity
from storage.team_channels import stored_reference, stored_service_url

# Microsoft's global entry point, used when no activity told us a conversation's region.
DEFAULT_SERVICE_URL = "https://smba.trafficmanager.net/teams/"
GONE_STATUSES = frozenset({403, 404})
CHAT_LINK = "https://teams.microsoft.com/l/chat/0/0?users="
# Teams throttles each conversation at 7 messages per second and 60 per 30 seconds: a
# bucket of 5 refilled at 1.8/s never exceeds either (5 + 1.8 ≤ 7, 5 + 54 ≤ 60). Each
# bot is also held to about 50 requests per second per tenant.
CONVERSATION_RATE = Rate(per_second=1.8, burst=5)
TENANT_RATE = Rate(per_second=50.0, burst=50.0 * CATCH_UP_SECONDS)


def chat_link(people: Iterable[str]) -> str | None:
    """Teams' deep link that opens a chat with these people; None when there is nobody.

    Teams takes sign-in names (UPNs, usually the email address) only.
    """
    names = [quote(p, safe="@.") for p in people if p]
    return CHAT_LINK + ",".join(names) if names else None


def mentioned(message: Message) -> list[str]:
    """The people a message names (``PersonRef``), in order, once each."""
    ids: dict[str, None] = {}
    for block in message.blocks:
        paragraphs: tuple[Paragraph, ...] = ()
        if isinstance(block, Section):
            paragraphs = block.paragraphs
        elif isinstance(block, Facts):
            paragraphs = tuple(value for _, value in block.items)
        for paragraph in paragraphs:
            ids.update(
                (part.person_id, None) for part in paragraph.parts if isinstance(part, PersonRef)
            )
    return list(ids)


class TeamsChannel:
    platform: Platform = "teams"

    def __init__(
        self,
        adapter: CloudAdapter,
        config: TeamsConfig,
        database: Database | None = None,
        *,
        conversation_rate: Rate | None = CONVERSATION_RATE,
        tenant_rate: Rate | None = TENANT_RATE,
    ) -> None:
        self.adapter = adapter
        self.config = config
        self.database = database  # to find the addresses of people met on another platform
        self.service_urls: dict[str, str] = {}  # conversation id -> its region's connector
        self.per_conversation = Pacer(conversation_rate) if conversation_rate else None
        self.per_tenant = Pacer(tenant_rate) if tenant_rate else None

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
        return await self.post(recipient.conversation_ref, message_activity(message))

    async def post(self, stored: dict[str, Any] | None, activity: Activity) -> MessageRef:
        """Send an activity as a new message to the conversation a stored reference names."""
        if not stored or not stored.get("serviceUrl") or not stored.get("conversation"):
            raise Unreachable("no Teams conversation reference")
        reference = ConversationReference().deserialize(stored)
        activity = TurnContext.apply_conversation_reference(activity, reference)
        activity.reply_to_id = None  # a new message, not an answer to the stored activity
        connector = await self._connector(reference.service_url)
        conversation_id = reference.conversation.id
        tenant = reference.conversation.tenant_id or str(stored.get("tenantId") or "")
        await pace((self.per_conversation, conversation_id), (self.per_tenant, tenant))
        result = await self._call(
            connector.conversations.send_to_conversation(conversation_id, activity)
        )
        self.remember(conversation_id, reference.service_url)
        return MessageRef("teams", conversation_id, result.id)

    async def announce(self, tenant_id: str, channel: str, message: Message) -> MessageRef:
        """Post in a team channel the bot was told about (its install in the team, or a
        message there), from the reference kept in the database: any replica can."""
        stored = None
        if self.database is not None:
            async with self.database.unit_of_work() as session:
                stored = await stored_reference(session, tenant_id, channel)
        if stored is None:
            raise Unreachable("not_in_channel")
        try:
            return await self.post(stored, message_activity(message))
        except Unreachable as gone:  # removed from the team since: Teams answers 403/404
            raise Unreachable("not_in_channel") from gone

    async def open_personal(
        self, service_url: str, bot: dict[str, Any], user: dict[str, Any], tenant_id: str
    ) -> dict[str, Any]:
        """Create (or find: Teams keeps one per bot and person) the person's 1:1 chat.

        Returns its conversation reference, as ``references.conversation_reference`` does.
        """
        parameters = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=bot.get("id"), name=bot.get("name")),
            members=[ChannelAccount(id=user.get("id"), aad_object_id=user.get("aadObjectId"))],
            tenant_id=tenant_id or None,
            channel_data={"tenant": {"id": tenant_id}} if tenant_id else None,
        )
        connector = await self._connector(service_url)
        created = await self._call(connector.conversations.create_conversation(parameters))
        url = created.service_url or service_url
        conversation = {"id": created.id, "conversationType": "personal"}
        if tenant_id:
            conversation["tenantId"] = tenant_id
        return {
            "user": user,
            "bot": bot,
            "conversation": conversation,
            "channelId": "msteams",
            "serviceUrl": url,
        }

    async def _service_url(self, conversation_id: str) -> str:
        """The conversation's regional connector: seen by this process, else the stored
        reference (a card sent days ago by another replica or before a restart)."""
        known = self.service_urls.get(conversation_id)
        if known is None and self.database is not None:
            async with self.database.unit_of_work() as session:
                known = await stored_service_url(session, conversation_id)
            if known is not None:
                self.remember(conversation_id, known)
        return known or DEFAULT_SERVICE_URL

    async def update(self, ref: MessageRef, message: Message) -> None:
        service_url = await self._service_url(ref.conversation_id)
        activity: Activity = message_activity(message)
        activity.id = ref.message_id
        connector = await self._connector(service_url)
        await self._call(
            connector.conversations.update_activity(ref.conversation_id, ref.message_id, activity)
        )

    async def delete(self, tenant_id: str, conversation_id: str, message_id: str) -> None:
        """Delete an activity the bot posted (a shout-out whose subject was forgotten); one
        already gone (404), or in a team the bot has left (403), is done."""
        connector = await self._connector(await self._service_url(conversation_id))
        try:
            await self._call(connector.conversations.delete_activity(conversation_id, message_id))
        except Unreachable:
            return
        except ValueError as error:
            # msrest's aiohttp response refuses an empty body ("Body is not available")
            # after the status was read: the connector's 200 without content is success.
            if "Body is not available" not in str(error):
                raise

    async def introduce(
        self, recipients: Sequence[Recipient], message: Message
    ) -> list[MessageRef]:
        """Teams bots cannot open a group chat: each gets the card and a link to one.

        The link names the others by sign-in name: the other recipients', and those of the
        people the message introduces who are on another platform (Slack): in one company
        they usually have a Teams account with the same address.
        """
        elsewhere = await self._emails(
            [p for p in mentioned(message) if p not in {r.person_id for r in recipients}]
        )
        refs = []
        for recipient in recipients:
            others = [r.email for r in recipients if r is not recipient and r.email]
            link = chat_link(dict.fromkeys([*others, *elsewhere]))
            blocks = message.blocks
            if link is not None:
                button = Button(Translator(recipient.locale)("Open a chat"), "open_chat", url=link)
                blocks = (*blocks, Actions((button,)))
            personal = Message(blocks, message.summary, message.visibility)
            refs.append(await self.send(recipient, personal))
        return refs

    async def _emails(self, person_ids: Sequence[str]) -> list[str]:
        if not person_ids or self.database is None:
            return []
        async with self.database.unit_of_work() as session:
            rows = await session.execute(
                select(Person.id, Person.email, PlatformIdentity.email)
                .outerjoin(
                    PlatformIdentity,
                    (PlatformIdentity.person_id == Person.id)
                    & (PlatformIdentity.platform == "teams"),
                )
                .where(Person.id.in_(list(person_ids)), Person.erased_at.is_(None))
            )
            found: dict[str, str] = {}
            for person_id, email, teams_email in rows:
                address = teams_email or email
                if address:
                    found[person_id] = address
        return [found[p] for p in person_ids if p in found]

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
