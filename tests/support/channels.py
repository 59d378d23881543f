"""A ChatChannel (our own protocol) that records what it was asked to deliver."""

from __future__ import annotations

from collections.abc import Sequence

from dialogs.core.events import Platform
from dialogs.core.ui import Message, MessageRef
from dialogs.notify.delivery import Recipient


class RecordingChannel:
    """Records sends (with the reference it gave each), updates and introductions."""

    platform: Platform = "slack"

    def __init__(self) -> None:
        self.sent: list[tuple[Recipient, Message, MessageRef]] = []
        self.updates: list[tuple[MessageRef, Message]] = []
        self.introductions: list[tuple[list[str], Message]] = []

    async def send(self, recipient: Recipient, message: Message) -> MessageRef:
        ref = MessageRef("slack", f"D-{recipient.user_id}", str(len(self.sent) + 1))
        self.sent.append((recipient, message, ref))
        return ref

    async def update(self, ref: MessageRef, message: Message) -> None:
        self.updates.append((ref, message))

    async def introduce(
        self, recipients: Sequence[Recipient], message: Message
    ) -> list[MessageRef]:
        self.introductions.append(([r.person_id for r in recipients], message))
        return [MessageRef("slack", "G-intro", f"i{n}") for n, _ in enumerate(recipients)]

    async def announce(self, tenant_id: str, channel: str, message: Message) -> MessageRef:
        raise AssertionError("not used")

    def to(self, person_id: str) -> list[Message]:
        return [m for r, m, _ in self.sent if r.person_id == person_id]

    def updated(self, person_id: str) -> list[Message]:
        refs = {ref for r, _, ref in self.sent if r.person_id == person_id}
        return [m for ref, m in self.updates if ref in refs]
