"""The README's first-deployment guide names commands that exist, in the right order, and
nothing outside the repository."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import typer

from bot.cli import app
from dialogs.core.commands import Command, parse_command

README = Path(__file__).resolve().parent.parent / "README.md"
SECTION = "## A first real deployment"


def deployment_section() -> str:
    text = README.read_text(encoding="utf-8")
    assert SECTION in text
    after = text.split(SECTION, 1)[1]
    return after.split("\n## ", 1)[0]


def inline_code(text: str) -> list[str]:
    return [" ".join(code.split()) for code in re.findall(r"`([^`]+)`", text)]


def cli_path_exists(words: list[str]) -> bool:
    """Whether ``tandem WORDS…`` names a command (its arguments aside)."""
    command: click.Command = typer.main.get_command(app)
    for word in words:
        if not isinstance(command, click.Group) or word not in command.commands:
            return not isinstance(command, click.Group)
        command = command.commands[word]
    return not isinstance(command, click.Group)


def test_every_tandem_command_the_guide_names_exists() -> None:
    named = [c for c in inline_code(deployment_section()) if c.startswith("tandem ")]
    assert len(named) >= 4
    for command in named:
        words = [w for w in shlex.split(command)[1:] if not w.startswith("-")]
        assert cli_path_exists(words), command


def test_every_chat_command_the_guide_names_parses() -> None:
    said = [
        c.removeprefix("/tandem ")
        for c in inline_code(deployment_section())
        if c.startswith("/tandem ") or c.startswith("admin ")
    ]
    assert len(said) >= 6
    for text in said:
        parsed = parse_command(text)
        assert isinstance(parsed, Command) and parsed.admin, text


def test_the_order_of_a_first_deployment() -> None:
    section = deployment_section()
    steps = [
        "tandem people import",
        "TANDEM_ADMINS",
        "admin program new",
        "admin texts publish",
        "admin program open",
        "admin announce",
    ]
    positions = [section.index(step) for step in steps]
    assert positions == sorted(positions)
    for topic in ("Socket Mode", "request URLs", "Bot Framework Emulator"):
        assert topic in section


def test_the_readme_refers_to_nothing_outside_the_repository() -> None:
    text = README.read_text(encoding="utf-8")
    assert "../" not in text and "shared/" not in text
    root = README.parent
    for link in re.findall(r"\]\((?!https?://|#)([^)]+)\)", text):
        assert (root / link).exists(), link
