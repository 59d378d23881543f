"""One turn: the core handles the inbound event, and its outcome goes back to Teams.

Card clicks and form submissions (``adaptiveCard/action`` invokes) are answered inside the
invoke response with the card that replaces the clicked one; everything else is posted
in the conversation the activity came from, except private messages from a shared
conversation (a team channel, a group chat), which go to the person's 1:1 chat.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from botbuilder.core import TurnContext
from botbuilder.core.invoke_response import InvokeResponse
from botbuilder.schema import Activity, ActivityTypes

from dialogs.core.events import Inbound, Outcome
from dialogs.core.ui import Actions, Form, Message, MessageRef
from handlers.teams.forms import answer_card, form_card
from handlers.teams.markup import escape
from handlers.teams.render import (
    ADAPTIVE_CARD,
    Json,
    card,
    card_activity,
    message_activity,
    message_card,
    text_block,
)

MESSAGE_RESPONSE = "application/vnd.microsoft.activity.message"

# Sends a message (or a form) to the person's 1:1 chat instead of a shared conversation.
Privately = Callable[[Message | Form], Awaitable[None]]


class Core(Protocol):
    async def handle(self, inbound: Inbound) -> Outcome: ...


class Updater(Protocol):
    def remember(self, conversation_id: str, service_url: str) -> None: ...

    async def update(self, ref: MessageRef, message: Message) -> None: ...


def has_active_buttons(message: Message) -> bool:
    """Buttons that call the bot back (links open a page and answer nothing)."""
    return any(
        isinstance(block, Actions) and any(button.url is None for button in block.buttons)
        for block in message.blocks
    )


def done_card(done_text: str) -> Json:
    return card([text_block(escape(done_text))], fallback=done_text)


def replacement(outcome: Outcome, done_text: str) -> tuple[Json | None, tuple[Message, ...]]:
    """The card replacing a clicked one, and the messages still to post after it."""
    if outcome.form_answer is not None:
        return answer_card(outcome.form_answer, outcome.form, done_text), outcome.messages
    if outcome.form is not None:
        return form_card(outcome.form), outcome.messages
    inline = [m for m in outcome.messages if m.replaces is None]
    if outcome.close_source:
        # The clicked card is answered: what replaces it offers no button to click again.
        # A next card with buttons is posted after it as a message of its own.
        answer = next((m for m in inline if not has_active_buttons(m)), None)
        if answer is None:
            return done_card(done_text), outcome.messages
        return message_card(answer), tuple(m for m in outcome.messages if m is not answer)
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
    privately: Privately | None = None,
) -> None:
    """``privately`` is given for shared conversations: private messages and forms use it."""
    messages, updates = outcome.messages, outcome.updates
    # An update of the very card that was clicked goes in the invoke response itself.
    clicked = turn.activity.reply_to_id if invoke else None
    own = next((u for u in updates if clicked and u[0].message_id == clicked), None)
    if invoke and own is not None and outcome.form is None and outcome.form_answer is None:
        updates = tuple(u for u in updates if u is not own)
        body = invoke_body(message_card(own[1]), done_text)
        await turn.send_activity(
            Activity(
                type=ActivityTypes.invoke_response, value=InvokeResponse(status=200, body=body)
            )
        )
    elif invoke:
        replacing, messages = replacement(outcome, done_text)
        body = invoke_body(replacing, done_text)
        await turn.send_activity(
            Activity(
                type=ActivityTypes.invoke_response, value=InvokeResponse(status=200, body=body)
            )
        )
    elif outcome.form is not None:
        form = outcome.form
        if privately is not None:
            await privately(form)
        else:
            await turn.send_activity(card_activity(form_card(form), form.title))
    for message in messages:
        if message.replaces is not None:
            await updater.update(message.replaces, message)
        elif privately is not None and message.visibility == "private":
            await privately(message)
        else:
            await turn.send_activity(message_activity(message))
    for ref, message in updates:
        await updater.update(ref, message)
