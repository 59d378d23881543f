"""Which shared channel an ``admin announce`` names, per platform (pure rules)."""

from __future__ import annotations

import re
import unicodedata
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


# -- Teams: channels named as Teams shows them ---------------------------------------------

HERE = frozenset({"here", "ici"})
# Teams gives a team's General channel no name; its clients show it in their language.
GENERAL = frozenset({"general", "generale"})
# "Ventes > Annonces" as Teams' header shows it, or "Ventes/Annonces": channel names can
# hold neither character, team names can, so the last one separates them.
TEAM_SEPARATOR = re.compile(r"\s*[>/]\s*(?=[^>/]*$)")


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold().strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def means_here(text: str) -> bool:
    return _folded(text) in HERE


@dataclass(frozen=True)
class ChannelName:
    """A Teams channel as a person names it: its name, and its team's when several teams
    have a channel of that name."""

    channel: str
    team: str | None = None

    @classmethod
    def parse(cls, text: str) -> ChannelName | None:
        text = text.strip().lstrip("#").strip()
        if not text:
            return None
        parts = TEAM_SEPARATOR.split(text, maxsplit=1)
        if len(parts) == 2 and parts[0] and parts[1]:
            return cls(parts[1].lstrip("#").strip(), parts[0])
        return cls(text)

    def names(self, team_name: str | None, channel_name: str | None, *, general: bool) -> bool:
        """Whether this names a known channel (a team's General one is named in any
        language; other channels whose name Teams never told are named by id only)."""
        if self.team is not None and _folded(self.team) != _folded(team_name or ""):
            return False
        wanted = _folded(self.channel)
        if general and wanted in GENERAL:
            return True
        return channel_name is not None and wanted == _folded(channel_name)
