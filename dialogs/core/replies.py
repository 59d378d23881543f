"""Turn what the core knows into neutral messages, in the reader's language."""

from __future__ import annotations

from functools import lru_cache

from dialogs.core.commands import ADMIN_COMMANDS, PEOPLE_COMMANDS, CommandSpec, available
from dialogs.core.content import Paragraph, Text, UserText
from dialogs.core.events import Platform
from dialogs.core.i18n import Translator
from dialogs.core.ui import Actions, Button, Facts, Header, Message, Section, Visibility

HELP_ACTION = "help"
PROFILE_SHOW_ACTION = "profile:show"
PROFILE_EDIT_ACTION = "profile:edit"
LANGUAGE_ACTION = "language:choose"
JOIN_ACTION = "enrollment:join"


def _command_lines(t: Translator, specs: tuple[CommandSpec, ...], prefix: str) -> Facts:
    return Facts(
        tuple((f"{prefix}{spec.name}", Paragraph.of(t(spec.summary))) for spec in available(specs))
    )


def main_buttons(t: Translator) -> Actions:
    return Actions(
        (
            Button(t("Join a program"), JOIN_ACTION, opens_form=True, style="primary"),
            Button(t("My profile"), PROFILE_SHOW_ACTION),
            Button(t("Language"), LANGUAGE_ACTION),
            Button(t("Help"), HELP_ACTION),
        )
    )


def how_to_talk(t: Translator, platform: Platform) -> tuple[str, str]:
    """How commands are typed on this platform: the explanation, and the prefix help shows."""
    match platform:
        case "slack":
            line = t(
                "Type /tandem followed by a command, for example /tandem join, or write the "
                "word to me in our direct messages."
            )
            return line, "/tandem "
        case "teams":
            line = t(
                "Write the command to me in our personal chat, for example join. In a team "
                "channel, mention me first: @Tandem join."
            )
            return line, ""
    return t("Type the command in the box below, for example join."), ""


def help_message(
    t: Translator,
    *,
    is_admin: bool,
    platform: Platform = "console",
    visibility: Visibility = "private",
) -> Message:
    return _help_message(t.locale, is_admin, platform, visibility)


# Help is the same for every reader with the same language, role and platform, and the most
# asked-for message: built once per combination (a Message is immutable).
@lru_cache(maxsize=64)
def _help_message(
    locale: str, is_admin: bool, platform: Platform, visibility: Visibility
) -> Message:
    t = Translator(locale)
    line, prefix = how_to_talk(t, platform)
    words = t("Commands are English words; French words work too.")
    blocks: list[Header | Section | Facts | Actions] = [
        Header(t("What I can do")),
        Section((Paragraph.of(line), Paragraph.of(words))),
        _command_lines(t, PEOPLE_COMMANDS, prefix),
    ]
    if is_admin:
        blocks += [
            Header(t("Program admins")),
            _command_lines(t, ADMIN_COMMANDS, f"{prefix}admin "),
        ]
    blocks.append(main_buttons(t))
    return Message(tuple(blocks), summary=t("What I can do"), visibility=visibility)


def welcome_message(t: Translator, name: str | None) -> Message:
    greeting = t("Hello {name}!", name=name) if name else t("Hello!")
    return Message(
        (
            Header(greeting),
            Section(
                (
                    Paragraph.of(
                        t(
                            "I am Tandem. I run the reverse-mentoring program: younger colleagues "
                            "share their digital skills with leaders, and leaders share their "
                            "experience in return."
                        )
                    ),
                    Paragraph.of(t("Type help at any time to see what I can do.")),
                )
            ),
            main_buttons(t),
        ),
        summary=greeting,
    )


def unknown_command_message(t: Translator, word: str, suggestions: tuple[str, ...]) -> Message:
    parts: list[Text | UserText] = [
        Text(t("I don't know the command ")),
        UserText(word),
        Text(". "),
    ]
    if suggestions:
        parts.append(Text(t("Did you mean {words}?", words=", ".join(suggestions))))
    return Message(
        (Section((Paragraph(tuple(parts)),)), main_buttons(t)),
        summary=t("Unknown command"),
        visibility="private",
    )


def not_available_message(t: Translator, command: str, planned: str | None = None) -> Message:
    if planned is not None:
        text = t(
            "The {command} command is not available yet: it is planned for {when}.",
            command=command,
            when=t(planned),
        )
    else:
        text = t(
            "The {command} command is not available yet in this version of Tandem.",
            command=command,
        )
    return Message((Section((Paragraph.of(text),)),), summary=text, visibility="private")


def not_admin_message(t: Translator) -> Message:
    text = t("This command is for program admins. Ask your HR team if you need it.")
    return Message((Section((Paragraph.of(text),)),), summary=text, visibility="private")


def stale_message(t: Translator) -> Message:
    text = t("This has already been answered: nothing was changed.")
    return Message((Section((Paragraph.of(text),)),), summary=text, visibility="private")


def refused_message(t: Translator) -> Message:
    text = t("Tandem is not available for this workspace. Please contact your HR team.")
    return Message((Section((Paragraph.of(text),)),), summary=text, visibility="private")


def text_message(text: str, visibility: Visibility = "private") -> Message:
    return Message((Section((Paragraph.of(text),)),), summary=text, visibility=visibility)
