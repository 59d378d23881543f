"""`tandem people …`, `tandem program …` and `tandem forget`: the organisation's data."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli_support import fail, run_with_database, settings_or_exit

if TYPE_CHECKING:
    from storage.db import Database

people_app = typer.Typer(help="People from the HRIS: import, export.", no_args_is_help=True)
program_app = typer.Typer(help="Programs (create and edit them with /tandem admin program).")


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"


@people_app.command("import")
def people_import(
    file: Annotated[Path, typer.Argument(help="HRIS export (CSV, comma or semicolon).")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and count; write nothing.")
    ] = False,
    full: Annotated[
        bool, typer.Option("--full", help="The file lists everyone: mark absent people as left.")
    ] = False,
) -> None:
    """Import or update people from an HRIS export; nothing is written if any row is wrong."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from bot.clock import SystemClock
    from dialogs.participation.jobs import close_enrollments_of_leavers
    from storage.enrollment.participation import leavers_with_open_enrollments
    from storage.people.hris import PeopleImportError, check_people_file, import_people

    settings = settings_or_exit()
    try:
        data = file.read_bytes()
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror or exc}")

    async def _go(database: Database) -> str:
        parsed = await check_people_file(database, data)
        if parsed.errors:
            raise PeopleImportError(list(parsed.errors))
        for column in parsed.ignored_columns:
            typer.echo(f"tandem: ignoring unknown column {column!r}", err=True)
        with Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            transient=True,
        ) as progress:
            task = progress.add_task("Importing people", total=len(parsed.rows))
            report = await import_people(
                database,
                parsed.rows,
                full=full,
                dry_run=dry_run,
                progress=lambda n: progress.advance(task, n),
            )
        prefix = "Dry run, nothing written: would have" if dry_run else "Imported:"
        summary = (
            f"{prefix} {report.created} created, {report.updated} updated, "
            f"{report.unchanged} unchanged, {report.left} marked as left."
        )
        if full and not dry_run:
            # People who left the company leave their programs; partners are told kindly
            # (queued for the server's due runner).
            async with database.unit_of_work() as session:
                leavers = await leavers_with_open_enrollments(session)
            closed = await close_enrollments_of_leavers(
                database, leavers, None, SystemClock().now()
            )
            summary += (
                f" Enrollments closed for leavers: {closed.enrollments_closed}; "
                f"pairings ended: {closed.pairings_ended}."
            )
        return summary

    try:
        typer.echo(run_with_database(settings, _go))
    except PeopleImportError as exc:
        for error in exc.errors:
            typer.echo(f"{file.name}: {error}", err=True)
        fail(f"{len(exc.errors)} error(s): nothing was imported")


@people_app.command("export")
def people_export(
    email: Annotated[str | None, typer.Option(help="Only this person.")] = None,
    format: Annotated[
        ExportFormat, typer.Option("--format", help="Output format.")
    ] = ExportFormat.csv,
) -> None:
    """Write people to standard output (CSV by default), e.g. for a re-import or an audit."""
    import csv
    import json

    from storage.people.hris import EXPORT_COLUMNS, PersonNotFound, export_people

    settings = settings_or_exit()

    try:
        people = run_with_database(settings, lambda database: export_people(database, email))
    except PersonNotFound as exc:
        fail(str(exc))
    if format is ExportFormat.json:
        json.dump(people, sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=list(EXPORT_COLUMNS), extrasaction="ignore")
    writer.writeheader()
    for person in people:
        row = dict(person)
        languages = row.get("languages")
        if isinstance(languages, list):
            row["languages"] = " ".join(str(code) for code in languages)
        writer.writerow(row)


@program_app.command("list")
def program_list() -> None:
    """Programs with their status, dates and enrolled mentors and mentees."""
    from collections import Counter

    from rich.console import Console
    from rich.table import Table

    from storage.programs.programs import list_programs, program_status

    settings = settings_or_exit()

    def pending(counts: Counter[tuple[str, str]]) -> int:
        return sum(n for (_role, state), n in counts.items() if state == "pending")

    async def _go(database: Database) -> list[tuple[str, ...]]:
        rows: list[tuple[str, ...]] = []
        async with database.unit_of_work() as session:
            for program in await list_programs(session):
                status = await program_status(session, program)
                rows.append(
                    (
                        program.slug,
                        program.name,
                        program.status,
                        f"{program.starts_on} → {program.ends_on}",
                        str(status.count("mentor", "active")),
                        str(status.count("mentee", "active")),
                        str(
                            sum(n for (_, s), n in status.by_role_status.items() if s == "pending")
                        ),
                    )
                )
        return rows

    table = Table("slug", "name", "status", "dates", "mentors", "mentees", "pending")
    for row in run_with_database(settings, _go):
        table.add_row(*row)
    Console().print(table)


@people_app.command("merge")
def people_merge(
    keep: Annotated[str, typer.Argument(help="Email of the record to keep.")],
    duplicate: Annotated[str, typer.Argument(help="Email of the duplicate to fold into it.")],
) -> None:
    """Merge two records of one person: identities, enrollments and history move to KEEP."""
    from storage.people.hris import PersonNotFound
    from storage.people.merge import SamePerson, merge_people

    settings = settings_or_exit()
    try:
        report = run_with_database(settings, lambda db: merge_people(db, keep, duplicate))
    except (PersonNotFound, SamePerson) as exc:
        fail(str(exc))
    moved = ", ".join(f"{n} {what}" for what, n in sorted(report.moved.items()) if n) or "nothing"
    typer.echo(
        f"Merged into {keep}: moved {moved}; {report.dropped_enrollments} clashing "
        "enrollment(s) of the duplicate dropped."
    )


def forget(
    email: Annotated[str, typer.Argument(help="The person's email.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase a person (GDPR): names, emails and what they wrote; a tombstone keeps the tree."""
    from bot.clock import SystemClock
    from storage.people.hris import PersonNotFound, forget_person

    settings = settings_or_exit()
    if not yes and not typer.confirm(f"Erase {email} for good?", err=True):
        fail("nothing erased")

    try:
        opaque_id = run_with_database(
            settings, lambda database: forget_person(database, email, now=SystemClock().now())
        )
    except PersonNotFound as exc:
        fail(str(exc))
    typer.echo(f"Erased. The person remains only as tombstone {opaque_id} in the management tree.")
