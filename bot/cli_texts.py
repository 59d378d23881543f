"""``tandem program texts show|edit|publish``: a program's charter and privacy notice from
the command line, the same drafts and versions as ``/tandem admin texts`` in chat.

Publishing queues the request to accept the new version again; the server (or ``tandem
due run``) delivers it to the enrolled people on their platform.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli_support import (
    fail,
    program_named,
    run_with_database,
    settings_or_exit,
)

if TYPE_CHECKING:
    from storage.db import Database
    from storage.models import Program

texts_app = typer.Typer(
    help="The charter and privacy notice of a program: show, edit, publish.",
    no_args_is_help=True,
)


class Kind(StrEnum):
    charter = "charter"
    privacy = "privacy"


class Lang(StrEnum):
    fr = "fr"
    en = "en"


SlugArg = Annotated[str, typer.Argument(help="Program slug.")]
KindArg = Annotated[Kind, typer.Argument(help="charter or privacy.")]


async def _program(database: Database, slug: str) -> Program:
    async with database.unit_of_work() as session:
        return await program_named(session, slug)


@texts_app.command("show")
def texts_show(
    slug: SlugArg,
    kind: KindArg,
    lang: Annotated[Lang, typer.Option("--lang", help="Language.")] = Lang.fr,
) -> None:
    """Print the published version (and say whether a draft waits)."""
    from storage.enrollment.enrollments import current_text
    from storage.programs.texts import draft_of

    async def _go(database: Database) -> str:
        program = await _program(database, slug)
        async with database.unit_of_work() as session:
            text = await current_text(session, program, kind.value, lang.value)
            draft = await draft_of(session, program, kind.value, lang.value)
        lines = [f"{program.name} · {kind.value} · {lang.value}"]
        lines.append(f"version {text.version}\n\n{text.body}" if text else "no published version")
        if draft is not None:
            lines.append(
                f"\n(a draft of version {draft.version} waits: tandem program texts "
                f"publish {program.slug} {kind.value})"
            )
        return "\n".join(lines)

    typer.echo(run_with_database(settings_or_exit(), _go))


@texts_app.command("edit")
def texts_edit(
    slug: SlugArg,
    kind: KindArg,
    file: Annotated[Path, typer.Option("--file", help="The new text (UTF-8, Markdown).")],
    lang: Annotated[Lang, typer.Option("--lang", help="Language of this text.")] = Lang.fr,
) -> None:
    """Save the next version's text in one language as a draft (publish it afterwards)."""
    from storage.programs.texts import save_draft

    try:
        body = file.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {file}: {exc}")
    if not body:
        fail(f"{file} is empty: a charter or privacy notice needs words")

    async def _go(database: Database) -> str:
        program = await _program(database, slug)
        async with database.unit_of_work() as session:
            program = await session.merge(program)
            version = await save_draft(session, program, kind.value, lang.value, body, None)
        return (
            f"Draft of version {version} saved ({kind.value}, {lang.value}). Publish it "
            f"with: tandem program texts publish {program.slug} {kind.value}"
        )

    typer.echo(run_with_database(settings_or_exit(), _go))


@texts_app.command("publish")
def texts_publish(slug: SlugArg, kind: KindArg) -> None:
    """Publish the draft; enrolled people are asked to accept the new version."""
    from bot.clock import SystemClock
    from dialogs.programs.texts import publish_and_ask

    async def _go(database: Database) -> str:
        program = await _program(database, slug)
        async with database.unit_of_work() as session:
            program = await session.merge(program)
            published = await publish_and_ask(
                session, program, kind.value, None, SystemClock().now()
            )
        if published is None:
            fail(
                f"no draft to publish: write one with tandem program texts edit {slug} "
                f"{kind.value} --file FILE"
            )
        kept = f"; unchanged in {', '.join(published.carried)}" if published.carried else ""
        return (
            f"Version {published.version} of the {kind.value} is published{kept}. "
            "Enrolled people will be asked to accept it."
        )

    typer.echo(run_with_database(settings_or_exit(), _go))
