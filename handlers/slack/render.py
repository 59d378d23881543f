"""Neutral messages -> Block Kit, as plain dicts.

The dicts are exactly what slack_sdk's Block Kit models produced (keys in sorted order, empty
and None values left out): building and validating a model per block cost more CPU on the
hot path than it checked, since every limit it enforces is kept here already. The tests
parse each rendered block back through the models (tests/slack/test_render_models.py).

Buttons carry the flow's ``ActionRef`` and their value in the Block Kit ``value``; the
action name goes in ``action_id`` (``tandem.<index>.<action>``, unique inside a block).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from dialogs.core.ui import (
    ActionRef,
    Actions,
    Attachment,
    Button,
    Confirm,
    Divider,
    Facts,
    Header,
    Image,
    Message,
    Section,
)
from handlers.slack import markup

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_HEADER = 150
MAX_BUTTON_LABEL = 75
MAX_BUTTONS = 25
MAX_FIELDS = 10
MAX_FIELD_TEXT = 2000
MAX_VALUE = 2000
MAX_URL = 3000  # a button's or an image's
ACTION_PREFIX = "tandem."


@dataclass(frozen=True)
class ClickedButton:
    """What a ``block_actions`` click carried back, decoded (``ref`` None if absent)."""

    action: str
    ref: ActionRef | None
    value: str


def button_value(button: Button) -> str:
    payload = {"r": button.ref.encode() if button.ref else "", "v": button.value}
    text = json.dumps(payload, separators=(",", ":"))
    if len(text) > MAX_VALUE:
        raise ValueError(f"button {button.action!r}: value over {MAX_VALUE} characters")
    return text


def decode_click(action_id: str, value: str | None) -> ClickedButton:
    """Decode a click; anything we did not write raises ValueError (a forged payload)."""
    if not action_id.startswith(ACTION_PREFIX):
        raise ValueError("not one of our actions")
    _, _, action = action_id.removeprefix(ACTION_PREFIX).partition(".")
    if not action:
        raise ValueError("not one of our actions")
    try:
        payload = json.loads(value or "{}")
    except ValueError as error:
        raise ValueError("unreadable button value") from error
    if not isinstance(payload, dict):
        raise ValueError("unreadable button value")
    ref_text, extra = payload.get("r", ""), payload.get("v", "")
    if not isinstance(ref_text, str) or not isinstance(extra, str):
        raise ValueError("unreadable button value")
    return ClickedButton(action, ActionRef.decode(ref_text) if ref_text else None, extra)


def plain_text(text: str) -> dict[str, Any]:
    # slack_sdk left an empty text out of its text objects; so do we.
    return {"text": text, "type": "plain_text"} if text else {"type": "plain_text"}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"text": text, "type": "mrkdwn"} if text else {"type": "mrkdwn"}


def _url(url: str, what: str) -> str:
    if len(url) > MAX_URL:
        raise ValueError(f"{what}: URL over {MAX_URL} characters")
    return url


def confirm_dialog(confirm: Confirm) -> dict[str, Any]:
    # A confirmation object's keys in slack_sdk's order (it does not sort them).
    return {
        "title": plain_text(markup.plain(confirm.title, 100)),
        "text": plain_text(markup.plain(confirm.text, 300)),
        "confirm": plain_text(markup.plain(confirm.confirm_label, 30)),
        "deny": plain_text(markup.plain(confirm.deny_label, 30)),
    }


def button(index: int, item: Button) -> dict[str, Any]:
    action_id = f"{ACTION_PREFIX}{index}.{item.action}"[:255]
    element: dict[str, Any] = {"action_id": action_id}
    if item.confirm and not item.url:
        element["confirm"] = confirm_dialog(item.confirm)
    if item.style != "default":
        element["style"] = item.style
    element["text"] = plain_text(markup.plain(item.label, MAX_BUTTON_LABEL))
    element["type"] = "button"
    if item.url:
        element["url"] = _url(item.url, f"button {item.action!r}")
    else:
        element["value"] = button_value(item)
    return element


def _context(text: str) -> dict[str, Any]:
    return {"elements": [mrkdwn(text)], "type": "context"}


def _sections(paragraphs: Any) -> list[dict[str, Any]]:
    return [{"text": mrkdwn(t), "type": "section"} for t in markup.chunks(paragraphs)]


def _facts(facts: Facts) -> list[dict[str, Any]]:
    fields = [
        mrkdwn(markup.plain(f"*{markup.escape(label)}*\n{markup.paragraph(value)}", MAX_FIELD_TEXT))
        for label, value in facts.items
    ]
    return [
        {"fields": fields[start : start + MAX_FIELDS], "type": "section"}
        for start in range(0, len(fields), MAX_FIELDS)
    ]


def _image(url: str, alt: str) -> dict[str, Any]:
    image: dict[str, Any] = {"alt_text": markup.plain(alt or " ", 2000)}
    if url:
        image["image_url"] = _url(url, "image")
    image["type"] = "image"
    return image


def block(item: Any, answered_note: str | None = None) -> list[dict[str, Any]]:
    """One neutral block as Slack blocks (a Section may split into several)."""
    match item:
        case Header(text=text):
            return [{"text": plain_text(markup.plain(text, MAX_HEADER)), "type": "header"}]
        case Section(paragraphs=paragraphs):
            return _sections(paragraphs)
        case Facts():
            return _facts(item)
        case Actions(buttons=buttons):
            if answered_note is not None:
                return [_context(markup.escape(answered_note) or " ")]
            elements = [button(i, b) for i, b in enumerate(buttons[:MAX_BUTTONS])]
            return [{"elements": elements, "type": "actions"}] if elements else []
        case Image(url=url, alt=alt):
            return [_image(url, alt)]
        case Divider():
            return [{"type": "divider"}]
        case Attachment():
            return []  # the file itself is uploaded next to the message (handlers.slack.files)
    raise TypeError(f"not a message block: {item!r}")


def blocks(
    message: Message, *, limit: int = MAX_MESSAGE_BLOCKS, answered_note: str | None = None
) -> list[dict[str, Any]]:
    """The message's Block Kit blocks (at most ``limit``; the summary stays the fallback).

    With ``answered_note`` the card is shown answered: its buttons become a context line.
    """
    rendered: list[dict[str, Any]] = []
    for item in message.blocks:
        rendered += block(item, answered_note)
    if len(rendered) > limit:
        rendered = [*rendered[: limit - 1], _context("…")]
    return rendered


def fallback_text(message: Message) -> str:
    """The notification text: plain words, escaped so that it mentions no one."""
    return markup.escape(message.summary) or " "


def answered(message: Message, note: str) -> list[dict[str, Any]]:
    """The same card, its buttons replaced by ``note`` (an answered or expired card)."""
    return blocks(message, answered_note=note)


def answered_blocks(shown: Sequence[dict[str, Any]], note: str) -> list[dict[str, Any]]:
    """A card as Slack shows it (the payload's ``message.blocks``), without its buttons and
    with ``note`` below: nothing left to click once the card is answered."""
    kept = [dict(b) for b in shown if isinstance(b, dict) and b.get("type") != "actions"]
    return [*kept[: MAX_MESSAGE_BLOCKS - 1], _context(markup.escape(note) or " ")]


def home_view(message: Message) -> dict[str, Any]:
    """The App Home tab showing ``message``."""
    shown = blocks(message, limit=MAX_VIEW_BLOCKS)
    if not shown:
        raise ValueError("a view needs at least one block")
    return {"blocks": shown, "type": "home"}
