"""What the `tandem` commands share: errors on standard error, settings, the database."""

from __future__ import annotations

import asyncio
import errno
import socket
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, NoReturn, TypeVar

import typer

from bot.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from storage.db import Database
    from storage.models import Program

T = TypeVar("T")


async def program_named(session: AsyncSession, slug: str) -> Program:
    """The program ``slug`` names; none exits with a pointer to ``tandem program list``."""
    from storage.enrollment.enrollments import program_by_slug

    program = await program_by_slug(session, slug)
    if program is None:
        fail(f"no program {slug!r} (see: tandem program list)")
    return program


async def programs_named(session: AsyncSession, slug: str | None) -> list[Program]:
    """The program ``slug`` names, or every program when there is no slug."""
    from storage.programs.programs import list_programs

    if slug is None:
        return list(await list_programs(session))
    return [await program_named(session, slug)]


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"tandem: {message}", err=True)
    raise typer.Exit(code)


def port_in_use(host: str, port: int) -> bool:
    """Whether another process already listens on ``host:port``."""
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError:
        return False  # an unknown host: the server says so itself
    for family, kind, proto, _, address in addresses:
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp binds
            try:
                sock.bind(address)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    return True
    return False


def fail_port_in_use(port: int) -> NoReturn:
    other = port + 1 if port < 65535 else port - 1
    fail(
        f"port {port} is already in use; choose another with --port {other} or TANDEM_PORT={other}",
        code=3,
    )


def check_port(host: str, port: int) -> None:
    """Checked before anything starts: a taken port costs one line, not a half-started
    server's shutdown (the scheduler's cancelled jobs printed a traceback)."""
    if port_in_use(host, port):
        fail_port_in_use(port)


def fail_cannot_listen(host: str, port: int, exc: OSError) -> NoReturn:
    if exc.errno == errno.EADDRINUSE:  # taken between the check and the bind
        fail_port_in_use(port)
    fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}", code=3)


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


def parse_instant(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        fail(f"--at: {value!r} is not an ISO 8601 date-time (e.g. 2027-01-15T09:00:00+01:00)", 2)
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)
