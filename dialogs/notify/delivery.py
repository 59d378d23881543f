"""How the core reaches people proactively: one ``ChatChannel`` per platform.

The notifier (``dialogs/notify/notifier.py``) queues deliveries as due actions; when one is due it
calls the recipient's platform channel. Handlers implement ``ChatChannel``; the core never
imports them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from dialogs.core.events import Platform
from dialogs.core.ui import Message, MessageRef


@dataclass(frozen=True)
class Recipient:
    """One person on one platform, with what that platform needs to reach them."""

    person_id: str
    platform: Platform
    tenant_id: str
    user_id: str
    locale: str
    timezone: str
    display_name: str = ""
    email: str | None = None  # Teams chat deep links use sign-in names
    conversation_ref: dict[str, Any] | None = None  # Teams: the stored ConversationReference


class Unreachable(Exception):
    """The platform says this person cannot be reached (left, blocked the bot, no reference).

    The identity is marked unreachable and the program's admins are told: never silently
    skipped.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ChatChannel(Protocol):
    platform: Platform

    async def send(self, recipient: Recipient, message: Message) -> MessageRef:
        """Post to the person's direct conversation with the bot."""
        ...

    async def update(self, ref: MessageRef, message: Message) -> None:
        """Replace a message delivered earlier (e.g. disable an answered card's buttons)."""
        ...

    async def introduce(
        self, recipients: Sequence[Recipient], message: Message
    ) -> list[MessageRef]:
        """Open a conversation with all of them (Slack: one group DM) or, where the
        platform cannot, send the message to each with a way to reach the others."""
        ...

    async def announce(self, tenant_id: str, channel: str, message: Message) -> MessageRef:
        """Post in a shared channel (Slack channel id, Teams channel id) of one workspace or
        tenant; ``Unreachable("not_in_channel")`` when the bot is not a member there."""
        ...
