"""The SQLite driver (``storage.sqlite_driver``): one thread hop per statement, and the
same answers as aiosqlite gives SQLAlchemy (rows, counts, RETURNING, errors, streaming)."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from storage import sqlite_driver
from storage.db import Database

pytestmark = pytest.mark.timeout(60)

metadata = MetaData()
notes = Table(
    "notes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("word", String, unique=True, nullable=False),
)


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with db.engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield db
    await db.dispose()


async def test_the_engine_uses_it(database: Database) -> None:
    async with database.engine.connect() as conn:
        raw = await conn.get_raw_connection()
        assert isinstance(raw.driver_connection, sqlite_driver.Connection)


async def test_rows_counts_and_returning_are_as_sqlite_gives_them(database: Database) -> None:
    async with database.unit_of_work(immediate=True) as session:
        result = await session.execute(
            insert(notes).returning(notes.c.id, notes.c.word),
            [{"word": f"w{n:03d}"} for n in range(300)],
        )
        returned = result.all()
    assert [word for _, word in returned] == [f"w{n:03d}" for n in range(300)]
    async with database.unit_of_work() as session:
        # More rows than a cursor's default arraysize and aiosqlite's chunk size.
        words = (await session.execute(select(notes.c.word).order_by(notes.c.id))).scalars()
        assert list(words) == [f"w{n:03d}" for n in range(300)]
        first = (await session.execute(select(notes.c.word).order_by(notes.c.id))).first()
        assert first == ("w000",)
        changed = await session.execute(
            update(notes).where(notes.c.word.like("w1%")).values(word=notes.c.word + "!")
        )
        assert getattr(changed, "rowcount", None) == 100
        none = (await session.execute(select(notes).where(notes.c.id < 0))).all()
        assert none == []
        assert (await session.execute(text("SELECT 1 + 1"))).scalar_one() == 2


async def test_streamed_rows_arrive_in_parts(database: Database) -> None:
    async with database.unit_of_work(immediate=True) as session:
        await session.execute(insert(notes), [{"word": f"s{n}"} for n in range(130)])
    async with database.engine.connect() as conn:
        stream = await conn.stream(select(notes.c.word).order_by(notes.c.id))
        parts = [len(part) async for part in stream.partitions(50)]
    assert parts == [50, 50, 30]


async def test_a_failed_statement_raises_and_its_transaction_leaves_nothing(
    database: Database,
) -> None:
    async with database.unit_of_work(immediate=True) as session:
        await session.execute(insert(notes).values(word="once"))
    with pytest.raises(IntegrityError):
        async with database.unit_of_work(immediate=True) as session:
            await session.execute(insert(notes).values(word="twice"))
            await session.execute(insert(notes).values(word="once"))
    async with database.unit_of_work() as session:
        words = (await session.execute(select(notes.c.word))).scalars().all()
    assert words == ["once"]


async def test_many_units_of_work_at_once_all_commit(database: Database) -> None:
    async def write(n: int) -> None:
        async with database.unit_of_work(immediate=True) as session:
            await session.execute(insert(notes).values(word=f"c{n}"))
            seen = await session.execute(select(notes.c.id).where(notes.c.word == f"c{n}"))
            assert seen.scalar_one() > 0

    async def read() -> int:
        async with database.unit_of_work() as session:
            return len((await session.execute(select(notes.c.id))).all())

    counts = await asyncio.gather(*(write(n) for n in range(40)), *(read() for _ in range(20)))
    assert all(isinstance(c, int) and 0 <= c <= 40 for c in counts[40:])
    assert await read() == 40


async def test_an_immediate_unit_of_work_holds_the_write_lock_from_its_first_read(
    database: Database, tmp_path: Path
) -> None:
    """BEGIN IMMEDIATE travels with the first statement: once that statement has run, no
    other writer gets in before the commit (a claim's read-then-write stays atomic)."""
    other = sqlite3.connect(tmp_path / "driver.db", timeout=0, isolation_level=None)
    try:
        async with database.unit_of_work(immediate=True) as session:
            await session.execute(select(notes.c.id))
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("INSERT INTO notes (word) VALUES ('sneaked in')")
            await session.execute(insert(notes).values(word="mine"))
        other.execute("INSERT INTO notes (word) VALUES ('after')")
    finally:
        other.close()
    async with database.unit_of_work() as session:
        words = (await session.execute(select(notes.c.word).order_by(notes.c.id))).scalars()
        assert list(words) == ["mine", "after"]


async def test_a_unit_of_work_that_ran_nothing_commits_nothing(database: Database) -> None:
    async with database.unit_of_work(immediate=True):
        pass
    async with database.unit_of_work(immediate=True) as session:
        await session.execute(insert(notes).values(word="kept"))
    async with database.unit_of_work() as session:
        assert (await session.execute(select(notes.c.word))).scalars().all() == ["kept"]


def test_a_process_that_never_disposes_of_its_engine_still_exits(tmp_path: Path) -> None:
    """``tandem serve`` refusing to start (bad settings) exits at once, connections open."""
    script = (
        "import asyncio\n"
        "from sqlalchemy import text\n"
        "from storage.db import Database\n"
        "async def main():\n"
        f"    db = Database('sqlite+aiosqlite:///{tmp_path / 'left.db'}')\n"
        "    async with db.engine.connect() as conn:\n"
        "        await conn.execute(text('SELECT 1'))\n"
        "asyncio.run(main())\n"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", script], cwd=root, timeout=30, check=False)
    assert done.returncode == 0


async def test_one_hop_work_commits_whole_or_leaves_nothing(database: Database) -> None:
    """``in_one_hop``: BEGIN IMMEDIATE to COMMIT in one piece of sqlite3 work; when the work
    raises, what it wrote so far is rolled back and the error reaches the caller."""

    def two(connection: sqlite3.Connection) -> int:
        connection.execute("INSERT INTO notes (word) VALUES ('un')")
        return int(connection.execute("INSERT INTO notes (word) VALUES ('deux')").lastrowid or 0)

    def clash(connection: sqlite3.Connection) -> None:
        connection.execute("INSERT INTO notes (word) VALUES ('trois')")
        connection.execute("INSERT INTO notes (word) VALUES ('un')")  # unique: fails

    assert database.has_one_hop
    assert await database.in_one_hop(two) == 2
    with pytest.raises(sqlite3.IntegrityError):
        await database.in_one_hop(clash)
    async with database.unit_of_work() as session:
        words = (await session.execute(select(notes.c.word).order_by(notes.c.id))).scalars()
        assert list(words) == ["un", "deux"]


async def test_one_hop_work_and_units_of_work_take_turns(database: Database) -> None:
    """Both write in this process's turn: many of each at once all commit, none refused."""

    def one(word: str) -> sqlite_driver.Work[None]:
        return lambda connection: (
            connection.execute("INSERT INTO notes (word) VALUES (?)", (word,)) and None
        )

    async def session_write(n: int) -> None:
        async with database.unit_of_work(immediate=True) as session:
            await session.execute(insert(notes).values(word=f"s{n}"))

    await asyncio.gather(
        *(database.in_one_hop(one(f"h{n}")) for n in range(30)),
        *(session_write(n) for n in range(30)),
    )
    async with database.unit_of_work() as session:
        assert len((await session.execute(select(notes.c.id))).all()) == 60


async def test_one_hop_needs_a_file_opened_by_this_driver(tmp_path: Path) -> None:
    plain = Database(f"sqlite+aiosqlite:///{tmp_path / 'plain.db'}?timeout=5")
    try:
        assert not plain.has_one_hop
        with pytest.raises(RuntimeError, match="SQLite file"):
            await plain.in_one_hop(lambda connection: None)
    finally:
        await plain.dispose()
