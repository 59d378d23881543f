"""Finishing activities whose process died between the ack and the answer.

Each recorded message, install or update comes with a ``teams.recover`` due action
(``handlers.intake``): if the process died before answering, whichever replica drains the
queue re-reads the stored activity and runs its turn proactively
(``CloudAdapter.continue_conversation``) in the conversation it came from.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import ConversationReference

from handlers.teams.guard import BadActivity, parse_activity
from handlers.teams.inbox import TeamsEndpoint
from handlers.teams.references import conversation_reference
from handlers.teams.translate import inbound_of
from storage.due_runner import DueHandlers

log = logging.getLogger(__name__)


class Recovery:
    def __init__(self, endpoint: TeamsEndpoint) -> None:
        self.endpoint = endpoint

    def register(self, handlers: DueHandlers) -> None:
        self.endpoint.intake.register(handlers, self.recover)

    async def recover(self, record_id: int, stored: dict[str, Any]) -> None:
        endpoint = self.endpoint
        if not endpoint.config.enabled:
            log.warning("teams: activity %s left behind while Teams is off", record_id)
            await endpoint.close(record_id, "ignored")
            return
        try:
            # Checked again: the trust rules may have changed since it was recorded.
            body = parse_activity(
                json.dumps(stored).encode(), loopback_allowed=endpoint.config.on_loopback
            )
        except BadActivity:
            await endpoint.close(record_id, "ignored")
            return
        inbound = inbound_of(body, bot_id=(body.get("recipient") or {}).get("id", ""))
        if inbound is None or body.get("type") == "invoke":
            await endpoint.close(record_id, "ignored")
            return
        log.warning("teams: finishing activity %s left behind by another process", body["id"])
        reference = ConversationReference().deserialize(conversation_reference(body))

        async def logic(turn: TurnContext) -> None:
            await endpoint.run_turn(turn, body, inbound, False, record_id)

        await endpoint.adapter.continue_conversation(reference, logic, endpoint.config.app_id)
