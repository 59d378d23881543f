"""Which shared channel an ``admin announce`` names, per platform (pure rules)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Slack escapes a picked channel as <#C0123ABCD|general> (slash commands with escaping on);
# a bare id is what the channel's details show.
SLACK_ESCAPED = re.compile(r"^<#([CG][A-Z0-9]{6,})(?:\|([^>]*))?>$")
SLACK_ID = re.compile(r"^[CG][A-Z0-9]{6,}$")
TEAMS_ID = re.compile(r"^19:[^\s]+$")


@dataclass(frozen=True)
class ChannelTarget:
    channel_id: str  # what the platform posts to
    label: str  # what the admin sees, e.g. "#general"


def parse_channel(platform: str, text: str) -> ChannelTarget | None:
    """The channel ``text`` names on ``platform``; None when it names none we can post to
    (a plain ``#name`` in Slack: finding a channel by name is not supported)."""
    text = text.strip()
    if platform == "slack":
        escaped = SLACK_ESCAPED.match(text)
        if escaped:
            return ChannelTarget(escaped[1], f"#{escaped[2] or escaped[1]}")
        return ChannelTarget(text, f"#{text}") if SLACK_ID.match(text) else None
    if platform == "teams":
        return ChannelTarget(text, text) if TEAMS_ID.match(text) else None
    if platform == "console":
        label = text if text.startswith("#") else f"#{text}"
        return ChannelTarget(label, label) if len(text.lstrip("#")) > 0 else None
    return None
