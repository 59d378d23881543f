"""Continue privately: what is for one person in a team channel goes to their 1:1 chat.

Teams has no ephemeral messages, so a private answer to something typed or clicked in a
channel (or a group chat) is posted in the person's personal chat with the bot: the one
whose reference is stored on their identity, or a new one created through the connector
(and then stored, so the next private answer needs no extra call).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from dialogs.core.ui import Form, Message
from handlers.teams.channel import TeamsChannel
from handlers.teams.deliver import Privately
from handlers.teams.forms import form_card
from handlers.teams.references import store_reference
from handlers.teams.render import card_activity, message_activity
from handlers.teams.translate import SHARED_CONVERSATIONS, actor_of
from storage.db import Database
from storage.models import PlatformIdentity


def is_shared(body: dict[str, Any]) -> bool:
    return (body.get("conversation") or {}).get("conversationType") in SHARED_CONVERSATIONS


class PrivateChats:
    def __init__(self, channel: TeamsChannel, database: Database) -> None:
        self.channel = channel
        self.database = database

    def for_activity(self, body: dict[str, Any]) -> Privately | None:
        """How to answer the sender privately; None when the activity already is private."""
        if not is_shared(body):
            return None

        async def send(item: Message | Form) -> None:
            if isinstance(item, Form):
                activity = card_activity(form_card(item), item.title)
            else:
                activity = message_activity(item)
            await self.channel.post(await self.reference(body), activity)

        return send

    async def reference(self, body: dict[str, Any]) -> dict[str, Any]:
        """The sender's 1:1 conversation reference, creating the conversation if needed."""
        actor = actor_of(body)
        async with self.database.unit_of_work() as session:
            stored = (
                await session.execute(
                    select(PlatformIdentity.conversation_ref).where(
                        PlatformIdentity.platform == "teams",
                        PlatformIdentity.tenant_id == actor.tenant_id,
                        PlatformIdentity.user_id == actor.user_id,
                    )
                )
            ).scalar_one_or_none()
        if stored:
            return dict(stored)
        bot = body.get("recipient") or {"id": f"28:{self.channel.config.app_id}"}
        reference = await self.channel.open_personal(
            body["serviceUrl"], bot, body.get("from") or {}, actor.tenant_id
        )
        async with self.database.unit_of_work(immediate=True) as session:
            await store_reference(session, actor.tenant_id, actor.user_id, reference)
        return reference
