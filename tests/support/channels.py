"""A ChatChannel (our own protocol) that records what it was asked to deliver."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from dialogs.core.events import Platform
from dialogs.core.ui import Message, MessageRef
from dialogs.notify.delivery import Recipient, Unreachable


class RecordingChannel:
    """Records sends (and the reference it gave each), updates and introductions.

    ``unreachable``: user ids whose sends fail as Slack's and Teams' do for a gone user.
    """

    def __init__(self, platform: Platform = "slack", unreachable: Iterable[str] = ()) -> None:
        self.platform: Platform = platform
        self.unreachable = set(unreachable)
        self.sent: list[tuple[Recipient, Message]] = []
        self.refs: list[MessageRef] = []  # the reference given to each send, in order
        self.updates: list[tuple[MessageRef, Message]] = []
        self.introduced: list[tuple[list[str], Message]] = []

    @property
    def introductions(self) -> list[tuple[list[str], Message]]:
        return self.introduced

    async def send(self, recipient: Recipient, message: Message) -> MessageRef:
        if recipient.user_id in self.unreachable:
            raise Unreachable("user_not_found")
        self.sent.append((recipient, message))
        ref = MessageRef(self.platform, f"D-{recipient.user_id}", str(len(self.sent)))
        self.refs.append(ref)
        return ref

    async def update(self, ref: MessageRef, message: Message) -> None:
        self.updates.append((ref, message))

    async def introduce(
        self, recipients: Sequence[Recipient], message: Message
    ) -> list[MessageRef]:
        self.introduced.append(([r.person_id for r in recipients], message))
        return [MessageRef(self.platform, "G-intro", f"i{n}") for n, _ in enumerate(recipients)]

    async def announce(self, tenant_id: str, channel: str, message: Message) -> MessageRef:
        raise AssertionError("not used")

    def to(self, person_id: str) -> list[Message]:
        return [m for r, m in self.sent if r.person_id == person_id]

    def updated(self, person_id: str) -> list[Message]:
        refs = {
            ref
            for (r, _), ref in zip(self.sent, self.refs, strict=True)
            if r.person_id == person_id
        }
        return [m for ref, m in self.updates if ref in refs]
