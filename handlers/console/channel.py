"""The console as a ``ChatChannel``: proactive messages land in the person's console view."""

from __future__ import annotations

from collections.abc import Sequence

from dialogs.core.content import Paragraph, Text, UserText
from dialogs.core.events import Platform
from dialogs.core.ui import Message, MessageRef, Section
from dialogs.notify.delivery import Recipient, Unreachable
from handlers.console.store import PLATFORM, ConsoleStore


class ConsoleChannel:
    platform: Platform = "console"

    def __init__(self, store: ConsoleStore) -> None:
        self.store = store

    async def send(self, recipient: Recipient, message: Message) -> MessageRef:
        person_id = recipient.user_id or recipient.person_id
        if await self.store.person(person_id) is None:
            raise Unreachable("no such person in the console")
        message_id = await self.store.append(person_id, message, recipient.locale)
        return MessageRef(PLATFORM, person_id, message_id)

    async def update(self, ref: MessageRef, message: Message) -> None:
        if ref.platform != PLATFORM:
            raise ValueError(f"not a console message: {ref}")
        await self.store.replace(ref.message_id, message)

    async def introduce(
        self, recipients: Sequence[Recipient], message: Message
    ) -> list[MessageRef]:
        """No group chat in the console: each person gets the message in their own view."""
        return [await self.send(recipient, message) for recipient in recipients]

    async def announce(self, tenant_id: str, channel: str, message: Message) -> MessageRef:
        """The console has no shared channels: the announcement lands in the admin's own view
        (``tenant_id`` carries the admin's console person id), headed by the channel it
        targeted."""
        admin = await self.store.person(tenant_id)
        if admin is None:
            raise Unreachable("not_in_channel")
        heading = Section(
            (
                Paragraph(
                    (Text("→ "), UserText(channel)),
                ),
            )
        )
        shown = Message((heading, *message.blocks), message.summary, message.visibility)
        message_id = await self.store.append(tenant_id, shown, admin.locale or "en")
        return MessageRef(PLATFORM, tenant_id, message_id)
