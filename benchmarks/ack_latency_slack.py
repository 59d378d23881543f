"""Slack ack latency, time to reply and CPU per event, Tandem against a bare slack-bolt app.

    .venv/bin/python benchmarks/ack_latency_slack.py [--requests 320] [--database URL]
        [--levels 1,16,64,256]

Each part runs in a process of its own: this one generates the load; the fake Slack Web API,
a bare bolt app (its listener only acks, ``process_before_response=True``) and Tandem
(``tandem serve``, recording each interaction durably before the ack) in others. CPU per
event is read from each server's own counters (``/proc/<pid>/stat``), so it is that
server's alone. For concurrency 1, 16, 64 and 256 and for a signed ``/tandem help``, a
``block_actions`` click and a form submission: throughput, p50/p99 ack, p99 reply (until
the fake Slack receives Tandem's answer), CPU ms per event, and the ratios to the bare app.
At 256 it also prints the largest backlog ``/metrics`` showed. With a PostgreSQL URL it
then runs two Tandem processes on one database and prints their throughput against one.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.slack_api import FakeSlack  # noqa: E402
from tests.fakes.slack_directory import FakeUser  # noqa: E402
from tests.fakes.slack_signing import (  # noqa: E402
    SignedRequest,
    interactivity_request,
    new_trigger_id,
    slash_command_request,
)

SECRET = "benchmark-signing-secret"
TEAM = "T0TANDEM1"
USERS = 256
TICK = os.sysconf("SC_CLK_TCK")
Make = Callable[[str], SignedRequest]


# -- the processes under test ------------------------------------------------------------------
class TimedSlack(FakeSlack):
    """The fake Slack, noting when (CLOCK_MONOTONIC, the same in every process) each message
    reaches each channel; ``GET /bench/after`` waits for the first one after a time."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.arrivals: dict[str, list[float]] = {}
        self.news: dict[str, asyncio.Event] = {}
        self._answers["chat.postMessage"] = self._timed_post

    def _timed_post(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = self._post_message(args)
        channel = str(answer["channel"])
        self.arrivals.setdefault(channel, []).append(time.monotonic())
        self.news.setdefault(channel, asyncio.Event()).set()
        self.messages.clear()  # a long run must not grow the fake
        self.calls.clear()
        return answer

    async def after(self, request: web.Request) -> web.Response:
        channel, since = request.query["channel"], float(request.query["after"])
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            later = [t for t in self.arrivals.get(channel, []) if t > since]
            if later:
                return web.json_response({"at": min(later)})
            news = self.news.setdefault(channel, asyncio.Event())
            news.clear()
            try:
                await asyncio.wait_for(news.wait(), deadline - time.monotonic())
            except TimeoutError:
                break
        return web.json_response({"at": None})


async def fake_slack_process(port_file: str) -> None:
    users = [FakeUser(user(i), f"bench{i}", f"bench{i}@example.com") for i in range(USERS)]
    async with TimedSlack(users=users, check_calls=False) as slack:
        app = web.Application()
        app.router.add_get("/bench/after", slack.after)
        runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        Path(port_file).write_text(json.dumps([slack.base_url, runner.addresses[0][1]]))
        await asyncio.Event().wait()


def bare_bolt_process(port: int, api_url: str) -> None:
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
    from slack_bolt.async_app import AsyncAck, AsyncApp
    from slack_sdk.web.async_client import AsyncWebClient

    bolt = AsyncApp(
        signing_secret=SECRET,
        client=AsyncWebClient(token="xoxb-fake-bot-token", base_url=api_url),
        process_before_response=True,
    )

    @bolt.command("/tandem")
    async def only_ack(ack: AsyncAck) -> None:
        await ack()

    @bolt.action(re.compile("^tandem\\."))
    async def only_ack_click(ack: AsyncAck) -> None:
        await ack()

    @bolt.view(re.compile(".*"))
    async def only_ack_view(ack: AsyncAck) -> None:
        await ack()

    async def events(request: web.Request) -> web.StreamResponse:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", events)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


# -- requests --------------------------------------------------------------------------------------
def user(index: int) -> str:
    return f"U0BENCH{index:03d}"


def dm(user_id: str) -> str:
    return "D" + user_id[1:]


def command(user_id: str) -> SignedRequest:
    return slash_command_request(SECRET, text="help", user_id=user_id, channel_id=dm(user_id))


def click(user_id: str) -> SignedRequest:
    ts = f"{time.time():.6f}"
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": user_id, "team_id": TEAM},
        "api_app_id": "A0TANDEM1",
        "trigger_id": new_trigger_id(),
        "container": {"type": "message", "message_ts": ts, "channel_id": dm(user_id)},
        "channel": {"id": dm(user_id)},
        "actions": [
            {
                "type": "button",
                "action_id": "tandem.0.help",
                "block_id": "b",
                "value": json.dumps({"r": "", "v": ""}),
                "action_ts": ts,
            }
        ],
    }
    return interactivity_request(SECRET, payload)


