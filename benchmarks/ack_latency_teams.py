"""Teams: a ``help`` message through ``/api/messages`` until the reply reaches the connector.

    .venv/bin/python benchmarks/ack_latency_teams.py [--requests 320] [--database URL]

Authentication is on: each request carries a token signed by the fake OpenID issuer's test
key, validated against its published keys. Tandem (the real conversation core, recording
each activity durably before the ack) is measured against a bare botbuilder ``CloudAdapter``
bot that replies with fixed text, as shipped (``CloudAdapter.process``). For concurrency 1,
16 and 64: throughput, p50 and p99 from the request until the fake connector receives the
reply, for each side, and the ratios (aim: >= 5x the bare bot's throughput, p99 < 50 ms at
concurrency 16). The connector only records here: the card checks are the tests' job.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from botbuilder.core import ActivityHandler, TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.clock import SystemClock
from dialogs.core.conversation import Conversation, ConversationConfig
from handlers.teams.app import TEAMS_ENDPOINT, mount
from handlers.teams.config import TeamsConfig
from storage.db import Database
from storage.migrate import upgrade
from tests.fakes.bot_connector import ConnectorCall, FakeBotConnector
from tests.fakes.openid_issuer import FakeOpenIdIssuer, StaticTokenCredentialsFactory

APP_ID = "00000000-0000-0000-0000-0000000be4c4"
TENANT = "bench-tenant"
LEVELS = (1, 16, 64)
USERS = 64


class TimedConnector(FakeBotConnector):
    """The fake connector without its (test-time) schema checks, noting each reply."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: dict[str, asyncio.Event] = {}

    async def _respond(self, request: web.Request, call: ConnectorCall) -> web.Response:
        if request.method in {"POST", "PUT"}:
            call.body = json.loads(await request.read())
        response = self._perform(call)
        if call.conversation_id:
            self.arrived.setdefault(call.conversation_id, asyncio.Event()).set()
        return response


class FixedReply(ActivityHandler):  # type: ignore[misc]
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity("Here is what I can do: help, profile, language.")


def bare_app(issuer: FakeOpenIdIssuer) -> web.Application:
    adapter = CloudAdapter(
        ConfigurationBotFrameworkAuthentication(
            issuer.botbuilder_configuration(APP_ID),
            credentials_factory=StaticTokenCredentialsFactory(APP_ID),
        )
    )
    bot = FixedReply()

    async def messages(request: web.Request) -> web.Response:
        response: web.Response = await adapter.process(request, bot)
        return response

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    return app


def message(connector: TimedConnector, index: int) -> dict[str, Any]:
    return {
        "type": "message",
        "id": f"bench:{uuid.uuid4().hex}",
        "channelId": "msteams",
        "serviceUrl": connector.service_url,
        "from": {"id": f"29:u{index}", "name": f"User {index}", "aadObjectId": f"aad-{index}"},
        "recipient": {"id": f"28:{APP_ID}", "name": "Tandem"},
        "conversation": {"id": f"a:u{index}", "conversationType": "personal", "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}},
        "locale": "en-US",
        "text": "help",
    }


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/api/messages"


async def run_level(
    http: aiohttp.ClientSession,
    url: str,
    connector: TimedConnector,
    token: str,
    concurrency: int,
    total: int,
) -> tuple[float, list[float]]:
    """(replies per second, milliseconds from the request to the reply at the connector)."""
    latencies: list[float] = []
    per_worker = max(1, total // concurrency)
    headers = {"Authorization": token, "Content-Type": "application/json"}

    async def worker(index: int) -> None:
        for _ in range(per_worker):
            body = json.dumps(message(connector, index)).encode()
            arrived = connector.arrived.setdefault(f"a:u{index}", asyncio.Event())
            arrived.clear()
            start = time.perf_counter()
            async with http.post(url, data=body, headers=headers) as response:
                await response.read()
                if response.status not in (200, 201):
                    raise RuntimeError(f"HTTP {response.status}")
            await asyncio.wait_for(arrived.wait(), 30)
            latencies.append((time.perf_counter() - start) * 1000)

    began = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return len(latencies) / (time.perf_counter() - began), latencies


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def row(label: str, level: int, rate: float, lat: list[float]) -> str:
    return f"{label:30}{level:>5}{rate:>9.0f}{p(lat, 0.5):>9.2f}{p(lat, 0.99):>9.2f}"


async def main(total: int, database_url: str | None) -> None:
    folder = tempfile.mkdtemp(prefix="tandem-bench-")
    database = Database(database_url or f"sqlite+aiosqlite:///{folder}/bench.db")
    await upgrade(database)
    with FakeOpenIdIssuer() as issuer:
        async with TimedConnector() as connector:
            token = issuer.authorization(app_id=APP_ID, service_url=connector.service_url)
            tandem = web.Application()
            conversation = Conversation(
                database, ConversationConfig(teams_tenant_ids=(TENANT,)), clock=SystemClock()
            )
            config = TeamsConfig(
                app_id=APP_ID,
                tenant_ids=(TENANT,),
                openid_metadata_url=issuer.metadata_url,
                token_issuer=issuer.issuer,
                credentials_factory=StaticTokenCredentialsFactory(APP_ID),
            )
            mount(tandem, conversation, database, config)
            endpoint = tandem[TEAMS_ENDPOINT]
            tandem_runner, tandem_url = await serve(tandem)
            if endpoint.signing_keys is not None:  # fetched in the background at start-up
                await asyncio.wait_for(endpoint.signing_keys.wait(), 10)
            bare_runner, bare_url = await serve(bare_app(issuer))
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
                # Warm-up: signing keys fetched, first contacts create the people.
                await run_level(http, tandem_url, connector, token, USERS, USERS)
                await run_level(http, bare_url, connector, token, 8, 64)
                await endpoint.idle()
                print(f"database: {database.dialect}; {total} messages per level\n")
                print(f"{'help -> reply at connector':30}{'conc':>5}{'req/s':>9}"
                      f"{'p50 ms':>9}{'p99 ms':>9}")  # fmt: skip
                for level in LEVELS:
                    rate_b, lat_b = await run_level(http, bare_url, connector, token, level, total)
                    rate_t, lat_t = await run_level(
                        http, tandem_url, connector, token, level, total
                    )
                    await endpoint.idle()
                    print(row("bare CloudAdapter (fixed text)", level, rate_b, lat_b))
                    print(row("tandem (records, real core)", level, rate_t, lat_t))
                    ratios = (
                        f"{rate_t / rate_b:>9.2f}{p(lat_t, 0.5) / p(lat_b, 0.5):>9.2f}"
                        f"{p(lat_t, 0.99) / p(lat_b, 0.99):>9.2f}"
                    )
                    print(f"{'ratio tandem/bare':30}{level:>5}{ratios}\n")
            await tandem_runner.cleanup()
            await bare_runner.cleanup()
    await database.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=320)
    parser.add_argument("--database", default=None, help="SQLAlchemy async URL (default: SQLite)")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.requests, arguments.database))
