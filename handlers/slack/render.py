"""Neutral messages -> Block Kit, through slack_sdk's own models.

Buttons carry the flow's ``ActionRef`` and their value in the Block Kit ``value``; the
action name goes in ``action_id`` (``tandem.<index>.<action>``, unique inside a block).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    ImageBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

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


def confirm_dialog(confirm: Confirm) -> ConfirmObject:
    return ConfirmObject(
        title=PlainTextObject(text=markup.plain(confirm.title, 100)),
        text=PlainTextObject(text=markup.plain(confirm.text, 300)),
        confirm=PlainTextObject(text=markup.plain(confirm.confirm_label, 30)),
        deny=PlainTextObject(text=markup.plain(confirm.deny_label, 30)),
    )


def button(index: int, item: Button) -> ButtonElement:
    style = None if item.style == "default" else item.style
    text = PlainTextObject(text=markup.plain(item.label, MAX_BUTTON_LABEL))
    action_id = f"{ACTION_PREFIX}{index}.{item.action}"[:255]
    if item.url:
        return ButtonElement(text=text, action_id=action_id, url=item.url, style=style)
    return ButtonElement(
        text=text,
        action_id=action_id,
        value=button_value(item),
        style=style,
        confirm=confirm_dialog(item.confirm) if item.confirm else None,
    )


def _sections(paragraphs: Any) -> list[Block]:
    return [SectionBlock(text=MarkdownTextObject(text=t)) for t in markup.chunks(paragraphs)]


def _facts(facts: Facts) -> list[Block]:
    fields = [
        MarkdownTextObject(
            text=markup.plain(
                f"*{markup.escape(label)}*\n{markup.paragraph(value)}", MAX_FIELD_TEXT
            )
        )
        for label, value in facts.items
    ]
    return [
        SectionBlock(fields=fields[start : start + MAX_FIELDS])
        for start in range(0, len(fields), MAX_FIELDS)
    ]


def block(item: Any, answered_note: str | None = None) -> list[Block]:
    """One neutral block as Slack blocks (a Section may split into several)."""
    match item:
        case Header(text=text):
            return [HeaderBlock(text=PlainTextObject(text=markup.plain(text, MAX_HEADER)))]
        case Section(paragraphs=paragraphs):
            return _sections(paragraphs)
        case Facts():
            return _facts(item)
        case Actions(buttons=buttons):
            if answered_note is not None:
                note = MarkdownTextObject(text=markup.escape(answered_note) or " ")
                return [ContextBlock(elements=[note])]
            elements = [button(i, b) for i, b in enumerate(buttons[:MAX_BUTTONS])]
            return [ActionsBlock(elements=elements)] if elements else []
        case Image(url=url, alt=alt):
            return [ImageBlock(image_url=url, alt_text=markup.plain(alt or " ", 2000))]
        case Divider():
            return [DividerBlock()]
        case Attachment():
            return []  # the file itself is uploaded next to the message (handlers.slack.files)
    raise TypeError(f"not a message block: {item!r}")


def blocks(
    message: Message, *, limit: int = MAX_MESSAGE_BLOCKS, answered_note: str | None = None
) -> list[dict[str, Any]]:
    """The message's Block Kit blocks (at most ``limit``; the summary stays the fallback).

    With ``answered_note`` the card is shown answered: its buttons become a context line.
    """
    rendered: list[Block] = []
    for item in message.blocks:
        rendered += block(item, answered_note)
    if len(rendered) > limit:
        more = ContextBlock(elements=[MarkdownTextObject(text="…")])
        rendered = [*rendered[: limit - 1], more]
    return [b.to_dict() for b in rendered]


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
    note_block = ContextBlock(elements=[MarkdownTextObject(text=markup.escape(note) or " ")])
    return [*kept[: MAX_MESSAGE_BLOCKS - 1], note_block.to_dict()]


def home_view(message: Message) -> dict[str, Any]:
    """The App Home tab showing ``message``."""
    view = View(type="home", blocks=blocks(message, limit=MAX_VIEW_BLOCKS))
    result: dict[str, Any] = view.to_dict()
    return result
