"""Help, profile and language: what everyone can do from the first message."""

from __future__ import annotations

from dialogs.basics.language import LANGUAGE_FLOW, confirmation
from dialogs.basics.profile import PROFILE_FLOW
from dialogs.basics.profile_view import profile_of
from dialogs.core.events import Outcome
from dialogs.core.feature import Feature, Turn
from dialogs.core.i18n import LOCALES, Translator
from dialogs.core.replies import (
    HELP_ACTION,
    LANGUAGE_ACTION,
    PROFILE_EDIT_ACTION,
    PROFILE_SHOW_ACTION,
    help_message,
)
from dialogs.core.ui import Visibility


async def show_help(turn: Turn) -> Outcome:
    visibility: Visibility = "private" if turn.inbound.in_channel else "conversation"
    platform = turn.inbound.actor.platform
    ctx = turn.ctx
    message = help_message(ctx.t, is_admin=ctx.is_admin, platform=platform, visibility=visibility)
    return turn.reply(message)


async def show_profile(turn: Turn) -> Outcome:
    return turn.reply(await profile_of(turn.ctx))


async def edit_profile(turn: Turn) -> Outcome:
    return await turn.start(PROFILE_FLOW.name, opener=PROFILE_EDIT_ACTION)


async def language(turn: Turn) -> Outcome:
    args = turn.command.args if turn.command else ()
    if args and args[0].lower() in LOCALES:  # "language en": no card needed
        turn.ctx.person.locale = args[0].lower()
        new = turn.ctx.person.locale
        return Outcome(new, messages=(confirmation(Translator(new)),))
    return await turn.start(LANGUAGE_FLOW.name, opener=LANGUAGE_ACTION)


BASICS = Feature(
    name="basics",
    flows=(LANGUAGE_FLOW, PROFILE_FLOW),
    commands={"help": show_help, "profile": show_profile, "language": language},
    read_only_commands=frozenset({"help"}),
    read_only_actions=frozenset({HELP_ACTION}),
    actions={
        HELP_ACTION: show_help,
        PROFILE_SHOW_ACTION: show_profile,
        PROFILE_EDIT_ACTION: edit_profile,
        LANGUAGE_ACTION: language,
    },
)
