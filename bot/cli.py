"""The `tandem` command line (Typer). Heavy modules are imported inside commands so that
`tandem --help` and small commands start quickly."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TypeVar

import typer

from bot.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from storage.db import Database

T = TypeVar("T")

app = typer.Typer(
    name="tandem",
    help="Tandem: a reverse-mentoring program in Slack and Microsoft Teams.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
people_app = typer.Typer(help="People from the HRIS: import, export.", no_args_is_help=True)
due_app = typer.Typer(
    help="Due actions: the durable queue of scheduled work.", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(people_app, name="people")
app.add_typer(due_app, name="due")
program_app = typer.Typer(help="Programs (create and edit them with /tandem admin program).")
app.add_typer(program_app, name="program", no_args_is_help=True)

DEMO_DATABASE = "tandem-demo.db"


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"tandem: {message}", err=True)
    raise typer.Exit(code)


def settings_or_exit(**overrides: object) -> Settings:
    try:
        return load_settings(**overrides)
    except SettingsError as exc:
        fail(str(exc), code=2)


def run_async(coro: Awaitable[T]) -> T:
    async def _main() -> T:
        return await coro

    return asyncio.run(_main())


class SchemaBehind(Exception):
    pass


async def open_database(settings: Settings) -> Database:
    """The configured database, checked to be at the latest migration (never migrated here)."""
    from storage.db import Database
    from storage.migrate import current_revision, head_revision

    database = Database(settings.database_url)
    try:
        current = await current_revision(database)
    except OSError as exc:
        await database.dispose()
        raise SchemaBehind(f"cannot reach the database: {exc}") from exc
    if current != head_revision():
        await database.dispose()
        raise SchemaBehind(
            f"the database is at revision {current or 'none (empty)'}, this version needs "
            f"{head_revision()}: run `tandem db upgrade` first"
        )
    return database


def run_with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Open the database, run ``work`` with it, close it; schema problems end the command."""

    async def _go() -> T:
        database = await open_database(settings)
        try:
            return await work(database)
        finally:
            await database.dispose()

    try:
        return run_async(_go())
    except SchemaBehind as exc:
        fail(str(exc))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 3978,
) -> None:
    """Serve Slack, Teams and the health endpoints (production)."""
    from bot.observability import configure_logging
    from bot.server import StartupError, run

    settings = settings_or_exit()
    configure_logging(json=True)
    try:
        run(settings, host=host, port=port, mode="serve")
    except StartupError as exc:
        fail(str(exc), code=3)
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}", code=3)


