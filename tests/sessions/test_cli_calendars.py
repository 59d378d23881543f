"""``tandem calendars check EMAIL`` as an operator runs it after setting up Microsoft Graph:
the person's busy times for the next week and which provider answered, or why not."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.fakes.calendars import SUBJECT, FakeGraph, serving
from tests.support.cli import TANDEM, clean_env, tandem

pytestmark = [pytest.mark.timeout(120), pytest.mark.realclock("reads the next real week")]


async def run(cwd: Path, env: dict[str, str], *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *TANDEM, *args, cwd=cwd, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(process.communicate(), timeout=90)
    return process.returncode or 0, out.decode()


async def test_check_prints_busy_times_and_the_provider(tmp_path: Path) -> None:
    fake = FakeGraph()
    async with serving(fake):
        env = clean_env(
            TANDEM_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/t.db",
            TANDEM_TIMEZONE="Europe/Paris",
            TANDEM_GRAPH_TENANT_ID=fake.tenant,
            TANDEM_GRAPH_CLIENT_ID=fake.client_id,
            TANDEM_GRAPH_CLIENT_SECRET=fake.secret,
            TANDEM_GRAPH_LOGIN_URL=fake.url,
            TANDEM_GRAPH_URL=f"{fake.url}/v1.0",
        )
        assert tandem("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
        tomorrow = (datetime.now(UTC) + timedelta(days=1)).replace(
            hour=9, minute=0, second=0, microsecond=0
        )
        fake.busy["lea@acme.example"] = [(tomorrow, tomorrow + timedelta(hours=1))]
        code, out = await run(tmp_path, env, "calendars", "check", "lea@acme.example")
        assert code == 0, out
        assert "from graph" in out
        local = tomorrow.astimezone(ZoneInfo("Europe/Paris"))
        assert f"{local:%a %d %b %H:%M}" in out and f"{local + timedelta(hours=1):%H:%M}" in out
        assert SUBJECT not in out
        fake.denied.add("marc@acme.example")
        code, out = await run(tmp_path, env, "calendars", "check", "marc@acme.example")
        assert code == 1 and "graph: could not read marc@acme.example: the provider refused" in out


async def test_check_without_a_provider_says_what_to_set(tmp_path: Path) -> None:
    env = clean_env(TANDEM_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/t.db")
    assert tandem("db", "upgrade", cwd=tmp_path, env=env).returncode == 0
    code, out = await run(tmp_path, env, "calendars", "check", "lea@acme.example")
    assert code != 0 and "TANDEM_GRAPH_TENANT_ID" in out
