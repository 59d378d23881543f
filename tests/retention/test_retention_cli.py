"""``tandem program retention show|set`` as an operator runs them: the period and the texts
waiting per program; a new period (a bad one refused with nothing changed); a date already
past queues the erasure. Dates far from today, so the system clock does not matter."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import DueAction, Program
from tests.retention.texts import seed
from tests.support.cli import clean_env, tandem

pytestmark = pytest.mark.timeout(180)  # several tandem processes


async def seeded(url: str) -> None:
    database = Database(url)
    try:
        await seed(database, {"long-ago": date(2000, 1, 31), "far": date(2099, 6, 30)})
    finally:
        await database.dispose()


async def stored(url: str) -> tuple[dict[str, int], list[str]]:
    database = Database(url)
    try:
        async with database.unit_of_work() as session:
            months = {p.slug: p.retention_months for p in await session.scalars(select(Program))}
            kinds = list(await session.scalars(select(DueAction.kind)))
        return months, kinds
    finally:
        await database.dispose()


def test_show_and_set_the_period_from_the_command_line(tmp_path: Path) -> None:
    env = clean_env(TANDEM_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'hr.db'}")
    assert tandem("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    asyncio.run(seeded(env["TANDEM_DATABASE_URL"]))

    shown = tandem("program", "retention", "show", cwd=tmp_path, env=env)
    assert shown.returncode == 0, shown.stderr
    assert "far: kept 12 months after 2099-06-30; erased from 2100-07-01 00:00 (Europe/Paris);" \
        " 12 texts waiting (learned 2, comments 1, pulse_comments 2" in shown.stdout  # fmt: skip
    assert "long-ago: kept 12 months" in shown.stdout

    for bad in ("0", "121", "douze"):
        refused = tandem("program", "retention", "set", "far", bad, cwd=tmp_path, env=env)
        assert refused.returncode != 0 and "whole number of months from 1 to 120" in refused.stderr
    unknown = tandem("program", "retention", "set", "nope", "6", cwd=tmp_path, env=env)
    assert unknown.returncode != 0 and "no program 'nope'" in unknown.stderr
    assert asyncio.run(stored(env["TANDEM_DATABASE_URL"])) == ({"long-ago": 12, "far": 12}, [])

    done = tandem("program", "retention", "set", "far", "24", cwd=tmp_path, env=env)
    assert done.returncode == 0 and "erased from 2101-07-01." in done.stdout
    done = tandem("program", "retention", "set", "long-ago", "1", cwd=tmp_path, env=env)
    assert done.returncode == 0 and "queued now: that date has passed" in done.stdout
    months, kinds = asyncio.run(stored(env["TANDEM_DATABASE_URL"]))
    assert months == {"long-ago": 1, "far": 24} and kinds == ["retention.erase"]