def submission(user_id: str) -> SignedRequest:
    """A submitted form whose reference is no longer current: answered (the polite stale
    notice, posted as a message) after a full pass through the core, like any submission."""
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": user_id, "team_id": TEAM},
        "api_app_id": "A0TANDEM1",
        "trigger_id": new_trigger_id(),
        "view": {
            "id": "V" + user_id[1:],
            "type": "modal",
            "callback_id": "tandem.form",
            "private_metadata": "language|999999|choose|1",
            "state": {"values": {}},
            "hash": new_trigger_id(),  # a new submission each time, not a retry
        },
    }
    return interactivity_request(SECRET, payload)


KINDS: tuple[tuple[str, Make], ...] = (
    ("/tandem help", command),
    ("block_actions click", click),
    ("view_submission", submission),
)


# -- measuring -------------------------------------------------------------------------------------
@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes]

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0


@dataclass
class Level:
    rate: float
    acks: list[float]
    replies: list[float]
    cpu_ms: float
    backlog: int = 0
    late: int = 0  # acks past Slack's 3 s


async def run_level(
    http: aiohttp.ClientSession,
    servers: list[Server],
    make: Make,
    concurrency: int,
    total: int,
    waiter: str | None = None,
) -> Level:
    acks: list[float] = []
    replies: list[float] = []
    per_worker = max(1, total // concurrency)
    cpu_before = sum(s.cpu_seconds() for s in servers)

    async def worker(index: int) -> None:
        user_id = user(index % USERS)
        for n in range(per_worker):
            server = servers[(index + n) % len(servers)]
            request = make(user_id)
            start = time.monotonic()
            async with http.post(server.url, data=request.body, headers=request.headers) as answer:
                await answer.read()
                if answer.status != 200:
                    raise RuntimeError(f"{server.name}: HTTP {answer.status}")
            acks.append((time.monotonic() - start) * 1000)
            if waiter is not None:
                query = {"channel": dm(user_id), "after": str(start)}
                async with http.get(waiter, params=query) as arrived:
                    at = (await arrived.json())["at"]
                if at is None:
                    raise RuntimeError(f"{server.name}: no answer within 20 s")
                replies.append((at - start) * 1000)

    began = time.monotonic()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    elapsed = time.monotonic() - began
    cpu = sum(s.cpu_seconds() for s in servers) - cpu_before
    late = sum(1 for a in acks if a > 3000)
    return Level(len(acks) / elapsed, acks, replies, cpu * 1000 / len(acks), late=late)


async def backlog_of(http: aiohttp.ClientSession, server: Server, stop: asyncio.Event) -> int:
    """The largest backlog ``/metrics`` showed while ``stop`` was not set."""
    largest = 0
    metrics = server.url.replace("/slack/events", "/metrics")
    while not stop.is_set():
        async with http.get(metrics) as answer:
            text = await answer.text()
        for line in text.splitlines():
            if line.startswith("tandem_inbound_backlog{"):
                largest = max(largest, int(float(line.rsplit(" ", 1)[1])))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 0.5)
    return largest


def p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


HEADER = (
    f"{'':26}{'conc':>5}{'req/s':>8}{'ack p50':>9}{'ack p99':>9}{'reply p99':>10}"
    f"{'cpu ms/ev':>10}{'>3 s':>6}"
)


def row(label: str, level: int, r: Level) -> str:
    reply = f"{p(r.replies, 0.99):>10.1f}" if r.replies else f"{'-':>10}"
    return (
        f"{label:26}{level:>5}{r.rate:>8.0f}{p(r.acks, 0.5):>9.2f}{p(r.acks, 0.99):>9.2f}"
        f"{reply}{r.cpu_ms:>10.2f}{r.late:>6}"
    )


# -- orchestration ---------------------------------------------------------------------------------
def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def spawn(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def until_up(http: aiohttp.ClientSession, url: str, deadline: float = 60) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            async with http.get(url) as answer:
                if answer.status < 500:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError(f"{url} did not start")


def tandem_process(name: str, database_url: str, api_url: str) -> Server:
    port = free_port()
    env = {
        "TANDEM_DATABASE_URL": database_url,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": "xoxb-fake-bot-token",
        "SLACK_API_URL": api_url,
        "TANDEM_SLACK_TEAM_IDS": TEAM,
        "TANDEM_SECRET_KEY": "benchmark-secret-key-benchmark-secret-key",
        "TANDEM_CONSOLE": "false",
    }
    # TANDEM_BENCH_PROFILE=<file>: the Tandem process runs under cProfile (to find costs).
    profile = os.environ.get("TANDEM_BENCH_PROFILE")
    profiling = ["-m", "cProfile", "-o", f"{profile}.{port}"] if profile else []
    process = spawn([*profiling, "-m", "bot.cli", "serve", "--port", str(port)], env)
    return Server(name, f"http://127.0.0.1:{port}/slack/events", process)


async def fresh_database(url: str | None, folder: str) -> tuple[str, Callable[[], Any] | None]:
    """The database URL to use (migrated), and how to drop it afterwards."""
    from storage.db import Database
    from storage.migrate import upgrade

    if url is None or url.startswith("sqlite"):
        url = f"sqlite+aiosqlite:///{folder}/bench.db"
        database = Database(url)
        await upgrade(database)
        await database.dispose()
        return url, None
    from sqlalchemy import text
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine

    name = f"tandem_bench_{os.getpid()}"
    admin = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f"CREATE DATABASE {name}"))
    fresh = make_url(url).set(database=name).render_as_string(hide_password=False)
    database = Database(fresh)
    await upgrade(database)
    await database.dispose()

    async def drop() -> None:
        async with admin.connect() as conn:
            await conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        await admin.dispose()

    return fresh, drop


