"""Shared fixtures: a migrated database on SQLite (always) and PostgreSQL (when available).

PostgreSQL tests read ``TANDEM_TEST_POSTGRES_URL`` (an asyncpg URL to a server where the
user may create databases). Without it they skip with a reason; with
``TANDEM_REQUIRE_POSTGRES=1`` (CI) a missing or unreachable server fails them instead.

CI runs the suite a second time under ``faketime`` with the system clock a year ahead and
``TANDEM_FAKETIME=1``; a test marked ``@pytest.mark.realclock(reason=...)`` is skipped there.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from storage.db import Database
from storage.migrate import upgrade

POSTGRES_ENV = "TANDEM_TEST_POSTGRES_URL"
REQUIRE_ENV = "TANDEM_REQUIRE_POSTGRES"
FAKETIME_ENV = "TANDEM_FAKETIME"
ENGINES = ["sqlite", "postgres"]


def _flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0", "false", "no")


def _require_postgres() -> bool:
    return _flag(REQUIRE_ENV)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under the moved clock, skip the tests that need the real one, with their reason."""
    for item in items:
        marker = item.get_closest_marker("realclock")
        if marker is None:
            continue
        reason = marker.kwargs.get("reason") or (marker.args[0] if marker.args else "")
        if not reason:
            raise pytest.UsageError(f"{item.nodeid}: realclock needs a reason")
        if _flag(FAKETIME_ENV):
            item.add_marker(pytest.mark.skip(reason=f"needs the real clock: {reason}"))


def postgres_admin_url() -> str:
    """The configured server URL, or skip (fail under TANDEM_REQUIRE_POSTGRES=1)."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        if _require_postgres():
            pytest.fail(f"{REQUIRE_ENV}=1 but {POSTGRES_ENV} is not set")
        pytest.skip(
            f"PostgreSQL tests need {POSTGRES_ENV} (e.g. postgresql+asyncpg://postgres@127.0.0.1/test)"
        )
    return url


async def _admin_execute(admin_url: str, statement: str) -> None:
    import asyncpg

    url = make_url(admin_url)
    conn = await asyncpg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        database=url.database or "postgres",
    )
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def create_postgres_database(prefix: str = "tandem_test", template: str | None = None) -> str:
    """Create a throw-away database on the configured server and return its URL."""
    admin_url = postgres_admin_url()
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    statement = f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
    try:
        asyncio.run(_admin_execute(admin_url, statement))
    except (OSError, Exception) as exc:  # asyncpg raises several unrelated types
        if _require_postgres():
            pytest.fail(f"PostgreSQL at {POSTGRES_ENV} is unreachable: {exc}")
        pytest.skip(f"PostgreSQL at {POSTGRES_ENV} is unreachable: {exc}")
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    asyncio.run(
        _admin_execute(postgres_admin_url(), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    )


async def _migrate(url: str) -> None:
    database = Database(url)
    await upgrade(database)
    await database.dispose()


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    """A migrated PostgreSQL database that each test copies (a fast, isolated start)."""
    url = create_postgres_database("tandem_template")
    asyncio.run(_migrate(url))
    yield str(make_url(url).database)
    drop_postgres_database(url)


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, migrated database on each engine."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'tandem.db'}"
        asyncio.run(_migrate(url))
        yield url
        return
    template = str(request.getfixturevalue("postgres_template"))
    url = create_postgres_database(template=template)
    yield url
    drop_postgres_database(url)


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    db = Database(database_url)
    yield db
    await db.dispose()
