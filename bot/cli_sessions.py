"""``tandem program sessions show|set``: a program's sessions numbers (slots, reminders,
"did it happen?", nudges, at-risk alerts), each admin-editable, from the command line.

A change applies to what is planned from then on: reminders already queued keep their hour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli_support import (
    fail,
    program_named,
    programs_named,
    run_with_database,
    settings_or_exit,
)

if TYPE_CHECKING:
    from storage.db import Database
    from storage.models import Program

sessions_app = typer.Typer(
    help="A program's sessions settings: slots, reminders, nudges, at-risk alerts.",
    no_args_is_help=True,
)


def _lines(program: Program) -> list[str]:
    import dataclasses

    from bot.domain.sessions.settings import SessionSettings, shown

    settings, default = SessionSettings.of(program.session_settings), SessionSettings()
    lines = []
    for field in dataclasses.fields(SessionSettings):
        value, usual = getattr(settings, field.name), getattr(default, field.name)
        note = "default" if value == usual else f"default {shown(usual)}"
        lines.append(f"{program.slug}: {field.name} = {shown(value)} ({note})")
    return lines


@sessions_app.command("show")
def sessions_show(
    slug: Annotated[
        str | None, typer.Argument(help="Program slug (default: every program).")
    ] = None,
) -> None:
    """Per program: each setting, its value and its default."""

    async def _go(database: Database) -> str:
        async with database.unit_of_work() as session:
            programs = await programs_named(session, slug)
        return "\n".join(line for p in programs for line in _lines(p)) or "no program yet"

    typer.echo(run_with_database(settings_or_exit(), _go))


@sessions_app.command("set")
def sessions_set(
    slug: Annotated[str, typer.Argument(help="Program slug.")],
    name: Annotated[str, typer.Argument(help="A setting's name (see: show).")],
    value: Annotated[str, typer.Argument(help="Its new value: a number, 24,1 or on|off.")],
) -> None:
    """Change one setting; what is planned from now on follows it. Audited."""
    from bot.clock import SystemClock
    from bot.domain.sessions.settings import SessionSettings, SettingError, with_setting
    from storage.audit import record_audit

    async def _go(database: Database) -> str:
        async with database.unit_of_work() as session:
            program = await program_named(session, slug)
            before = SessionSettings.of(program.session_settings)
            try:
                after = with_setting(before, name, value)
            except SettingError as problem:
                fail(str(problem))
            program.session_settings = after.changed()
            record_audit(
                session,
                "sessions.settings",
                actor_id=None,  # the command line
                program_id=program.id,
                details={"setting": name, "value": program.session_settings.get(name)},
                at=SystemClock().now(),
            )
            return next(line for line in _lines(program) if f": {name} = " in line)

    typer.echo(run_with_database(settings_or_exit(), _go))
