"""`tandem demo`'s clock moves the product, not only the queue: the whole demo server (as
`tandem demo` builds it, on a fixed clock of the test's own) driven through the console's
HTTP API, as a newcomer drives it from the page."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import select

from bot.clock import DemoClock
from bot.domain import demo_organisation as demo
from bot.server import Runtime, create_app
from bot.settings import load_settings
from storage.db import Database
from storage.demo import seed_demo
from storage.models import MatchRun, Person, Proposal
from tests.support.clock import T0, fixed_clock


@asynccontextmanager
async def demo_server(database_url: str, at: datetime = T0) -> AsyncIterator[tuple[str, Database]]:
    settings = load_settings(database_url=database_url, console=True)
    database = Database(database_url)
    await seed_demo(database, at)
    clock = DemoClock(database, fixed_clock(at))
    await clock.load()
    # `tandem demo` keeps a generated secret key in its database: calendar links work
    runtime = Runtime(
        settings=settings, database=database, mode="demo", clock=clock,
        secret_key="demo-secret-key-0123456789",
    )  # fmt: skip
    runner = web.AppRunner(create_app(runtime, clock=False), shutdown_timeout=1)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}", database
    finally:
        await runner.cleanup()


async def post(http: aiohttp.ClientSession, url: str, body: dict[str, Any]) -> Any:
    async with http.post(url, json=body) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def admin_id(database: Database) -> str:
    async with database.unit_of_work() as session:
        found = await session.scalar(select(Person.id).where(Person.email == demo.ADMIN_EMAIL))
    assert found is not None
    return found


async def say(http: aiohttp.ClientSession, url: str, person: str, text: str) -> Any:
    return await post(http, f"{url}/console/api/send", {"person_id": person, "text": text})


async def forward(http: aiohttp.ClientSession, url: str, **amount: int) -> Any:
    return await post(http, f"{url}/console/api/clock", amount)


async def shown(http: aiohttp.ClientSession, url: str, person: str) -> str:
    async with http.get(f"{url}/console/api/messages", params={"person_id": person}) as r:
        assert r.status == 200
        return " ".join(m["html"] for m in (await r.json())["messages"])


async def test_proposals_sent_after_a_week_forward_are_dated_from_the_demo_clock(
    database_url: str,
) -> None:
    async with demo_server(database_url) as (url, database), aiohttp.ClientSession() as http:
        admin = await admin_id(database)
        moved = await forward(http, url, days=7)
        assert moved["demo_now"] == (T0 + timedelta(days=7)).isoformat()
        await say(http, url, admin, "admin match")
        await say(http, url, admin, "admin match send")
        async with database.unit_of_work() as session:
            proposals = list(await session.scalars(select(Proposal)))
        assert proposals, "the demo organisation gives at least one pair"
        for proposal in proposals:
            assert proposal.sent_at == T0 + timedelta(days=7)
            assert proposal.expires_at is not None
            assert proposal.expires_at > T0 + timedelta(days=8)
        await forward(http, url, hours=1)
        async with database.unit_of_work() as session:
            statuses = set(await session.scalars(select(Proposal.status)))
        assert statuses == {"sent"}  # still waiting for answers, not expired


async def test_moving_past_two_mondays_runs_the_weekly_round_twice(database_url: str) -> None:
    async with demo_server(database_url) as (url, database), aiohttp.ClientSession() as http:
        admin = await admin_id(database)
        await say(http, url, admin, "admin match rounds on")
        before = await shown(http, url, admin)
        # T0 is Tuesday 1 December 2026: Mondays 7 and 14 December fall in the next 15 days.
        await forward(http, url, days=15)
        async with database.unit_of_work() as session:
            runs = list(await session.scalars(select(MatchRun).order_by(MatchRun.id)))
        scheduled = [r for r in runs if r.trigger == "schedule"]
        assert [r.started_at.date().isoformat() for r in scheduled] == [
            "2026-12-07",
            "2026-12-14",
        ]
        after = await shown(http, url, admin)
        notices = ("A matching round is ready", "Un tour d’appariement est prêt")
        assert not any(n in before for n in notices)
        assert any(after.count(n) >= 1 for n in notices)


async def test_two_moves_at_once_add_up(database_url: str) -> None:
    """A double tap on "+1 h" (or two tabs): both moves are answered and the demo stands two
    hours on, not one (both moves used to start from the same instant and race to save it)."""
    async with demo_server(database_url) as (url, _), aiohttp.ClientSession() as http:
        first, second = await asyncio.gather(
            forward(http, url, hours=1), forward(http, url, hours=1)
        )
        reached = sorted([first["demo_now"], second["demo_now"]])
        assert reached == [(T0 + timedelta(hours=n)).isoformat() for n in (1, 2)]
