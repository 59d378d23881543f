"""Typed content: what a message says, before any platform format is chosen.

Flows never build markup. They emit nodes and each renderer escapes them for its own
format (Slack mrkdwn, Teams markdown, HTML): escaping once here would double-escape two of
the three. ``UserText`` is what a person typed and is always shown inert.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal


@dataclass(frozen=True)
class Text:
    """Our own words, already localised."""

    text: str
    strong: bool = False


@dataclass(frozen=True)
class UserText:
    """Words a person typed: never interpreted (no mention, no link, no markup)."""

    text: str


@dataclass(frozen=True)
class Link:
    url: str
    label: str


@dataclass(frozen=True)
class PersonRef:
    """A person, shown by name; renderers may mention them natively where they can."""

    person_id: str
    name: str


@dataclass(frozen=True)
class Timestamp:
    """An instant shown in the reader's own zone (Slack <!date>, Teams DATE()/TIME())."""

    at: datetime
    style: Literal["date", "time", "datetime"] = "datetime"

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("Timestamp needs an aware datetime")


Inline = Text | UserText | Link | PersonRef | Timestamp


@dataclass(frozen=True)
class Paragraph:
    parts: tuple[Inline, ...]

    @classmethod
    def of(cls, *parts: Inline | str) -> Paragraph:
        return cls(tuple(Text(p) if isinstance(p, str) else p for p in parts))

    def plain(self) -> str:
        """The words alone, for notifications' preview text and for tests."""
        return "".join(plain_text(p) for p in self.parts)


def plain_text(node: Inline) -> str:
    match node:
        case Text(text=text) | UserText(text=text):
            return text
        case Link(label=label):
            return label
        case PersonRef(name=name):
            return name
        case Timestamp(at=at, style=style):
            fmt = {"date": "%Y-%m-%d", "time": "%H:%M", "datetime": "%Y-%m-%d %H:%M %Z"}[style]
            return at.strftime(fmt)
    raise TypeError(f"not a content node: {node!r}")


def paragraphs(items: Iterable[Paragraph | str]) -> tuple[Paragraph, ...]:
    return tuple(Paragraph.of(i) if isinstance(i, str) else i for i in items)
