"""Engine, sessions and the unit of work, for SQLite (embedded) and PostgreSQL alike."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import ORMExecuteState, Session

from storage import sqlite_driver

SQLITE_BUSY_TIMEOUT_MS = 15_000
Result = TypeVar("Result")


def _sqlite_pragmas(dbapi_connection: Any) -> None:
    """Every connection to a SQLite file: wait for the writer, keep references, WAL."""
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _configure_sqlite(engine: AsyncEngine) -> None:
    """Let us choose how each SQLite transaction begins (``BEGIN IMMEDIATE`` for claims).

    pysqlite's own implicit BEGIN is turned off, as SQLAlchemy's documentation recommends,
    and each transaction emits the BEGIN named by the ``sqlite_begin`` execution option.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        _sqlite_pragmas(dbapi_connection)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "")
        statement = f"BEGIN {mode}".strip()
        driver = connection.connection.driver_connection
        if isinstance(driver, sqlite_driver.Connection):
            driver.begin_with_next(statement)  # one thread hop with the first statement
        else:
            connection.exec_driver_sql(statement)


@asynccontextmanager
async def _turn(writer: asyncio.Lock) -> AsyncIterator[None]:
    """This process's turn to write; past the busy timeout, SQLite's own waiting decides
    (a unit of work nested in another one must fail as it did, not hang)."""
    try:
        await asyncio.wait_for(writer.acquire(), SQLITE_BUSY_TIMEOUT_MS / 1000)
    except TimeoutError:
        yield
        return
    try:
        yield
    finally:
        writer.release()


class NotingSession(Session):
    """A session that notes whether it wrote anything (``wrote``)."""


@event.listens_for(NotingSession, "after_flush")
def _flushed(session: Session, _context: Any) -> None:
    session.info["wrote"] = True


@event.listens_for(NotingSession, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["wrote"] = True


def wrote(session: AsyncSession) -> bool:
    """Whether this session has written, or holds changes it will write at commit."""
    sync = session.sync_session
    return bool(sync.info.get("wrote") or sync.new or sync.dirty or sync.deleted)


class Database:
    """One per process: an async engine and its session factory."""

    def __init__(self, url: str, *, echo: bool = False, pool_size: int = 10) -> None:
        self.url = url
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        kwargs: dict[str, Any] = {"echo": echo}
        if self.dialect == "postgresql":
            # A server may close idle connections; a file never does, so SQLite skips the ping.
            kwargs.update(pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)
        # A file named plainly; URL options (uri=true, timeout…) keep pysqlite's reading.
        file = parsed.database or ""
        self._file: str | None = None  # a SQLite file this process's driver opens
        if self.dialect == "sqlite" and file not in ("", ":memory:") and not parsed.query:
            kwargs["async_creator"] = partial(sqlite_driver.connect, file)
            self._file = file
        self._one_hop: sqlite_driver.Connection | None = None
        # PostgreSQL: a connection kept for ``in_one_round_trip``, one statement at a time.
        self._kept: AsyncConnection | None = None
        self._kept_turn = asyncio.Lock()
        self.engine = create_async_engine(url, **kwargs)
        if self.dialect == "sqlite":
            _configure_sqlite(self.engine)
        self.sessions = async_sessionmaker(
            self.engine, expire_on_commit=False, sync_session_class=NotingSession
        )
        # SQLite has one writer, and a connection waiting for it sleeps in SQLite's busy
        # handler (1, 2, 5 … 100 ms naps): under load, writers of this process queue here
        # instead, in order and without naps. Other processes still meet the busy timeout.
        self._writer = asyncio.Lock() if self.dialect == "sqlite" else None

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @asynccontextmanager
    async def unit_of_work(self, *, immediate: bool = False) -> AsyncIterator[AsyncSession]:
        """A session whose work commits together at the end, or not at all.

        ``immediate`` takes SQLite's write lock at BEGIN (a no-op on PostgreSQL): use it for
        short read-then-write transactions such as claiming due actions.
        """
        async with AsyncExitStack() as stack:
            if immediate and self._writer is not None:
                await stack.enter_async_context(_turn(self._writer))
            session = await stack.enter_async_context(self.sessions())
            if immediate and self.is_sqlite:
                await session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
            try:
                yield session
                await session.commit()
            except BaseException:
                await session.rollback()
                raise

    @property
    def has_one_hop(self) -> bool:
        """Whether ``in_one_hop`` works here (a SQLite file opened by ``sqlite_driver``)."""
        return self._file is not None

    async def in_one_hop(self, work: sqlite_driver.Work[Result]) -> Result:
        """``work`` (plain sqlite3, no await) in a write transaction of its own, BEGIN
        IMMEDIATE to COMMIT in one thread hop, in this process's turn to write.

        For the few statements every event writes (``handlers.intake``): a unit of work
        costs a session, a pooled connection and three hops for the same. Runs on a
        connection of its own, opened at first use and closed by ``dispose``."""
        if self._file is None or self._writer is None:
            raise RuntimeError("in_one_hop needs a SQLite file (see has_one_hop)")
        async with _turn(self._writer):
            if self._one_hop is None:
                connection = sqlite_driver.connect(self._file, _sqlite_pragmas)
                await connection  # opens it (its thread starts)
                self._one_hop = connection
            return await self._one_hop.transaction(work)

    async def in_one_round_trip(self, statement: str, *arguments: Any) -> list[Any]:
        """PostgreSQL: the rows of one statement (``$1``… arguments, asyncpg's types), in a
        transaction of its own: one round trip, on a connection kept for these statements.

        The pool checks a connection with a ping (three round trips with asyncpg) each time
        it hands one out; the kept one is replaced when the server has closed it, and the
        statement sent again once on the new one. Write such statements to be safe to run
        twice (the first may have committed before its answer was lost)."""
        async with self._kept_turn:
            try:
                return await self._on_kept(statement, arguments)
            except Exception:
                if self._kept is not None:
                    raise  # the connection is fine: the statement itself failed
                return await self._on_kept(statement, arguments)

    async def _on_kept(self, statement: str, arguments: tuple[Any, ...]) -> list[Any]:
        if self._kept is None:
            self._kept = await self.engine.connect()
        kept = self._kept
        driver: Any = (await kept.get_raw_connection()).driver_connection
        try:
            return list(await driver.fetch(statement, *arguments))
        except Exception:
            if driver.is_closed():  # the server went away: forget this connection
                self._kept = None
                await kept.invalidate()
            raise

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        if self._kept is not None:
            kept, self._kept = self._kept, None
            await kept.close()
        if self._one_hop is not None:
            connection, self._one_hop = self._one_hop, None
            await connection.close()
        await self.engine.dispose()
