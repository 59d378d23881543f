"""One turn: the core handles the inbound event, and its outcome goes back to Teams.

Card clicks and form submissions (``adaptiveCard/action`` invokes) are answered inside the
invoke response with the card that replaces the clicked one; everything else is posted
in the conversation the activity came from.
"""

from __future__ import annotations

from typing import Any, Protocol

from botbuilder.core import TurnContext
from botbuilder.core.invoke_response import InvokeResponse
from botbuilder.schema import Activity, ActivityTypes

from dialogs.events import Inbound, Outcome
from dialogs.ui import Message, MessageRef
from handlers.teams.forms import answer_card, form_card
from handlers.teams.render import ADAPTIVE_CARD, Json, card_activity, message_activity, message_card

MESSAGE_RESPONSE = "application/vnd.microsoft.activity.message"


class Core(Protocol):
    async def handle(self, inbound: Inbound) -> Outcome: ...


class Updater(Protocol):
    def remember(self, conversation_id: str, service_url: str) -> None: ...

    async def update(self, ref: MessageRef, message: Message) -> None: ...


def replacement(outcome: Outcome, done_text: str) -> tuple[Json | None, tuple[Message, ...]]:
    """The card replacing a clicked one, and the messages still to post after it."""
    if outcome.form_answer is not None:
        return answer_card(outcome.form_answer, outcome.form, done_text), outcome.messages
    if outcome.form is not None:
        return form_card(outcome.form), outcome.messages
    inline = [m for m in outcome.messages if m.replaces is None]
    if inline:
        first = inline[0]
        return message_card(first), tuple(m for m in outcome.messages if m is not first)
    return None, outcome.messages


def invoke_body(card: Json | None, done_text: str) -> dict[str, Any]:
    if card is None:
        return {"statusCode": 200, "type": MESSAGE_RESPONSE, "value": done_text}
    return {"statusCode": 200, "type": ADAPTIVE_CARD, "value": card}


async def deliver(
    turn: TurnContext,
    outcome: Outcome,
    *,
    invoke: bool,
    done_text: str,
    updater: Updater,
) -> None:
    messages = outcome.messages
    if invoke:
        card, messages = replacement(outcome, done_text)
        body = invoke_body(card, done_text)
        await turn.send_activity(
            Activity(
                type=ActivityTypes.invoke_response, value=InvokeResponse(status=200, body=body)
            )
        )
    elif outcome.form is not None:
        form = outcome.form
        await turn.send_activity(card_activity(form_card(form), form.title))
    for message in messages:
        if message.replaces is not None:
            await updater.update(message.replaces, message)
        else:
            await turn.send_activity(message_activity(message))
    for ref, message in outcome.updates:
        await updater.update(ref, message)
