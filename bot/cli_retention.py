"""``tandem program retention show|set``: how long each program keeps the free text people
wrote, from the command line; the same period and counts as ``/tandem admin retention``.

A period whose date has passed queues the erasure at once: the server (or ``tandem due
run``) carries it out.
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

retention_app = typer.Typer(
    help="How long free text is kept after a program ends, and when it is erased.",
    no_args_is_help=True,
)


@retention_app.command("show")
def retention_show(
    slug: Annotated[
        str | None, typer.Argument(help="Program slug (default: every program).")
    ] = None,
) -> None:
    """Per program: the period, the day its free text is erased, how many texts wait."""
    from bot.domain.retention import Texts, erase_on
    from storage.retention import waiting_texts

    async def _go(database: Database) -> str:
        async with database.unit_of_work() as session:
            programs = await programs_named(session, slug)
            waiting = await waiting_texts(session, [p.id for p in programs])
        lines = []
        for p in programs:
            texts = waiting.get(p.id, Texts())
            kinds = ", ".join(f"{k} {n}" for k, n in texts.counts().items() if n)
            lines.append(
                f"{p.slug}: kept {p.retention_months} months after {p.ends_on}; erased from "
                f"{erase_on(p.ends_on, p.retention_months)} 00:00 ({p.timezone}); "
                f"{texts.total} texts waiting" + (f" ({kinds})" if kinds else "")
            )
        return "\n".join(lines) or "no program yet"

    typer.echo(run_with_database(settings_or_exit(), _go))


@retention_app.command("set")
def retention_set(
    slug: Annotated[str, typer.Argument(help="Program slug.")],
    months: Annotated[str, typer.Argument(help="Months kept after the program ends (1-120).")],
) -> None:
    """Change the period; a date already past erases at the next run of the queue."""
    from bot.clock import SystemClock
    from bot.domain.retention import MAX_MONTHS, MIN_MONTHS, erase_on, months_problem
    from dialogs.retention.jobs import queue_if_due
    from storage.retention import set_retention

    if months_problem(months) is not None:
        fail(
            f"the period is a whole number of months from {MIN_MONTHS} to {MAX_MONTHS}: {months!r}"
        )

    async def _go(database: Database) -> str:
        now = SystemClock().now()
        async with database.unit_of_work() as session:
            program = await program_named(session, slug)
            set_retention(session, program, int(months), None, now)
            queued = await queue_if_due(session, program, now)
            day = erase_on(program.ends_on, program.retention_months)
        erased = (
            " (queued now: that date has passed)" if queued is not None and queued <= now else ""
        )
        return f"{slug}: free text kept {months} months after the end; erased from {day}{erased}."

    typer.echo(run_with_database(settings_or_exit(), _go))
