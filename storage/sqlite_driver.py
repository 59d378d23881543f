"""aiosqlite with one thread hop per statement instead of three or four.

aiosqlite runs every call on its connection's thread: creating a cursor, executing,
fetching and closing are each a hop (a queue put that wakes the thread, then a wake-up of
the event loop through its self-pipe). A profile of ``tandem serve`` under load put about a
tenth of the process's CPU in those hops. Here a statement's execution and the fetching of
its rows are one hop; creating and closing a cursor touch no database page and run where
they are called (the sqlite3 connection is opened with ``check_same_thread=False``; one
SQLAlchemy connection is used by one session at a time, so calls never overlap).

Plugged in through SQLAlchemy's documented ``async_creator`` (``storage.db``); the rest of
aiosqlite (its thread, commit, rollback, close) is used as it is.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

import aiosqlite
from aiosqlite.context import contextmanager


def _execute_and_fetch(cursor: sqlite3.Cursor, sql: str, parameters: Iterable[Any]) -> list[Any]:
    """Runs on the connection's thread: the statement, then every row it returns."""
    cursor.execute(sql, cast(Sequence[Any] | Mapping[str, Any], parameters))
    return cursor.fetchall() if cursor.description else []


class Cursor(aiosqlite.Cursor):
    """Rows are fetched with the execution; fetching afterwards reads them from memory."""

    def __init__(self, conn: aiosqlite.Connection, cursor: sqlite3.Cursor) -> None:
        super().__init__(conn, cursor)
        self._rows: deque[Any] = deque()

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> Cursor:
        hop = self._conn._execute  # aiosqlite's own queue to the connection's thread
        rows = await hop(_execute_and_fetch, self._cursor, sql, parameters or ())  # type: ignore[no-untyped-call]
        self._rows = deque(rows)
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
    @contextmanager
    async def cursor(self) -> Cursor:  # type: ignore[override]  # a subclass of aiosqlite's
        return Cursor(self, self._conn.cursor())


def connect(database: str) -> Connection:
    """A connection to the SQLite file ``database`` (awaiting it opens the connection)."""

    def connector() -> sqlite3.Connection:
        return sqlite3.connect(database, check_same_thread=False)

    return Connection(connector, iter_chunk_size=64)
