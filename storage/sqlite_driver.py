"""aiosqlite with one thread hop per statement instead of three or four.

aiosqlite runs every call on its connection's thread: creating a cursor, executing,
fetching and closing are each a hop (a queue put that wakes the thread, then a wake-up of
the event loop through its self-pipe). A profile of ``tandem serve`` under load put about a
tenth of the process's CPU in those hops. Here a statement's execution and the fetching of
its rows are one hop; creating and closing a cursor touch no database page and run where
they are called (the sqlite3 connection is opened with ``check_same_thread=False``; one
SQLAlchemy connection is used by one session at a time, so calls never overlap). A
transaction's BEGIN travels with its first statement (``begin_with_next``), and a commit or
rollback with no transaction open (the pool's reset after a commit) makes no hop at all.

Plugged in through SQLAlchemy's documented ``async_creator`` (``storage.db``); the rest of
aiosqlite (its thread, commit, rollback, close) is used as it is.

``Connection.transaction`` goes further for the few writes on every event's path (the
intake journal): BEGIN, the statements and COMMIT all run in one hop, in plain sqlite3.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, TypeVar, cast

import aiosqlite
from aiosqlite.context import contextmanager

Result = TypeVar("Result")
# Work done inside one transaction on the connection's thread (plain sqlite3, no await).
Work = Callable[[sqlite3.Connection], Result]


def _execute_and_fetch(
    cursor: sqlite3.Cursor, sql: str, parameters: Iterable[Any], begin: str | None
) -> list[Any]:
    """Runs on the connection's thread: the pending BEGIN, the statement, its rows."""
    if begin is not None:
        cursor.execute(begin)
    cursor.execute(sql, cast(Sequence[Any] | Mapping[str, Any], parameters))
    return cursor.fetchall() if cursor.description else []


def _execute_many(
    cursor: sqlite3.Cursor, sql: str, parameters: Iterable[Any], begin: str | None
) -> None:
    if begin is not None:
        cursor.execute(begin)
    cursor.executemany(sql, parameters)


def _in_transaction(connection: sqlite3.Connection, begin: str, work: Work[Result]) -> Result:
    """Runs on the connection's thread: BEGIN, ``work``, COMMIT (ROLLBACK if it raised)."""
    connection.execute(begin)
    try:
        result = work(connection)
    except BaseException:
        connection.rollback()
        raise
    connection.commit()
    return result


class Cursor(aiosqlite.Cursor):
    """Rows are fetched with the execution; fetching afterwards reads them from memory."""

    def __init__(self, conn: Connection, cursor: sqlite3.Cursor) -> None:
        super().__init__(conn, cursor)
        self._connection = conn
        self._rows: deque[Any] = deque()

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> Cursor:
        begin = self._connection.take_begin()
        rows = await self._connection.hop(
            _execute_and_fetch, self._cursor, sql, parameters or (), begin
        )
        self._rows = deque(rows)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> Cursor:
        begin = self._connection.take_begin()
        await self._connection.hop(_execute_many, self._cursor, sql, parameters, begin)
        return self

    async def fetchone(self) -> Any:
        return self._rows.popleft() if self._rows else None

    async def fetchmany(self, size: int | None = None) -> Sequence[Any]:
        count = self._cursor.arraysize if size is None else size
        return [self._rows.popleft() for _ in range(min(count, len(self._rows)))]

    async def fetchall(self) -> Sequence[Any]:
        rows = list(self._rows)
        self._rows.clear()
        return rows

    async def close(self) -> None:
        self._rows.clear()
        self._cursor.close()


class Connection(aiosqlite.Connection):
    _begin: str | None = None

    def __init__(self, connector: Callable[[], sqlite3.Connection], iter_chunk_size: int) -> None:
        super().__init__(connector, iter_chunk_size)
        # As SQLAlchemy does for aiosqlite's own connections: a process that exits without
        # disposing of its engine (an error at start-up) must not wait for this thread.
        self._thread.daemon = True

    def begin_with_next(self, statement: str) -> None:
        """Open the transaction (``statement``: BEGIN …) with the next statement."""
        self._begin = statement

    def take_begin(self) -> str | None:
        begin, self._begin = self._begin, None
        return begin

    async def hop(self, function: Any, *args: Any) -> Any:
        """``function(*args)`` on the connection's thread (aiosqlite's own queue)."""
        return await self._execute(function, *args)  # type: ignore[no-untyped-call]

    async def transaction(self, work: Work[Result], begin: str = "BEGIN IMMEDIATE") -> Result:
        """``work`` in a transaction of its own, BEGIN to COMMIT in one hop. Only on a
        connection no SQLAlchemy transaction is using (``Database.in_one_hop``)."""
        return cast(Result, await self.hop(_in_transaction, self._conn, begin, work))

    @contextmanager
    async def cursor(self) -> Cursor:  # type: ignore[override]  # a subclass of aiosqlite's
        return Cursor(self, self._conn.cursor())

    async def commit(self) -> None:
        if self.take_begin() is None and self._conn.in_transaction:
            await self.hop(self._conn.commit)

    async def rollback(self) -> None:
        if self.take_begin() is None and self._conn.in_transaction:
            await self.hop(self._conn.rollback)


def connect(database: str, setup: Callable[[sqlite3.Connection], None] | None = None) -> Connection:
    """A connection to the SQLite file ``database`` (awaiting it opens the connection);
    ``setup`` runs on it once opened (SQLAlchemy's pool does its own: its connect event)."""

    def connector() -> sqlite3.Connection:
        connection = sqlite3.connect(database, check_same_thread=False)
        if setup is not None:
            setup(connection)
        return connection

    return Connection(connector, iter_chunk_size=64)
