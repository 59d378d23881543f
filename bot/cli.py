"""The `tandem` command line (Typer). Heavy modules are imported inside commands so that
`tandem --help` and small commands start quickly."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli_calendars import calendars_app
from bot.cli_matching import demo_data, match
from bot.cli_people import forget, people_app, program_app
from bot.cli_reports import report
from bot.cli_retention import retention_app
from bot.cli_sessions import sessions_app
from bot.cli_support import (
    check_port,
    fail,
    fail_cannot_listen,
    parse_instant,
    run_async,
    run_with_database,
    settings_or_exit,
)
from bot.cli_texts import texts_app

if TYPE_CHECKING:
    from storage.db import Database

app = typer.Typer(
    name="tandem",
    help="Tandem: a reverse-mentoring program in Slack and Microsoft Teams.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
due_app = typer.Typer(
    help="Due actions: the durable queue of scheduled work.", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(people_app, name="people")
app.add_typer(due_app, name="due")
app.add_typer(calendars_app, name="calendars")
program_app.add_typer(texts_app, name="texts")
program_app.add_typer(retention_app, name="retention")
program_app.add_typer(sessions_app, name="sessions")
app.add_typer(program_app, name="program", no_args_is_help=True)
app.command()(forget)
app.command("demo-data")(demo_data)
app.command()(match)
app.command()(report)

DEMO_DATABASE = "tandem-demo.db"
PORT_ENV = "TANDEM_PORT"


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", envvar=PORT_ENV)] = 3978,
) -> None:
    """Serve Slack, Teams and the health endpoints (production)."""
    from bot.observability import configure_logging
    from bot.server import StartupError, run

    settings = settings_or_exit()
    check_port(host, port)
    configure_logging(json=True)
    try:
        run(settings, host=host, port=port, mode="serve")
    except StartupError as exc:
        fail(str(exc), code=3)
    except OSError as exc:
        fail_cannot_listen(host, port, exc)


@app.command()
def demo(
    port: Annotated[
        int, typer.Option(help="Port to listen on (127.0.0.1 only).", envvar=PORT_ENV)
    ] = 3978,
) -> None:
    """Seed a demo organisation in ./tandem-demo.db and serve it locally, no credentials needed."""
    from bot.clock import SystemClock
    from bot.observability import configure_logging
    from bot.server import StartupError, run
    from storage.db import Database
    from storage.demo import DemoDatabaseNotEmpty, seed_demo
    from storage.migrate import upgrade

    check_port("127.0.0.1", port)
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
            summary = await seed_demo(database, SystemClock().now())
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
        fail_cannot_listen("127.0.0.1", port, exc)


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


@due_app.command("run")
def due_run(
    at: Annotated[
        str | None,
        typer.Option(help="Run what is due at this instant (ISO 8601; default: now)."),
    ] = None,
) -> None:
    """Run the due actions whose time has come, then exit (for cron and tests)."""
    from aiohttp import web

    from bot.clock import Ticker
    from bot.domain.clock import ManualClock
    from bot.server import Runtime, create_app, due_handlers
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
            clock=ManualClock(instant),
        )
        app_runner = web.AppRunner(create_app(runtime, clock=False))
        await app_runner.setup()
        try:
            runner = DueRunner(DueQueue(database), runtime.handlers, clock=runtime.clock)
            # Not started: it registers the routines' handlers and enqueues their missed fires.
            ticker = Ticker(runner, runtime.all_routines(), timezone=settings.timezone)
            await ticker.catch_up(instant)
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
