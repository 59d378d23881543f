"""The `tandem` command line (Typer). Heavy modules are imported inside commands so that
`tandem --help` and small commands start quickly."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import typer

from bot.settings import Settings, SettingsError, load_settings

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

DEMO_DATABASE = "tandem-demo.db"


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
    from storage.demo import seed_demo
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
        return str(summary)

    typer.echo(f"Demo database: {path}")
    typer.echo(run_async(_seed()))
    url = f"http://127.0.0.1:{port}/"
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
    from bot.clock import Clock
    from bot.server import due_handlers, routines
    from storage.db import Database
    from storage.due_runner import DueRunner
    from storage.queue import DueQueue

    settings = settings_or_exit()
    instant = parse_instant(at)

    async def _go() -> str:
        database = Database(settings.database_url)
        try:
            runner = DueRunner(DueQueue(database), due_handlers(settings, database))
            # Not started: it registers the routines' handlers and enqueues their missed fires.
            clock = Clock(runner, routines(settings), timezone=settings.timezone)
            await clock.catch_up(instant)
            report = await runner.drain(instant)
            await runner.queue.release(runner.owner)
        finally:
            await database.dispose()
        return (
            f"Due actions at {instant.isoformat()}: {report.done} done, "
            f"{report.retried} to retry, {report.parked} parked."
        )

    typer.echo(run_async(_go()))


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
