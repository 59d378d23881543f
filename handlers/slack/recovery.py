"""Finishing interactions whose process died between the ack and the answer.

Each recorded interaction comes with a ``slack.recover`` due action (``handlers.intake``):
if the process died before answering, whichever replica drains the queue translates the
recorded payload again and processes it. The trigger of the original request has long
expired, so a form it would have opened is offered as a message with a button instead.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from handlers.slack import translate
from handlers.slack.channel import ClientFor
from handlers.slack.inbox import Inbox
from storage.due_runner import DueHandlers

log = logging.getLogger(__name__)


class Recovery:
    def __init__(self, inbox: Inbox, client_for: ClientFor) -> None:
        self.inbox = inbox
        self.client_for = client_for

    def register(self, handlers: DueHandlers) -> None:
        self.inbox.intake.register(handlers, self.recover)

    async def recover(self, record_id: int, body: dict[str, Any]) -> None:
        translated = translate.from_body(body)
        if translated is None:
            await self.inbox.close(record_id, "ignored")
            return
        log.warning("slack: finishing %s left behind by another process", translated.key)
        expired = replace(
            translated,
            inbound=replace(translated.inbound, can_open_form=False),
            origin=replace(translated.origin, trigger_id=None),
        )
        client = await self.client_for(expired.origin.team_id)
        await self.inbox.process(record_id, expired, client)
