"""Delivering an ``Outcome`` on Slack: forms, card updates, messages and App Home."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from dialogs.core.content import Paragraph
from dialogs.core.events import Outcome
from dialogs.core.i18n import Translator
from dialogs.core.ui import Actions, Form, Message, MessageRef, Option, Section
from handlers.slack import files, forms, render
from storage.db import Database
from storage.form_options import keep_options, kept_options

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Origin:
    """Where an inbound event came from, i.e. where its answers go."""

    team_id: str
    user_id: str
    channel_id: str | None = None  # the conversation typed or clicked in
    in_channel: bool = False  # a shared channel: private answers are ephemeral
    bot_dm: bool = False  # ``channel_id`` is the bot's own DM with the user
    trigger_id: str | None = None
    # The card whose button was clicked, as Slack showed it (to disable it once answered).
    source: MessageRef | None = None
    source_blocks: tuple[dict[str, Any], ...] = ()
    source_text: str = ""


def form_button_message(form: Form) -> Message:
    """A form that could not open (no trigger, or it expired) offered as a button instead."""
    intro = form.intro or (Paragraph.of(form.title),)
    return Message((Section(intro), Actions((form.opener,))), summary=form.title)


class Delivery:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._dm_channels: dict[tuple[str, str], str] = {}

    async def dm_channel(self, client: AsyncWebClient, team_id: str, user_id: str) -> str:
        key = (team_id, user_id)
        if key not in self._dm_channels:
            answer = await client.conversations_open(users=user_id)
            self._dm_channels[key] = str(answer["channel"]["id"])
        return self._dm_channels[key]

    async def deliver(self, client: AsyncWebClient, origin: Origin, outcome: Outcome) -> None:
        if outcome.form is not None:  # first: a trigger_id lives three seconds
            await self.open_form(client, origin, outcome.form)
        if outcome.close_source:
            t = Translator(outcome.locale)
            await self.close_card(client, origin, t("Answered"))
        for ref, message in outcome.updates:
            await self.update(client, ref, message)
        for message in outcome.messages:
            await self.post(client, origin, message)
        if outcome.home is not None:
            await client.views_publish(user_id=origin.user_id, view=render.home_view(outcome.home))

    async def open_form(self, client: AsyncWebClient, origin: Origin, form: Form) -> None:
        if origin.trigger_id:
            try:
                await client.views_open(trigger_id=origin.trigger_id, view=forms.modal(form))
            except SlackApiError as error:
                if error.response.get("error") not in {"expired_trigger_id", "invalid_trigger_id"}:
                    raise
            else:
                # After the modal: the trigger must not wait for a write. Slack asks for
                # options only when the person opens or types in a select, long after.
                await self.keep_options(form)
                return
        await self.post(client, origin, form_button_message(form))

    async def keep_options(self, form: Form) -> None:
        """Keep the form's long option lists where the options request finds them.

        That request may reach any replica, and the modal cannot carry the lists itself.
        """
        lists = forms.searchable_options(form)
        if not lists:
            return
        rows = {name: [(o.value, o.label) for o in options] for name, options in lists.items()}
        async with self.database.unit_of_work(immediate=True) as session:
            await keep_options(session, form.ref.encode(), rows)

    async def options(self, metadata: str, field: str) -> tuple[Option, ...]:
        """The options of ``field`` of the form ``metadata`` names (none when unknown)."""
        async with self.database.unit_of_work() as session:
            rows = await kept_options(session, metadata, field)
        return tuple(Option(value, label) for value, label in rows)

    async def close_card(self, client: AsyncWebClient, origin: Origin, note: str) -> None:
        """Show the clicked card answered: its buttons give way to ``note``."""
        if origin.source is None or not origin.source_blocks:
            return  # an ephemeral card, or a payload without the message: nothing to edit
        try:
            await client.chat_update(
                channel=origin.source.conversation_id,
                ts=origin.source.message_id,
                text=origin.source_text or note,
                blocks=render.answered_blocks(origin.source_blocks, note),
            )
        except SlackApiError as error:  # the answer itself must still reach the person
            log.warning("slack: could not close card: %s", error.response.get("error"))

    async def update(self, client: AsyncWebClient, ref: MessageRef, message: Message) -> None:
        await client.chat_update(
            channel=ref.conversation_id,
            ts=ref.message_id,
            text=render.fallback_text(message),
            blocks=render.blocks(message),
        )

    async def post(
        self, client: AsyncWebClient, origin: Origin, message: Message
    ) -> MessageRef | None:
        if message.replaces is not None:
            await self.update(client, message.replaces, message)
            return message.replaces
        text, blocks = render.fallback_text(message), render.blocks(message)
        ref: MessageRef | None = None
        if origin.in_channel and origin.channel_id:
            if message.visibility == "private":
                await client.chat_postEphemeral(
                    channel=origin.channel_id, user=origin.user_id, text=text, blocks=blocks
                )
                channel = None
            else:
                channel = origin.channel_id
        elif origin.bot_dm and origin.channel_id:
            channel = origin.channel_id
        else:
            channel = await self.dm_channel(client, origin.team_id, origin.user_id)
        if channel is not None:
            answer = await client.chat_postMessage(channel=channel, text=text, blocks=blocks)
            ref = MessageRef("slack", str(answer["channel"]), str(answer["ts"]))
        if files.attachments_of(message):
            # A person's file goes to their direct messages, never to a shared channel.
            direct = origin.channel_id if origin.bot_dm and origin.channel_id else None
            direct = direct or await self.dm_channel(client, origin.team_id, origin.user_id)
            await files.upload(client, self.database, origin.team_id, direct, message)
        return ref
