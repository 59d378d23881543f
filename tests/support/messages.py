"""Reading what the bot answered: its words, its buttons, its form answers."""

from __future__ import annotations

from collections.abc import Iterable

from dialogs.core.content import Paragraph
from dialogs.core.events import Outcome
from dialogs.core.ui import Button, Done, FieldErrors, Form, Header, Message, Section


def _messages(found: Outcome | Message | Iterable[Message | None] | None) -> list[Message]:
    if found is None:
        return []
    if isinstance(found, Outcome):
        return list(found.messages)
    if isinstance(found, Message):
        return [found]
    return [m for m in found if m is not None]


def words(found: Outcome | Message | Iterable[Message | None] | None) -> str:
    """The text of an outcome, a message or messages: headers, paragraphs and facts."""
    text: list[str] = []
    for message in _messages(found):
        for block in message.blocks:
            if isinstance(block, Header):
                text.append(block.text)
            if isinstance(block, Section):
                text += [p.plain() for p in block.paragraphs]
            for label, value in getattr(block, "items", ()):
                text.append(f"{label}: {value.plain()}")
    return "\n".join(text)


def buttons(found: Outcome | Message | Iterable[Message | None] | None) -> list[Button]:
    return [
        b for m in _messages(found) for block in m.blocks for b in getattr(block, "buttons", ())
    ]


def buttons_by_action(found: Outcome | Message) -> dict[str, Button]:
    return {b.action: b for b in buttons(found)}


def button(message: Message, action: str) -> Button:
    found = [b for b in buttons(message) if b.action == action]
    assert found, f"no {action} button in {words([message])!r}"
    return found[0]


def paragraphs(message: Message) -> list[Paragraph]:
    return [p for b in message.blocks if isinstance(b, Section) for p in b.paragraphs]


def field_names(form: Form) -> list[str]:
    return [f.name for f in form.fields]


def done_message(outcome: Outcome) -> Message:
    """The message a form submission ended with (inside its acknowledgement)."""
    assert isinstance(outcome.form_answer, Done), outcome.form_answer
    assert outcome.form_answer.message is not None
    return outcome.form_answer.message


def field_errors(outcome: Outcome) -> dict[str, str]:
    assert isinstance(outcome.form_answer, FieldErrors), outcome.form_answer
    return outcome.form_answer.errors
