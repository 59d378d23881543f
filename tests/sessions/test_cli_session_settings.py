"""``tandem program sessions show|set`` as an operator runs them: a program's sessions
numbers (slots, reminders, "did it happen?", nudges, at-risk alerts) with their defaults;
one changed (a bad name or value refused with nothing changed); the program's rules then
read the new number, and setting a default back stores nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.domain.sessions.settings import SessionSettings
from storage.db import Database
from storage.models import Program
from tests.support.cli import clean_env, tandem
from tests.support.people import add_program

pytestmark = pytest.mark.timeout(180)  # several tandem processes


async def seeded(url: str) -> None:
    database = Database(url)
    try:
        await add_program(database, "rm-2027")
    finally:
        await database.dispose()


async def stored(url: str) -> dict[str, Any]:
    database = Database(url)
    try:
        async with database.unit_of_work() as session:
            return dict(await session.scalar(select(Program.session_settings)) or {})
    finally:
        await database.dispose()


def test_show_and_set_a_programs_sessions_numbers(tmp_path: Path) -> None:
    env = clean_env(TANDEM_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'hr.db'}")
    url = env["TANDEM_DATABASE_URL"]
    assert tandem("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    asyncio.run(seeded(url))

    def run(*args: str) -> Any:
        return tandem("program", "sessions", *args, cwd=tmp_path, env=env)

    shown = run("show", "rm-2027")
    assert shown.returncode == 0, shown.stderr
    assert "nudges_per_week = 2 (default)" in shown.stdout
    assert "reminder_hours = 24,1 (default)" in shown.stdout
    assert "at_risk_after_dormant_days = 21 (default)" in shown.stdout

    for bad in (
        ("nudges_per_week", "deux"),
        ("nudges_per_week", "8"),
        ("slots_max", "9"),
        ("slots_min", "6"),
        ("reminder_hours", "24,x"),
        ("read_calendars", "maybe"),
        ("colour", "3"),
    ):
        refused = run("set", "rm-2027", *bad)
        assert refused.returncode != 0 and bad[0] in refused.stderr, refused.stderr
    unknown = run("set", "nope", "nudges_per_week", "1")
    assert unknown.returncode != 0 and "no program 'nope'" in unknown.stderr
    assert asyncio.run(stored(url)) == {}

    for name, value in (("nudges_per_week", "1"), ("reminder_hours", "48, 2"),
                        ("read_calendars", "off")):  # fmt: skip
        done = run("set", "rm-2027", name, value)
        assert done.returncode == 0, done.stderr
    settings = SessionSettings.of(asyncio.run(stored(url)))
    assert settings.nudges_per_week == 1
    assert settings.reminder_hours == (48, 2)
    assert settings.read_calendars is False
    assert "nudges_per_week = 1 (default 2)" in run("show", "rm-2027").stdout

    back = run("set", "rm-2027", "nudges_per_week", "2")
    assert back.returncode == 0 and "nudges_per_week = 2 (default)" in back.stdout
    assert asyncio.run(stored(url)) == {"reminder_hours": [48, 2], "read_calendars": False}