async def main(total: int, database_url: str | None, levels: tuple[int, ...]) -> None:
    folder = tempfile.mkdtemp(prefix="tandem-bench-")
    port_file = f"{folder}/fake.json"
    processes: list[subprocess.Popen[bytes]] = []
    url, drop = await fresh_database(database_url, folder)
    try:
        processes.append(spawn([__file__, "--role", "fake-slack", "--port-file", port_file]))
        for _ in range(300):
            if Path(port_file).exists() and Path(port_file).read_text():
                break
            await asyncio.sleep(0.1)
        api_url, waiter_port = json.loads(Path(port_file).read_text())
        waiter = f"http://127.0.0.1:{waiter_port}/bench/after"
        bare_port = free_port()
        bare_process = spawn(
            [__file__, "--role", "bare", "--port", str(bare_port), "--api", api_url]
        )
        processes.append(bare_process)
        bare = Server("bare bolt", f"http://127.0.0.1:{bare_port}/slack/events", bare_process)
        tandem = tandem_process("tandem", url, api_url)
        processes.append(tandem.process)
        connector = aiohttp.TCPConnector(limit=0)
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
            await until_up(http, tandem.url.replace("/slack/events", "/healthz"))
            await until_up(http, bare.url)
            # Warm-up: first contacts create the people, caches fill.
            await run_level(http, [tandem], command, USERS, USERS, waiter=waiter)
            await run_level(http, [bare], command, 16, 256)
            engine = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
            print(f"database: {engine}; {total} requests per level (at least 2 per worker)")
            print(f"tandem RSS after warm-up: {tandem.rss_mb():.0f} MB\n")
            for name, make in KINDS:
                print(f"== {name}\n{HEADER}")
                for level in levels:
                    count = max(total, 2 * level)
                    b = await run_level(http, [bare], make, level, count)
                    stop = asyncio.Event()
                    watch = asyncio.create_task(backlog_of(http, tandem, stop))
                    t = await run_level(http, [tandem], make, level, count, waiter=waiter)
                    stop.set()
                    t.backlog = await watch
                    print(row("bare bolt (acks only)", level, b))
                    print(row("tandem (records, acks)", level, t))
                    ratios = (
                        f"{t.rate / b.rate:>8.2f}{p(t.acks, 0.5) / p(b.acks, 0.5):>9.2f}"
                        f"{p(t.acks, 0.99) / p(b.acks, 0.99):>9.2f}{'':>10}"
                        f"{t.cpu_ms / max(b.cpu_ms, 1e-9):>10.2f}"
                    )
                    print(f"{'ratio tandem/bare':26}{level:>5}{ratios}")
                    if level >= 256:
                        print(f"{'largest /metrics backlog':26}{level:>5}{t.backlog:>8}")
                    print()
            print(f"tandem RSS at the end: {tandem.rss_mb():.0f} MB")
            if url.startswith("postgresql"):
                second = tandem_process("tandem 2", url, api_url)
                processes.append(second.process)
                await until_up(http, second.url.replace("/slack/events", "/healthz"))
                print(
                    f"\n== two Tandem processes, one PostgreSQL database (/tandem help)\n{HEADER}"
                )
                for level in (16, 64):
                    count = max(total, 2 * level)
                    one = await run_level(http, [tandem], command, level, count, waiter=waiter)
                    two = await run_level(
                        http, [tandem, second], command, level, count, waiter=waiter
                    )
                    print(row("one process", level, one))
                    print(row("two processes", level, two))
                    print(f"{'throughput two/one':26}{level:>5}{two.rate / one.rate:>8.2f}\n")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        if drop is not None:
            await drop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=320)
    parser.add_argument("--database", default=None, help="SQLAlchemy async URL (default: SQLite)")
    parser.add_argument("--levels", default="1,16,64,256")
    parser.add_argument("--role", default="load", choices=("load", "fake-slack", "bare"))
    parser.add_argument("--port-file", default="")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--api", default="")
    arguments = parser.parse_args()
    if arguments.role == "fake-slack":
        asyncio.run(fake_slack_process(arguments.port_file))
    elif arguments.role == "bare":
        bare_bolt_process(arguments.port, arguments.api)
    else:
        levels = tuple(int(level) for level in arguments.levels.split(","))
        asyncio.run(main(arguments.requests, arguments.database, levels))