@app.command()
def demo(
    port: Annotated[int, typer.Option(help="Port to listen on (127.0.0.1 only).")] = 3978,
) -> None:
    """Seed a demo organisation in ./tandem-demo.db and serve it locally, no credentials needed."""
    from bot.observability import configure_logging
    from bot.server import StartupError, run
    from storage.db import Database
    from storage.demo import DemoDatabaseNotEmpty, seed_demo
    from storage.migrate import upgrade

    path = Path.cwd() / DEMO_DATABASE
    settings = settings_or_exit(
        database_url=f"sqlite+aiosqlite:///{path}",
        console=True,
        public_url=f"http://127.0.0.1:{port}",
    )
    configure_logging(json=False)

    async def _seed() -> str:
        database = Database(settings.database_url)
        try:
            await upgrade(database)
            summary = await seed_demo(database)
        finally:
            await database.dispose()
        state = "Seeded" if summary.created else "Reusing"
        return (
            f"{state} the demo organisation {summary.organisation}: {summary.people} people in "
            f"{summary.departments} departments ({', '.join(summary.time_zones)}), program "
            f"{summary.program_name!r} ({summary.program_slug}) open for enrollment, "
            f"{summary.enrollments} enrolled; program admin: {summary.admin_email}."
        )

    typer.echo(f"Demo database: {path}")
    try:
        typer.echo(run_async(_seed()))
    except DemoDatabaseNotEmpty as exc:
        fail(str(exc))
    url = f"http://127.0.0.1:{port}/console"
    banner = f"\nTandem demo is running: open {url}  (Ctrl+C to stop)\n"
    try:
        run(settings, host="127.0.0.1", port=port, mode="demo", banner=banner)
    except StartupError as exc:
        fail(str(exc), code=3)
    except OSError as exc:
        fail(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}", code=3)


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply pending migrations (run once per release, from one place)."""
    from storage.db import Database
    from storage.migrate import current_revision, upgrade

    settings = settings_or_exit()

    async def _go() -> tuple[str | None, str | None]:
        database = Database(settings.database_url)
        try:
            before = await current_revision(database)
            await upgrade(database, revision)
            return before, await current_revision(database)
        finally:
            await database.dispose()

    try:
        before, after = run_async(_go())
    except OSError as exc:
        fail(f"cannot reach the database: {exc}")
    if before == after:
        typer.echo(f"Database already at {after}.")
    else:
        typer.echo(f"Database upgraded from {before or 'empty'} to {after}.")


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

    from dialogs.participation_jobs import close_enrollments_of_leavers
    from storage.participation import leavers_with_open_enrollments
    from storage.people import PeopleImportError, check_people_file, import_people

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
            closed = await close_enrollments_of_leavers(database, leavers, None)
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

    from storage.people import EXPORT_COLUMNS, PersonNotFound, export_people

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

    from storage.programs import list_programs, program_status

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
    from storage.people import PersonNotFound
    from storage.people_merge import SamePerson, merge_people

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


@app.command()
def forget(
    email: Annotated[str, typer.Argument(help="The person's email.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Erase a person (GDPR): names, emails and what they wrote; a tombstone keeps the tree."""
    from storage.people import PersonNotFound, forget_person

    settings = settings_or_exit()
    if not yes and not typer.confirm(f"Erase {email} for good?", err=True):
        fail("nothing erased")

    try:
        opaque_id = run_with_database(settings, lambda database: forget_person(database, email))
    except PersonNotFound as exc:
        fail(str(exc))
    typer.echo(f"Erased. The person remains only as tombstone {opaque_id} in the management tree.")


@app.command("teams-package")
def teams_package(
    out: Annotated[Path, typer.Option("--out", help="Where to write the zip.")] = Path(
        "tandem-teams.zip"
    ),
    app_id: Annotated[
        str | None, typer.Option(help="The bot's app id (default: MICROSOFT_APP_ID).")
    ] = None,
) -> None:
    """Build the Teams app package (manifest with your app id, commands, icons) to upload."""
    from handlers.teams.package import build_package

    settings = settings_or_exit()
    chosen = app_id or settings.microsoft_app_id
    if not chosen:
        fail("set MICROSOFT_APP_ID or pass --app-id: the package names the bot by its app id", 2)
    try:
        path = build_package(chosen, out)
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    typer.echo(f"Teams app package written to {path}: upload it in the Teams admin center.")


def parse_instant(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--at: {value!r} is not an ISO 8601 date-time (e.g. 2027-01-15T09:00:00+01:00)", 2)
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


@due_app.command("run")
def due_run(
    at: Annotated[
        str | None,
        typer.Option(help="Run what is due at this instant (ISO 8601; default: now)."),
    ] = None,
) -> None:
    """Run the due actions whose time has come, then exit (for cron and tests)."""
    from aiohttp import web

    from bot.clock import Clock
    from bot.server import Runtime, create_app, due_handlers, routines
    from storage.deployment import stored_secret_key
    from storage.due_runner import DueRunner
    from storage.queue import DueQueue

    settings = settings_or_exit()
    instant = parse_instant(at)

    async def _go(database: Database) -> str:
        # The same application as `serve`, not listening: its channels deliver what is due.
        runtime = Runtime(
            settings=settings,
            database=database,
            mode="serve",
            handlers=due_handlers(settings, database),
            secret_key=settings.secret_key or await stored_secret_key(database),
        )
        app_runner = web.AppRunner(create_app(runtime, clock=False))
        await app_runner.setup()
        try:
            runner = DueRunner(DueQueue(database), runtime.handlers)
            # Not started: it registers the routines' handlers and enqueues their missed fires.
            clock = Clock(runner, routines(settings), timezone=settings.timezone)
            await clock.catch_up(instant)
            report = await runner.drain(instant)
            await runner.queue.release(runner.owner)
        finally:
            await app_runner.cleanup()
        return (
            f"Due actions at {instant.isoformat()}: {report.done} done, "
            f"{report.retried} to retry, {report.parked} parked."
        )

    typer.echo(run_with_database(settings, _go))


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
