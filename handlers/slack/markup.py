"""Typed content -> Slack mrkdwn, escaped here and only here.

Slack reads ``<…>`` as mentions and links and ``*_~``` as formatting; what a person typed
(``UserText``) must never trigger either, so ``&<>`` become entities and each formatting
marker is fenced with zero-width spaces, which breaks Slack's word-boundary rule.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC

from dialogs.core.content import Inline, Link, Paragraph, PersonRef, Text, Timestamp, UserText

ZERO_WIDTH_SPACE = "\u200b"
MARKERS = "*_~`"
MAX_TEXT = 3000  # section text
TIMESTAMP_TOKENS = {
    "date": "{date_short_pretty}",
    "time": "{time}",
    "datetime": "{date_short_pretty} {time}",
}
FALLBACK_FORMATS = {"date": "%Y-%m-%d", "time": "%H:%M UTC", "datetime": "%Y-%m-%d %H:%M UTC"}


def escape(text: str) -> str:
    """Slack's three control characters as entities (no mention, no link)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def inert(text: str) -> str:
    """What a person typed, shown exactly and interpreted as nothing."""
    escaped = escape(text)
    for marker in MARKERS:
        escaped = escaped.replace(marker, f"{ZERO_WIDTH_SPACE}{marker}{ZERO_WIDTH_SPACE}")
    return escaped


def _link_url(url: str) -> str:
    # ``|`` and ``>`` end the URL part of ``<url|label>``: percent-encode them.
    return escape(url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C"))


def inline(node: Inline) -> str:
    match node:
        case Text(text=text, strong=True):
            return f"*{escape(text)}*" if text.strip() else escape(text)
        case Text(text=text):
            return escape(text)
        case UserText(text=text):
            return inert(text)
        case Link(url=url, label=label):
            return f"<{_link_url(url)}|{inert(label)}>"
        case PersonRef(name=name):
            return f"*{inert(name)}*"
        case Timestamp(at=at, style=style):
            epoch = int(at.timestamp())
            fallback = at.astimezone(UTC).strftime(FALLBACK_FORMATS[style])
            return f"<!date^{epoch}^{TIMESTAMP_TOKENS[style]}|{escape(fallback)}>"
    raise TypeError(f"not a content node: {node!r}")


def paragraph(para: Paragraph) -> str:
    return "".join(inline(part) for part in para.parts)


def chunks(paragraphs: tuple[Paragraph, ...], limit: int = MAX_TEXT) -> list[str]:
    """The paragraphs as mrkdwn texts of at most ``limit`` characters each.

    Splits between paragraphs, then between nodes, and cuts an over-long node's raw text
    before escaping it, so an entity or a ``<…>`` token is never cut in half.
    """
    texts: list[str] = []
    current = ""
    for para in paragraphs:
        pieces = list(_pieces(para, limit))
        separator = "\n\n" if current else ""
        for index, piece in enumerate(pieces):
            glue = separator if index == 0 else ""
            if len(current) + len(glue) + len(piece) <= limit:
                current += glue + piece
            else:
                if current:
                    texts.append(current)
                current = piece
    if current:
        texts.append(current)
    return texts


def _pieces(para: Paragraph, limit: int) -> Iterator[str]:
    for part in para.parts:
        rendered = inline(part)
        if len(rendered) <= limit:
            yield rendered
            continue
        # Only our words and what people typed can be this long; cut the raw text.
        raw = part.text if isinstance(part, (Text, UserText)) else rendered
        size = max(1, limit // 8)  # escaping grows a character to at most 7
        for start in range(0, len(raw), size):
            piece = raw[start : start + size]
            yield inline(type(part)(piece)) if isinstance(part, (Text, UserText)) else piece


def plain(text: str, limit: int) -> str:
    """A plain_text value cut to Slack's limit."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
