"""Teams: a ``help`` message through ``/api/messages``, Tandem against a bare CloudAdapter bot.

    .venv/bin/python benchmarks/ack_latency_teams.py [--requests 320] [--database URL ...]

Each bot runs in a process of its own; this process is the load generator and the fake
platform (the OpenID issuer in a thread, the Bot Connector on its event loop), so the CPU
read from each bot's process counters (``/proc/<pid>/stat``) is the bot's alone.
Authentication is on: every request carries a token signed by the issuer's test key and
validated against its published keys; outbound calls present a token from the issuer too.
Tandem (the real conversation core, recording each activity durably before the ack) is
measured against a bare botbuilder ``CloudAdapter`` bot that replies with fixed text, as
shipped (``CloudAdapter.process``). For concurrency 1, 16, 64 and 256, on each database
(SQLite, and PostgreSQL when ``TANDEM_TEST_POSTGRES_URL`` is set or ``--database`` names
it): p50/p99 of the ack, p99 of the reply at the connector, throughput (replies per
second), CPU milliseconds per event, and Tandem's ratio to the bare bot in the same run
(aim: >= 5x the bare bot's throughput, p99 < 50 ms at concurrency 16).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storage.db import Database
from storage.migrate import upgrade
from tests.fakes.bot_connector import ConnectorCall, FakeBotConnector
from tests.fakes.openid_issuer import FakeOpenIdIssuer

APP_ID = "00000000-0000-0000-0000-0000000be4c4"
TENANT = "bench-tenant"
LEVELS = (1, 16, 64, 256)
POSTGRES_ENV = "TANDEM_TEST_POSTGRES_URL"
START_DEADLINE_S = 60.0
REPLY_DEADLINE_S = 60.0


@dataclass(frozen=True)
class BotSettings:
    """What a bot process needs: all plain values (it is started with ``spawn``)."""

    metadata_url: str
    issuer: str
    outbound_token: str
    database_url: str = ""  # Tandem only
    profile: str = ""  # Tandem only: where to write a cProfile of its process


# -- the bot processes ---------------------------------------------------------------------------


def bare_app(settings: BotSettings) -> web.Application:
    from botbuilder.core import ActivityHandler, TurnContext
    from botbuilder.integration.aiohttp import (
        CloudAdapter,
        ConfigurationBotFrameworkAuthentication,
    )

    from tests.fakes.openid_issuer import StaticTokenCredentialsFactory

    class FixedReply(ActivityHandler):  # type: ignore[misc]
        async def on_message_activity(self, turn_context: TurnContext) -> None:
            await turn_context.send_activity("Here is what I can do: help, profile, language.")

    configuration = argparse.Namespace(
        APP_ID=APP_ID,
        TO_BOT_FROM_CHANNEL_TOKEN_ISSUER=settings.issuer,
        TO_BOT_FROM_CHANNEL_OPENID_METADATA_URL=settings.metadata_url,
        TO_CHANNEL_FROM_BOT_OAUTH_SCOPE="https://api.botframework.com",
    )
    adapter = CloudAdapter(
        ConfigurationBotFrameworkAuthentication(
            configuration,
            credentials_factory=StaticTokenCredentialsFactory(APP_ID, settings.outbound_token),
        )
    )
    bot = FixedReply()

    async def messages(request: web.Request) -> web.Response:
        response: web.Response = await adapter.process(request, bot)
        return response

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    return app


async def tandem_app(settings: BotSettings) -> tuple[web.Application, Any]:
    from bot.clock import SystemClock
    from dialogs.core.conversation import Conversation, ConversationConfig
    from handlers.teams.app import TEAMS_ENDPOINT, mount
    from handlers.teams.config import TeamsConfig
    from tests.fakes.openid_issuer import StaticTokenCredentialsFactory

    database = Database(settings.database_url)
    app = web.Application()
    conversation = Conversation(
        database, ConversationConfig(teams_tenant_ids=(TENANT,)), clock=SystemClock()
    )
    config = TeamsConfig(
        app_id=APP_ID,
        tenant_ids=(TENANT,),
        openid_metadata_url=settings.metadata_url,
        token_issuer=settings.issuer,
        credentials_factory=StaticTokenCredentialsFactory(APP_ID, settings.outbound_token),
    )
    mount(app, conversation, database, config)
    return app, app[TEAMS_ENDPOINT]


def serve_bot(kind: str, settings: BotSettings, pipe: Connection) -> None:
    """A bot process: serve, send the port back, stop when the pipe says so."""

    async def run() -> None:
        endpoint = None
        if kind == "tandem":
            app, endpoint = await tandem_app(settings)
        else:
            app = bare_app(settings)
        runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        if endpoint is not None and endpoint.signing_keys is not None:
            await asyncio.wait_for(endpoint.signing_keys.wait(), START_DEADLINE_S)
        pipe.send(runner.addresses[0][1])
        loop = asyncio.get_running_loop()
        while True:
            command = await loop.run_in_executor(None, pipe.recv)
            if command == "idle" and endpoint is not None:
                await endpoint.idle()  # activities acknowledged, still being processed
            if command == "stop":
                break
            pipe.send("ok")
        await runner.cleanup()

    if kind != "tandem" or not settings.profile:
        asyncio.run(run())
        return
    import cProfile

    profiler = cProfile.Profile()
    profiler.runcall(asyncio.run, run())
    profiler.dump_stats(settings.profile)


class BotProcess:
    def __init__(self, kind: str, settings: BotSettings) -> None:
        self.kind = kind
        context = multiprocessing.get_context("spawn")
        self._pipe, child = context.Pipe()
        self.process = context.Process(target=serve_bot, args=(kind, settings, child))

    async def start(self) -> str:
        self.process.start()
        port = await self._ask(None)
        return f"http://127.0.0.1:{port}/api/messages"

    async def _ask(self, command: str | None) -> Any:
        if command is not None:
            self._pipe.send(command)
        if not await asyncio.to_thread(self._pipe.poll, START_DEADLINE_S):
            raise RuntimeError(f"the {self.kind} process did not answer")
        return self._pipe.recv()

    async def idle(self) -> None:
        await self._ask("idle")

    def cpu_seconds(self) -> float:
        """User + system CPU of the process, all its threads (``/proc/<pid>/stat``)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def stop(self) -> None:
        self._pipe.send("stop")
        self.process.join(timeout=30)
        if self.process.is_alive():
            self.process.kill()


