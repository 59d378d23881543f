"""Neutral messages as Adaptive Cards 1.5, and the activities that carry them.

Buttons become ``Action.Execute`` (verb = the flow's action, data = the ``ActionRef`` and
the button's value), so a click comes back as an ``adaptiveCard/action`` invoke whose
answer replaces the card. Forms are rendered by ``handlers.teams.forms``.
"""

from __future__ import annotations

import json
from typing import Any

from botbuilder.core import MessageFactory
from botbuilder.schema import Activity, Attachment

from dialogs.core.ui import (
    Actions,
    Block,
    Button,
    Divider,
    Facts,
    Header,
    Image,
    Message,
    Section,
)
from dialogs.core.ui import Attachment as FileBlock
from handlers.teams.markup import escape, paragraph

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
CARD_VERSION = "1.5"
CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
# Teams refuses messages over about 40 KB; leave room for the activity around the card.
MAX_CARD_BYTES = 38 * 1024
STYLES = {"default": "default", "primary": "positive", "danger": "destructive"}

Json = dict[str, Any]


class CardTooLarge(ValueError):
    """A card over Teams' message size: a flow produced more than a message can hold."""


def card(body: list[Json], actions: list[Json] | None = None, *, fallback: str = "") -> Json:
    content: Json = {
        "type": "AdaptiveCard",
        "$schema": CARD_SCHEMA,
        "version": CARD_VERSION,
        "body": body,
    }
    if actions:
        content["actions"] = actions
    if fallback:
        content["fallbackText"] = fallback
    size = len(json.dumps(content, ensure_ascii=False).encode("utf-8"))
    if size > MAX_CARD_BYTES:
        raise CardTooLarge(f"card of {size} bytes, over {MAX_CARD_BYTES}")
    return content


def text_block(text: str, **style: Any) -> Json:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def action_data(button: Button) -> Json:
    data: Json = {"value": button.value}
    if button.ref is not None:
        data["ref"] = button.ref.encode()
    return data


def action(button: Button) -> Json:
    """One button: a link, an ``Action.Execute``, or a confirm step in a ``ShowCard``."""
    if button.url:
        return {"type": "Action.OpenUrl", "title": button.label, "url": button.url}
    execute: Json = {
        "type": "Action.Execute",
        "title": button.label,
        "verb": button.action,
        "data": action_data(button),
        "style": STYLES[button.style],
    }
    if button.confirm is None:
        return execute
    confirm = button.confirm
    step = {
        "type": "AdaptiveCard",
        "body": [
            text_block(escape(confirm.title), weight="Bolder"),
            text_block(escape(confirm.text)),
        ],
        "actions": [{**execute, "title": confirm.confirm_label}],
    }
    # The deny choice is closing the ShowCard again (Teams toggles it on a second click).
    return {"type": "Action.ShowCard", "title": button.label, "card": step}


def element(block: Block) -> list[Json]:
    match block:
        case Header(text=text):
            return [text_block(escape(text), size="Large", weight="Bolder")]
        case Section(paragraphs=paragraphs):
            return [text_block(paragraph(p)) for p in paragraphs]
        case Facts(items=items):
            facts = [{"title": escape(label), "value": paragraph(value)} for label, value in items]
            return [{"type": "FactSet", "facts": facts}] if facts else []
        case Actions(buttons=buttons):
            return [{"type": "ActionSet", "actions": [action(b) for b in buttons]}]
        case Image(url=url, alt=alt):
            return [{"type": "Image", "url": url, "altText": alt}]
        case Divider():
            return []
        case FileBlock():
            return file_elements(block)
    raise TypeError(f"not a block: {block!r}")


def file_elements(item: FileBlock) -> list[Json]:
    """A stored file: its link (``/files/{token}``), and an image shown inline. Without a
    signed link (no secret key) only its name is shown."""
    if not item.url:
        return [text_block(escape(item.filename), isSubtle=True)]
    shown: list[Json] = []
    if item.is_image:
        shown.append({"type": "Image", "url": item.url, "altText": item.filename})
    link = {"type": "Action.OpenUrl", "title": item.label, "url": item.url}
    shown.append({"type": "ActionSet", "actions": [link]})
    return shown


def message_card(message: Message) -> Json:
    body: list[Json] = []
    separate = False
    for block in message.blocks:
        if isinstance(block, Divider):
            separate = bool(body)
            continue
        elements = element(block)
        if separate and elements:
            elements[0] = {**elements[0], "separator": True}
            separate = False
        body += elements
    if not body:
        body = [text_block(escape(message.summary))]
    return card(body, fallback=message.summary)


def attachment(content: Json) -> Attachment:
    return Attachment(content_type=ADAPTIVE_CARD, content=content)


def card_activity(content: Json, summary: str) -> Activity:
    activity: Activity = MessageFactory.attachment(attachment(content))
    activity.summary = summary
    return activity


def message_activity(message: Message) -> Activity:
    return card_activity(message_card(message), message.summary)
