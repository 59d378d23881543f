"""Record before the ack, ack, then process in this process (``handlers.intake``): at once
unless a burst fills the lanes, and always after the same person's earlier events.

A team outside the allow-list is answered (politely refused) but not recorded.

No lock here: the core opens its transaction with ``BEGIN IMMEDIATE`` on SQLite and retries
a racing first contact, so concurrent events (even of one person) are safe.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from dataclasses import replace
from typing import Any, Protocol

from slack_sdk.web.async_client import AsyncWebClient

from dialogs.core.events import Inbound, Outcome
from dialogs.core.ui import Done, FieldErrors, NextForm
from handlers.intake import Finished, Intake
from handlers.slack.config import SlackConfig
from handlers.slack.deliver import Delivery, Origin
from handlers.slack.people import People
from handlers.slack.translate import Translated
from storage.db import Database

log = logging.getLogger(__name__)


class Converses(Protocol):
    """What the Slack channel needs from the conversation core."""

    async def handle(self, inbound: Inbound) -> Outcome: ...


def without_form_answer(outcome: Outcome) -> Outcome:
    """A submission answered outside its ack: the next form or closing message is posted."""
    answer = outcome.form_answer
    if isinstance(answer, Done) and answer.message is not None:
        return replace(outcome, form_answer=None, messages=(*outcome.messages, answer.message))
    if isinstance(answer, NextForm):
        return replace(outcome, form_answer=None, form=answer.form)
    if isinstance(answer, FieldErrors) and answer.form is not None:  # to fill in again
        return replace(outcome, form_answer=None, form=answer.form)
    return replace(outcome, form_answer=None)


def lane_of(translated: Translated) -> str:
    """A person's events are handled in the order they came (``handlers.lanes``)."""
    return f"{translated.origin.team_id}:{translated.origin.user_id}"


class Inbox:
    def __init__(
        self,
        conversation: Converses,
        database: Database,
        config: SlackConfig,
        delivery: Delivery,
        people: People,
    ) -> None:
        self.conversation = conversation
        self.database = database
        self.config = config
        self.delivery = delivery
        self.people = people
        self.intake = Intake(database, "slack")

    async def record(self, translated: Translated, body: dict[str, Any]) -> int | None:
        """The record's id; None for a duplicate. 0: not recorded (a refused team)."""
        if not self.config.allows(translated.origin.team_id):
            return 0
        return await self.intake.record(translated.key, translated.inbound.kind, body)

    async def accept(
        self, translated: Translated, body: dict[str, Any], client: AsyncWebClient
    ) -> bool:
        """Record and schedule processing; False when this was a duplicate (ignore it)."""
        record_id = await self.record(translated, body)
        if record_id is None:
            return False
        self.intake.spawn(self.process(record_id, translated, client), lane_of(translated))
        return True

    async def handle(self, translated: Translated, client: AsyncWebClient) -> Outcome:
        origin = translated.origin
        actor = await self.people.actor(client, origin.team_id, origin.user_id)
        return await self.conversation.handle(replace(translated.inbound, actor=actor))

    async def process(
        self,
        record_id: int,
        translated: Translated,
        client: AsyncWebClient,
        handling: Awaitable[Outcome] | None = None,
    ) -> None:
        """Handle (or finish ``handling``, begun earlier) and deliver; then close the record."""
        status = "processed"
        try:
            outcome = await (handling or self.handle(translated, client))
            outcome = without_form_answer(outcome)
            await self.delivery.deliver(client, translated.origin, outcome)
        except Exception:
            status = "failed"
            log.exception("slack: processing %s failed", translated.key)
        await self.close(record_id, status)

    async def deliver_later(
        self, record_id: int, origin: Origin, outcome: Outcome, client: AsyncWebClient
    ) -> None:
        """After a submission's ack: the rest of its outcome (messages, card updates)."""
        status = "processed"
        try:
            await self.delivery.deliver(client, origin, replace(outcome, form=None))
        except Exception:
            status = "failed"
            log.exception("slack: delivering after a submission failed")
        await self.close(record_id, status)

    async def close(self, record_id: int, status: str) -> None:
        """Mark the record done and drop its recovery (nothing left to recover)."""
        await self.intake.close(Finished(record_id, status))

    async def drain(self) -> None:
        """Let work in flight finish (graceful shutdown, tests)."""
        await self.intake.drain()
