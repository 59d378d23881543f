"""The intake journal's writes in one trip to the database: what every event writes.

``storage.inbound`` writes records and their recoveries through a unit of work: a session,
a pooled connection, a BEGIN, a statement or two and a COMMIT, several trips to SQLite's
thread or to the PostgreSQL server. Every inbound event pays for two of those (recorded
before the ack, closed once answered), so here the same writes go in one trip:

- on a SQLite file, BEGIN IMMEDIATE to COMMIT is one piece of plain sqlite3 work on the
  connection's thread (``Database.in_one_hop``), values stored by SQLAlchemy's own type
  processors so that the rest of the program reads them as it always did;
- on PostgreSQL, one statement whose data-modifying parts close, cancel, record and schedule
  recoveries together (one statement is one transaction: ``Database.in_one_round_trip``).

Both answer as ``record_arrivals`` does: the new records' ids by event id.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import Column, Dialect

from storage.db import Database
from storage.inbound import INBOUND, RECOVERY_ATTEMPTS, Arrival, recovery_key
from storage.types import utcnow


class Journal(Protocol):
    async def write(
        self, statuses: Mapping[int, str], arrivals: Sequence[Arrival]
    ) -> dict[str, int]:
        """Close ``statuses`` (record id -> status) and cancel their recoveries, then record
        ``arrivals`` (distinct event ids) and schedule theirs, in one transaction."""
        ...


def one_trip_journal(database: Database, platform: str, recover_kind: str) -> Journal | None:
    """The journal for ``database``, or None where only a unit of work will do."""
    if database.has_one_hop:
        return SqliteJournal(database, platform, recover_kind)
    if database.dialect == "postgresql":
        return PostgresJournal(database, platform, recover_kind)
    return None


# -- SQLite ------------------------------------------------------------------------------------
# One statement per row: cheaper in SQLite's C than one SQLAlchemy statement for all of them.
_SQLITE_CLOSE = (
    "UPDATE inbound_events SET status = ?, processed_at = ? WHERE id = ? AND processed_at IS NULL"
)
_SQLITE_DROP_RECOVERY = (
    "UPDATE due_actions SET status = 'done', finished_at = ?, last_error = 'cancelled' "
    "WHERE idempotency_key = ? AND status = 'pending'"
)
_SQLITE_RECORD = (
    "INSERT INTO inbound_events (platform, event_id, kind, payload, status, received_at) "
    "VALUES (?, ?, ?, ?, 'received', ?) ON CONFLICT (platform, event_id) DO NOTHING RETURNING id"
)
_SQLITE_RECOVERY = (
    "INSERT INTO due_actions (kind, idempotency_key, payload, due_at, status, attempts, "
    "max_attempts, created_at) VALUES (?, ?, ?, ?, 'pending', 0, ?, ?) "
    "ON CONFLICT (idempotency_key) DO NOTHING"
)


def _bind(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any]:
    """How SQLAlchemy stores a value of ``column`` (a timestamp's text, JSON's text)."""
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    return process if process is not None else (lambda value: value)


class SqliteJournal:
    def __init__(self, database: Database, platform: str, recover_kind: str) -> None:
        self.database = database
        self.platform = platform
        self.recover_kind = recover_kind
        dialect = database.engine.dialect
        self._instant = _bind(INBOUND.c.received_at, dialect)
        self._json = _bind(INBOUND.c.payload, dialect)

    async def write(
        self, statuses: Mapping[int, str], arrivals: Sequence[Arrival]
    ) -> dict[str, int]:
        return await self.database.in_one_hop(self._work(statuses, arrivals))

    def _work(
        self, statuses: Mapping[int, str], arrivals: Sequence[Arrival]
    ) -> Callable[[sqlite3.Connection], dict[str, int]]:
        """Values are converted here, on the event loop: a bad one raises before any BEGIN."""
        now = self._instant(utcnow())
        closings = [(status, now, record_id) for record_id, status in statuses.items()]
        dropped = [(now, recovery_key(self.recover_kind, i)) for i in statuses]
        records = [
            (self.platform, a.event_id, a.kind, self._json(dict(a.payload)), now) for a in arrivals
        ]
        recover_at = [self._instant(a.recover_at) for a in arrivals]  # None stays None
        kind, as_json = self.recover_kind, self._json

        def work(connection: sqlite3.Connection) -> dict[str, int]:
            if closings:
                connection.executemany(_SQLITE_CLOSE, closings)
                connection.executemany(_SQLITE_DROP_RECOVERY, dropped)
            ids: dict[str, int] = {}
            recoveries = []
            for record, due_at in zip(records, recover_at, strict=True):
                row = connection.execute(_SQLITE_RECORD, record).fetchone()
                if row is None:
                    continue  # recorded before: a retry
                ids[record[1]] = record_id = int(row[0])
                if due_at is not None:
                    payload = as_json({"record": record_id})
                    key = recovery_key(kind, record_id)
                    recoveries.append((kind, key, payload, due_at, RECOVERY_ATTEMPTS, now))
            if recoveries:
                connection.executemany(_SQLITE_RECOVERY, recoveries)
            return ids

        return work


# -- PostgreSQL --------------------------------------------------------------------------------
# Data-modifying parts of one statement all run, once, in its one transaction. The closings
# touch records of earlier batches, never one inserted here.
_POSTGRES_WRITE = """
WITH closing AS (
    SELECT * FROM unnest($1::bigint[], $2::text[]) AS c(id, status)
), closed AS (
    UPDATE inbound_events AS e SET status = closing.status, processed_at = $3::timestamptz
    FROM closing WHERE e.id = closing.id AND e.processed_at IS NULL
    RETURNING e.id
), dropped AS (
    UPDATE due_actions
    SET status = 'done', finished_at = $3::timestamptz, last_error = 'cancelled'
    WHERE idempotency_key = ANY($4::text[]) AND status = 'pending'
    RETURNING id
), arriving AS (
    SELECT * FROM unnest($5::text[], $6::text[], $7::text[], $8::timestamptz[])
        WITH ORDINALITY AS a(event_id, kind, payload, recover_at, n)
), recorded AS (
    INSERT INTO inbound_events (platform, event_id, kind, payload, status, received_at)
    SELECT $9::text, event_id, kind, payload::jsonb, 'received', $3::timestamptz
    FROM arriving ORDER BY n
    ON CONFLICT (platform, event_id) DO NOTHING
    RETURNING id, event_id
), recovery AS (
    INSERT INTO due_actions
        (kind, idempotency_key, payload, due_at, status, attempts, max_attempts, created_at)
    SELECT $10::text, $10::text || ':' || recorded.id, jsonb_build_object('record', recorded.id),
        arriving.recover_at, 'pending', 0, $11::integer, $3::timestamptz
    FROM recorded JOIN arriving USING (event_id)
    WHERE arriving.recover_at IS NOT NULL
    ON CONFLICT (idempotency_key) DO NOTHING
)
SELECT id, event_id FROM recorded
"""


class PostgresJournal:
    def __init__(self, database: Database, platform: str, recover_kind: str) -> None:
        self.database = database
        self.platform = platform
        self.recover_kind = recover_kind
        self._json = _bind(INBOUND.c.payload, database.engine.dialect)

    async def write(
        self, statuses: Mapping[int, str], arrivals: Sequence[Arrival]
    ) -> dict[str, int]:
        rows = await self.database.in_one_round_trip(
            _POSTGRES_WRITE,
            list(statuses),
            list(statuses.values()),
            utcnow(),
            [recovery_key(self.recover_kind, i) for i in statuses],
            [a.event_id for a in arrivals],
            [a.kind for a in arrivals],
            [self._json(dict(a.payload)) for a in arrivals],
            [a.recover_at for a in arrivals],
            self.platform,
            self.recover_kind,
            RECOVERY_ATTEMPTS,
        )
        return {str(event_id): int(record_id) for record_id, event_id in rows}
