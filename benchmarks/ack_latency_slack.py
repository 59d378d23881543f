"""Slack ack latency and time to reply, against a bare slack-bolt app, same machine and run.

    .venv/bin/python benchmarks/ack_latency_slack.py [--requests 300] [--database URL]

For concurrency 1, 16 and 64: throughput, p50 and p99 of the ack of a signed ``/tandem help``
and of a ``block_actions`` click, on Tandem (recording each interaction durably before the
ack) and on a bare bolt app whose listener only acks (``process_before_response=True``);
then the time until the fake Slack receives Tandem's answer. Prints the ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.clock import SystemClock
from dialogs.core.conversation import Conversation, ConversationConfig
from handlers.slack.app import SLACK_APP_KEY, mount
from handlers.slack.config import SlackConfig
from storage.db import Database
from storage.migrate import upgrade
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_directory import FakeUser
from tests.fakes.slack_signing import (
    SignedRequest,
    interactivity_request,
    new_trigger_id,
    slash_command_request,
)

SECRET = "benchmark-signing-secret"
TEAM = "T0TANDEM1"
LEVELS = (1, 16, 64)
Make = Callable[[str], SignedRequest]


class TimedSlack(FakeSlack):
    """The fake Slack, noting when each DM answer arrives."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.arrived: dict[str, asyncio.Event] = {}
        self._answers["chat.postMessage"] = self._timed_post

    def _timed_post(self, args: dict[str, Any]) -> dict[str, Any]:
        answer = self._post_message(args)
        self.arrived.setdefault(str(answer["channel"]), asyncio.Event()).set()
        return answer


def user(index: int) -> str:
    return f"U0BENCH{index:03d}"


def command(user_id: str) -> SignedRequest:
    return slash_command_request(SECRET, text="help", user_id=user_id, channel_id="D" + user_id[1:])


def click(user_id: str) -> SignedRequest:
    ts = f"{time.time():.6f}"
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": user_id, "team_id": TEAM},
        "api_app_id": "A0TANDEM1",
        "trigger_id": new_trigger_id(),
        "container": {"type": "message", "message_ts": ts, "channel_id": "D" + user_id[1:]},
        "channel": {"id": "D" + user_id[1:]},
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


async def serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"


def bare_app(slack: FakeSlack) -> web.Application:
    bolt = AsyncApp(
        signing_secret=SECRET,
        client=AsyncWebClient(token=slack.bot_token, base_url=slack.base_url),
        process_before_response=True,
    )

    @bolt.command("/tandem")
    async def only_ack(ack: AsyncAck) -> None:
        await ack()

    @bolt.action("tandem.0.help")
    async def only_ack_click(ack: AsyncAck) -> None:
        await ack()

    async def events(request: web.Request) -> web.StreamResponse:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    app = web.Application()
    app.router.add_post("/slack/events", events)
    return app


async def run_level(
    http: aiohttp.ClientSession,
    url: str,
    make: Make,
    concurrency: int,
    total: int,
    reply: TimedSlack | None = None,
) -> tuple[float, list[float]]:
    """(requests per second, latencies in ms); with ``reply``, until the answer arrives."""
    latencies: list[float] = []
    per_worker = max(1, total // concurrency)

    async def worker(index: int) -> None:
        user_id = user(index)
        for _ in range(per_worker):
            request = make(user_id)
            arrived = None
            if reply is not None:
                arrived = reply.arrived.setdefault("D" + user_id[1:], asyncio.Event())
                arrived.clear()
            start = time.perf_counter()
            async with http.post(url, data=request.body, headers=request.headers) as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"HTTP {response.status}")
            if arrived is not None:
                await asyncio.wait_for(arrived.wait(), 10)
            latencies.append((time.perf_counter() - start) * 1000)

    began = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    elapsed = time.perf_counter() - began
    return len(latencies) / elapsed, latencies


def row(label: str, level: int, rate: float, lat: list[float]) -> str:
    return f"{label:28}{level:>5}{rate:>9.0f}{p(lat, 0.5):>9.2f}{p(lat, 0.99):>9.2f}"


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def main(total: int, database_url: str | None) -> None:
    folder = tempfile.mkdtemp(prefix="tandem-bench-")
    url = database_url or f"sqlite+aiosqlite:///{folder}/bench.db"
    database = Database(url)
    await upgrade(database)
    users = [FakeUser(user(i), f"bench{i}", f"bench{i}@example.com") for i in range(64)]
    # The fake's spec checks stay in the tests: here they would load the measured process.
    async with TimedSlack(users=users, check_calls=False) as slack:
        tandem = web.Application()
        conversation = Conversation(
            database, ConversationConfig(slack_team_ids=(TEAM,)), clock=SystemClock()
        )
        config = SlackConfig(
            signing_secret=SECRET, bot_token=slack.bot_token, api_url=slack.base_url
        )
        mount(tandem, conversation, database, config)
        inbox = tandem[SLACK_APP_KEY].inbox
        tandem_runner, tandem_url = await serve(tandem)
        bare_runner, bare_url = await serve(bare_app(slack))
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as http:
            # Warm-up: first contacts create the people, caches fill.
            await run_level(http, tandem_url, command, 64, 64, reply=slack)
            await run_level(http, bare_url, command, 8, 64)
            print(f"database: {database.dialect}; {total} requests per level\n")
            header = f"{'':28}{'conc':>5}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
            for name, make in (("/tandem help", command), ("block_actions click", click)):
                print(f"== ack of {name}\n{header}")
                for level in LEVELS:
                    rate_b, lat_b = await run_level(http, bare_url, make, level, total)
                    rate_t, lat_t = await run_level(http, tandem_url, make, level, total)
                    await inbox.drain()
                    print(row("bare bolt (acks only)", level, rate_b, lat_b))
                    print(row("tandem (records, acks)", level, rate_t, lat_t))
                    p50 = p(lat_t, 0.5) / p(lat_b, 0.5)
                    p99 = p(lat_t, 0.99) / p(lat_b, 0.99)
                    ratio = f"{rate_t / rate_b:>9.2f}{p50:>9.2f}{p99:>9.2f}"
                    print(f"{'ratio tandem/bare':28}{level:>5}{ratio}\n")
                print(f"== time to reply to {name} (until the fake Slack receives it)\n{header}")
                for level in LEVELS:
                    rate, lat = await run_level(http, tandem_url, make, level, total, reply=slack)
                    await inbox.drain()
                    print(row("tandem reply", level, rate, lat))
                print()
            print(
                f"fake Slack violations (spec checks off in the benchmark): {len(slack.violations)}"
            )
        await tandem_runner.cleanup()
        await bare_runner.cleanup()
    await database.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=320)
    parser.add_argument("--database", default=None, help="SQLAlchemy async URL (default: SQLite)")
    arguments = parser.parse_args()
    asyncio.run(main(arguments.requests, arguments.database))
