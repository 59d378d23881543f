"""The health, readiness and metrics endpoints, over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Mapping
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from aiohttp import web

from bot.server import Runtime, create_app
from bot.settings import load_settings
from storage.db import Database
from storage.migrate import downgrade
from storage.queue import DueQueue
from tests.support.waiting import within


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RunningServer:
    def __init__(self, runner: web.AppRunner, port: int, runtime: Runtime) -> None:
        self.runner, self.port, self.runtime = runner, port, runtime
        self.url = f"http://127.0.0.1:{port}"


async def start_server(
    database_url: str, extra_routes: list[web.RouteDef] | None = None, **app_options: bool
) -> RunningServer:
    settings = load_settings(database_url=database_url)
    runtime = Runtime(settings=settings, database=Database(database_url), mode="serve")
    app = create_app(runtime, **app_options)
    app.router.add_routes(extra_routes or [])
    runner = web.AppRunner(app, shutdown_timeout=5)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    return RunningServer(runner, port, runtime)


@pytest.fixture
async def server(database_url: str) -> AsyncIterator[RunningServer]:
    running = await start_server(database_url, clock=False)
    yield running
    await running.runner.cleanup()


async def get(url: str) -> tuple[int, str, Mapping[str, str]]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, await response.text(), response.headers.copy()


async def test_healthz_answers(server: RunningServer) -> None:
    status, body, headers = await get(f"{server.url}/healthz")
    assert status == 200
    assert '"ok"' in body
    assert len(headers["X-Request-Id"]) == 32


async def test_readyz_is_ready_at_head(server: RunningServer) -> None:
    status, body, _ = await get(f"{server.url}/readyz")
    assert status == 200, body
    assert '"ready"' in body


async def test_readyz_reports_pending_migrations(server: RunningServer, database: Database) -> None:
    await downgrade(database, "0001")
    status, body, _ = await get(f"{server.url}/readyz")
    assert status == 503
    assert "migrations pending" in body


async def test_readyz_reports_an_unreachable_database() -> None:
    closed = free_port()
    running = await start_server(
        f"postgresql+asyncpg://nobody@127.0.0.1:{closed}/missing", clock=False
    )
    try:
        status, body, _ = await get(f"{running.url}/readyz")
    finally:
        await running.runner.cleanup()
    assert status == 503
    assert "database unreachable" in body
    # Liveness stays green: restarting the process would not bring the database back.
    running = await start_server(f"postgresql+asyncpg://nobody@127.0.0.1:{closed}/x", clock=False)
    try:
        status, _, _ = await get(f"{running.url}/healthz")
    finally:
        await running.runner.cleanup()
    assert status == 200


async def test_metrics_count_requests_per_route_and_show_the_queue(
    server: RunningServer, database: Database
) -> None:
    now = datetime.now(UTC)
    queue = DueQueue(database)
    async with database.unit_of_work() as session:
        await queue.enqueue(session, "reminder", "late", now - timedelta(minutes=10))
        await queue.enqueue(session, "reminder", "soon", now - timedelta(seconds=5))
        await queue.enqueue(session, "reminder", "later", now + timedelta(days=1))
    for _ in range(3):
        await get(f"{server.url}/healthz")
    await get(f"{server.url}/no/such/page")
    status, body, headers = await get(f"{server.url}/metrics")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain")
    lines = body.splitlines()
    assert 'tandem_http_requests_total{method="GET",route="/healthz",status="200"} 3.0' in lines
    assert 'tandem_http_requests_total{method="GET",route="unmatched",status="404"} 1.0' in lines
    assert any(line.startswith("tandem_http_request_duration_seconds_bucket") for line in lines)
    assert "tandem_due_actions_pending 3.0" in lines
    assert "tandem_due_actions_ready 2.0" in lines
    oldest = next(line for line in lines if line.startswith("tandem_due_oldest_age_seconds "))
    assert 600 <= float(oldest.split()[1]) < 700


async def test_a_callers_request_id_is_kept(server: RunningServer) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{server.url}/healthz", headers={"X-Request-Id": "abc-123"}) as response,
    ):
        assert response.headers["X-Request-Id"] == "abc-123"


async def test_shutdown_finishes_in_flight_requests(database_url: str) -> None:
    release = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        await release.wait()
        return web.Response(text="finished")

    running = await start_server(database_url, [web.get("/slow", slow)], clock=False)

    async def call_slow() -> tuple[int, str]:
        async with aiohttp.ClientSession() as http, http.get(f"{running.url}/slow") as resp:
            return resp.status, await resp.text()

    in_flight = asyncio.create_task(call_slow())
    await asyncio.sleep(0.2)
    stopping = asyncio.create_task(running.runner.cleanup())
    await asyncio.sleep(0.2)
    assert running.runtime.stopping  # /readyz now answers 503 to the load balancer
    assert not stopping.done()
    release.set()
    assert await within(in_flight, "the in-flight request to finish") == (200, "finished")
    await within(stopping, "the server's shutdown after the last request")
