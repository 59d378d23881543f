"""One grammar for Slack, Teams and the console: English words, French aliases."""

from __future__ import annotations

import pytest

from dialogs.core.commands import (
    ADMIN_COMMANDS,
    PEOPLE_COMMANDS,
    Command,
    UnknownAction,
    UnknownCommand,
    parse_command,
)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("", Command("help")),
        ("/tandem", Command("help")),
        ("help", Command("help")),
        ("aide", Command("help")),
        ("JOIN", Command("join")),
        ("rejoindre", Command("join")),
        ("/tandem profil", Command("profile")),
        ("Langue en", Command("language", args=("en",))),
        ("pause 2027-03-01", Command("pause", args=("2027-03-01",))),
        ("quitter", Command("leave")),
    ],
)
def test_people_commands_in_english_and_french(typed: str, expected: Command) -> None:
    assert parse_command(typed) == expected


def test_admin_commands_with_actions_arguments_and_options() -> None:
    assert parse_command("admin program new") == Command("program", admin=True, action="new")
    assert parse_command("admin programme nouveau") == Command("program", admin=True, action="new")
    assert parse_command('admin program show "Mentorat inversé 2027"') == Command(
        "program", admin=True, action="show", args=("Mentorat inversé 2027",)
    )
    assert parse_command("admin audit --since 2027-01-01") == Command(
        "audit", admin=True, options={"since": "2027-01-01"}
    )
    assert parse_command("admin match --program=mentorat-inverse") == Command(
        "match", admin=True, options={"program": "mentorat-inverse"}
    )
    # Accents and case do not matter, and phones' curly quotes work like straight ones.
    assert parse_command("admin Compétences ajouter “IA générative”") == Command(
        "skills", admin=True, action="add", args=("IA générative",)
    )
    assert parse_command("admin") == Command("help", admin=True)


def test_unknown_words_get_suggestions_not_errors() -> None:
    assert parse_command("jion") == UnknownCommand("jion", suggestions=("join",))
    assert parse_command("zumba now") == UnknownCommand("zumba")
    assert parse_command("admin mtach") == UnknownCommand(
        "mtach", admin=True, suggestions=("match",)
    )
    assert parse_command("admin program destroy") == UnknownAction(
        "program", "destroy", ("new", "list", "show", "open", "close", "edit", "admins")
    )


def test_an_unbalanced_quote_keeps_the_words() -> None:
    assert parse_command('contact "hello there') == Command("contact", args=('"hello', "there"))


def test_people_words_never_reach_admin_commands() -> None:
    # "forget" is an admin command: typed without "admin" it is unknown, not executed.
    assert isinstance(parse_command("forget lea@example.com"), UnknownCommand)
    assert isinstance(parse_command("oublier lea@example.com"), UnknownCommand)


def test_no_alias_is_shared_by_two_commands() -> None:
    for specs in (PEOPLE_COMMANDS, ADMIN_COMMANDS):
        words = [w for spec in specs for w in (spec.name, *spec.aliases)]
        assert len(words) == len(set(words))
