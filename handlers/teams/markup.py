"""Typed content as Teams markdown (the subset TextBlocks and FactSets render).

Teams shows TextBlock text as markdown, turns ``<at>…</at>`` into mentions, expands
``{{DATE(…)}}`` functions and decodes HTML entities; what a person typed must trigger none
of these, so ``UserText`` is escaped for all of them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import quote

from dialogs.core.content import Inline, Link, Paragraph, PersonRef, Text, Timestamp, UserText

# Markdown markers Teams interprets anywhere, escaped with a backslash (CommonMark escapes);
# "(" and "!" need no escape once "[" has one. Block markers only count at a line's start.
_INLINE_MARKERS = re.compile(r"([\\`*_~\[\]|])")
_LINE_MARKERS = re.compile(r"^(\s*)([#+\-]|\d+(?=[.)]))", re.MULTILINE)
# Autolinks: "https://…" and "www.…" typed by a person must stay text.
_AUTOLINKS = re.compile(r"(?<=[A-Za-z])(://)|(?<=\b[Ww][Ww][Ww])(\.)")
_ZERO_WIDTH_SPACE = "\u200b"


def _line_marker(match: re.Match[str]) -> str:
    indent, marker = match.group(1), match.group(2)
    if marker.isdigit():  # "1." / "1)" starts an ordered list: escape the dot instead
        return indent + marker + "\\"
    return indent + "\\" + marker


# Most texts are the catalogue's own (help, cards), escaped again for every reply.
@lru_cache(maxsize=4096)
def escape(text: str) -> str:
    """Inert Teams markdown: no markup, no link, no ``<at>`` mention, no DATE() function."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _INLINE_MARKERS.sub(r"\\\1", text)
    text = _LINE_MARKERS.sub(_line_marker, text)
    text = _AUTOLINKS.sub(lambda m: "\\" + m.group(0), text)
    # A "{{" that survived escaping would still start a DATE()/TIME() function in Teams.
    return text.replace("{{", "{" + _ZERO_WIDTH_SPACE + "{")


def _link_target(url: str) -> str:
    # Parentheses and spaces would end the markdown link early.
    return quote(url, safe=":/?#@!$&'*+,;=%-._~[]")


def _instant(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def timestamp(node: Timestamp) -> str:
    """Teams' own date functions: each reader sees the instant in their own zone."""
    at = _instant(node.at)
    date_part = f"{{{{DATE({at}, SHORT)}}}}"
    time_part = f"{{{{TIME({at})}}}}"
    if node.style == "date":
        return date_part
    if node.style == "time":
        return time_part
    return f"{date_part} {time_part}"


def inline(node: Inline) -> str:
    match node:
        case Text(text=text, strong=True):
            return f"**{escape(text)}**" if text.strip() else escape(text)
        case Text(text=text) | UserText(text=text):
            return escape(text)
        case Link(url=url, label=label):
            return f"[{escape(label)}]({_link_target(url)})"
        case PersonRef(name=name):
            return f"**{escape(name)}**"
        case Timestamp():
            return timestamp(node)
    raise TypeError(f"not a content node: {node!r}")


def paragraph(node: Paragraph) -> str:
    return "".join(inline(part) for part in node.parts)
