"""Which channel an ``admin announce`` names, resolved against what the platform told us.

Slack and the console name a channel by its id (Slack completes ``#name`` into one). Teams
has no such completion: an admin names a channel as Teams shows it ("General", or
"Sales > Announcements" when several teams have one of that name), by its id, or types the
command in the channel itself ("here", or nothing). The channels come from the table the
Teams handler fills when the bot is added to a team.
"""

from __future__ import annotations

from bot.domain.announcements import ChannelName, ChannelTarget, means_here, parse_channel
from dialogs.core.content import Inline, Paragraph, Text, UserText
from dialogs.core.feature import Turn
from dialogs.core.i18n import Translator
from dialogs.core.replies import text_message
from dialogs.core.ui import Message, Section
from storage.models import TeamChannel
from storage.team_channels import tenant_channels

MAX_LISTED = 10  # channels named in a "which one?" answer


def teams_label(t: Translator, channel: TeamChannel) -> str:
    name = channel.channel_name or (t("General") if channel.is_general else channel.channel_id)
    return f"{channel.team_name} > {name}" if channel.team_name else name


def how_to_name(t: Translator, platform: str) -> Message:
    if platform == "teams":
        hint = t(
            "In Teams, name the channel as Teams shows it, in quotes if it has spaces, with "
            'its team when several teams have one of that name ("Sales > General"); or type '
            "the command in the channel itself."
        )
        example = t('For example: admin announce "Sales > General" rm-2027')
    else:
        hint = t(
            "In Slack, pick the channel with # so that Slack completes it, or give its id "
            "from the channel details (it starts with C)."
        )
        example = t("For example: admin announce #general rm-2027")
    return text_message(t("Which channel? {hint} {example}", hint=hint, example=example))


def _listing(lead: list[Inline], title: str, channels: list[TeamChannel], t: Translator) -> Message:
    """``lead``, then the channels (a few) as Teams shows them."""
    parts = [*lead, Text(" " + title + " ")]
    for n, channel in enumerate(channels[:MAX_LISTED]):
        parts += [Text(", " if n else ""), UserText(teams_label(t, channel))]
    line = Paragraph((*parts, Text(".")))
    return Message((Section((line,)),), summary=line.plain(), visibility="private")


def not_in(t: Translator, typed: str, channels: list[TeamChannel]) -> Message:
    lead: list[Inline] = [
        Text(t("I am not in a Teams channel called") + " "),
        UserText(typed),
        Text("."),
    ]
    if not channels:
        lead.append(Text(" " + t("Add me to a team first (Apps, Tandem, Add to a team).")))
        line = Paragraph(tuple(lead))
        return Message((Section((line,)),), summary=line.plain(), visibility="private")
    return _listing(lead, t("Channels I am in:"), channels, t)


def ambiguous(t: Translator, typed: str, channels: list[TeamChannel]) -> Message:
    lead: list[Inline] = [
        Text(t("Several teams have a channel called") + " "),
        UserText(typed),
        Text("."),
    ]
    return _listing(lead, t("Name one with its team, in quotes:"), channels, t)


async def resolve(turn: Turn, typed: str) -> ChannelTarget | Message:
    """The channel ``typed`` names on the admin's platform, or what to tell them."""
    ctx, actor = turn.ctx, turn.inbound.actor
    t = ctx.t
    if actor.platform != "teams":
        target = parse_channel(actor.platform, typed)
        return target if target is not None else how_to_name(t, actor.platform)
    channels = list(await tenant_channels(ctx.session, actor.tenant_id))
    if not typed.strip() or means_here(typed):
        here = turn.inbound.channel_id
        if here is None:
            return how_to_name(t, actor.platform)
        known = next((c for c in channels if c.channel_id == here), None)
        return ChannelTarget(here, teams_label(t, known) if known else t("this channel"))
    by_id = parse_channel(actor.platform, typed)
    if by_id is not None:
        known = next((c for c in channels if c.channel_id == by_id.channel_id), None)
        # An id nobody told us about is tried anyway: the post tells the admin if it fails.
        return ChannelTarget(by_id.channel_id, teams_label(t, known)) if known else by_id
    name = ChannelName.parse(typed)
    if name is None:
        return how_to_name(t, actor.platform)
    found = [c for c in channels if name.names(c.team_name, c.channel_name, general=c.is_general)]
    if len(found) == 1:
        return ChannelTarget(found[0].channel_id, teams_label(t, found[0]))
    if not found:
        return not_in(t, typed, channels)
    return ambiguous(t, typed, found)