# -- the fake platform and the load --------------------------------------------------------------


class TimedConnector(FakeBotConnector):
    """The fake connector without its (test-time) schema checks, noting each reply."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: dict[str, asyncio.Event] = {}

    async def _respond(self, request: web.Request, call: ConnectorCall) -> web.Response:
        if request.method in {"POST", "PUT"}:
            call.body = json.loads(await request.read())
        response = self._perform(call)
        self.calls.clear()  # the benchmark keeps no history
        if call.conversation_id:
            self.arrived.setdefault(call.conversation_id, asyncio.Event()).set()
        return response


def message(service_url: str, index: int) -> dict[str, Any]:
    return {
        "type": "message",
        "id": f"bench:{uuid.uuid4().hex}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": f"29:u{index}", "name": f"User {index}", "aadObjectId": f"aad-{index}"},
        "recipient": {"id": f"28:{APP_ID}", "name": "Tandem"},
        "conversation": {"id": f"a:u{index}", "conversationType": "personal", "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}},
        "locale": "en-US",
        "text": "help",
    }


@dataclass
class Level:
    rate: float
    acks: list[float]
    replies: list[float]
    cpu_ms: float  # per event


async def run_level(
    http: aiohttp.ClientSession,
    bot: BotProcess,
    url: str,
    connector: TimedConnector,
    token: str,
    concurrency: int,
    per_worker: int,
) -> Level:
    acks: list[float] = []
    replies: list[float] = []
    headers = {"Authorization": token, "Content-Type": "application/json"}

    async def worker(index: int) -> None:
        for _ in range(per_worker):
            body = json.dumps(message(connector.service_url, index)).encode()
            arrived = connector.arrived.setdefault(f"a:u{index}", asyncio.Event())
            arrived.clear()
            start = time.perf_counter()
            async with http.post(url, data=body, headers=headers) as response:
                await response.read()
                if response.status not in (200, 201):
                    raise RuntimeError(f"{bot.kind}: HTTP {response.status}")
            acks.append((time.perf_counter() - start) * 1000)
            await asyncio.wait_for(arrived.wait(), REPLY_DEADLINE_S)
            replies.append((time.perf_counter() - start) * 1000)

    cpu = bot.cpu_seconds()
    began = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    elapsed = time.perf_counter() - began
    await bot.idle()
    used = bot.cpu_seconds() - cpu
    return Level(len(replies) / elapsed, acks, replies, used * 1000 / len(replies))


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def row(label: str, level: int, m: Level) -> str:
    return (
        f"{label:16}{level:>5}{p(m.acks, 0.5):>10.2f}{p(m.acks, 0.99):>10.2f}"
        f"{p(m.replies, 0.99):>11.2f}{m.rate:>9.0f}{m.cpu_ms:>9.2f}"
    )


async def prepared(database_url: str | None) -> tuple[str, str]:
    """(URL, label) of a fresh migrated database: SQLite in a temporary folder, or a new
    PostgreSQL database on the server ``database_url`` names."""
    if database_url is None:
        folder = tempfile.mkdtemp(prefix="tandem-bench-")
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
    else:
        import asyncpg
        from sqlalchemy import make_url

        admin = make_url(database_url)
        name = f"tandem_bench_{uuid.uuid4().hex[:10]}"
        conn = await asyncpg.connect(
            host=admin.host or "127.0.0.1",
            port=admin.port or 5432,
            user=admin.username,
            password=admin.password,
            database=admin.database or "postgres",
        )
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        url = admin.set(database=name).render_as_string(hide_password=False)
    database = Database(url)
    await upgrade(database)
    label = database.dialect
    await database.dispose()
    return url, label


async def bench(database_url: str | None, requests: int, profile: str) -> None:
    url, label = await prepared(database_url)
    with FakeOpenIdIssuer() as issuer:
        async with TimedConnector() as connector:
            token = issuer.authorization(app_id=APP_ID, service_url=connector.service_url)
            settings = BotSettings(
                issuer.metadata_url,
                issuer.issuer,
                # What AAD gives the bot: a JWT with an expiry (an hour, as AAD's).
                issuer.mint(app_id=APP_ID, service_url="", audience="https://api.botframework.com"),
                url,
                profile,
            )
            bots = [BotProcess("bare CloudAdapter", settings), BotProcess("tandem", settings)]
            urls = [await bot.start() for bot in bots]
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
                # Warm-up: first contacts create the people, the first turns fill caches.
                for bot, address in zip(bots, urls, strict=True):
                    await run_level(http, bot, address, connector, token, max(LEVELS), 1)
                print(f"\ndatabase: {label}; about {requests} messages per level and bot")
                print(
                    f"{'help -> reply':16}{'conc':>5}{'ack p50':>10}{'ack p99':>10}"
                    f"{'reply p99':>11}{'req/s':>9}{'CPU ms':>9}"
                )
                for level in LEVELS:
                    per_worker = max(2, requests // level)
                    bare, tandem = [
                        await run_level(http, bot, address, connector, token, level, per_worker)
                        for bot, address in zip(bots, urls, strict=True)
                    ]
                    print(row("bare", level, bare))
                    print(row("tandem", level, tandem))
                    print(
                        f"{'tandem/bare':16}{level:>5}"
                        f"{p(tandem.acks, 0.5) / p(bare.acks, 0.5):>10.2f}"
                        f"{p(tandem.acks, 0.99) / p(bare.acks, 0.99):>10.2f}"
                        f"{p(tandem.replies, 0.99) / p(bare.replies, 0.99):>11.2f}"
                        f"{tandem.rate / bare.rate:>9.2f}{tandem.cpu_ms / bare.cpu_ms:>9.2f}"
                    )
                memory = ", ".join(f"{bot.kind} {bot.rss_mb():.0f} MB" for bot in bots)
                print(f"resident memory after the run: {memory}")
            for bot in bots:
                bot.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=320)
    parser.add_argument(
        "--database",
        action="append",
        help="'sqlite' or a PostgreSQL server's asyncpg URL (a fresh database is created "
        f"there); default: sqlite, and ${POSTGRES_ENV} when set",
    )
    parser.add_argument("--profile", default="", help="write a cProfile of Tandem's process")
    arguments = parser.parse_args()
    targets = arguments.database or ["sqlite", *filter(None, [os.environ.get(POSTGRES_ENV)])]
    print("ack: request to HTTP answer; reply: request to the reply at the connector (ms);")
    print("req/s: replies per second; CPU ms: the bot process's own CPU per event")
    for target in targets:
        asyncio.run(
            bench(None if target == "sqlite" else target, arguments.requests, arguments.profile)
        )


if __name__ == "__main__":
    main()
