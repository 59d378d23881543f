"""Fan-out: reminders to thousands of conversations through fakes enforcing platform limits.

10,000 reminders (two per person) across 5,000 conversations are queued through the
notifier, then drained by several due runners (as replicas would) through the real Slack
channel (slack_sdk over HTTP) to the fake Slack enforcing 1 message per second per
conversation (bursts of 3) and 50 per second across the workspace, answering 429 with
Retry-After beyond; then the same through the real Teams channel (botbuilder's connector
client) to the fake Bot Connector with Teams' limits (7/s and 60 per 30 s per conversation,
50/s per tenant). Prints the limits enforced, the throughput achieved as a fraction of the
bound those limits allow, lost and duplicated reminders, 429s answered, and Tandem's peak
memory.

    .venv/bin/python benchmarks/fanout.py [--reminders 10000] [--conversations 5000]
        [--runners 4] [--platform slack|teams|both] [--postgres URL]

Each part runs in a process of its own (as in ack_latency_slack.py): this one orchestrates;
the fake platform in another; Tandem's delivery (people, notifier, due runners) in a fresh
process per platform run, so the peak memory printed is that process's alone (its VmHWM),
not the fakes' with their recorded calls, nor the other platform's run.

PostgreSQL is used when ``--postgres`` or TANDEM_TEST_POSTGRES_URL names a server on which
the user may create a throw-away database; otherwise a SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.due_queue import _admin  # noqa: E402
from tests.fakes.rate_limits import SlackLimits, TeamsLimits  # noqa: E402

TEAM = "T0TANDEM1"
TENANT = "72f988bf-0000-0000-0000-000000000001"
APP_ID = "00000000-0000-0000-0000-00000000a11c"
ENQUEUE_CHUNK = 500
STARTUP_DEADLINE_S = 60


def marker(n: int) -> str:
    return f"reminder {n:05d}"


def slack_user(n: int) -> str:
    return f"U{n:08d}"


# -- the fake platforms (a process of their own) -----------------------------------------------
async def serve_stats(stats: Any, port_file: str, addresses: dict[str, str]) -> None:
    """``GET /bench/stats``: what the fake accepted, refused and recorded, for the verdict."""

    async def answer(request: web.Request) -> web.Response:
        return web.json_response(stats())

    app = web.Application()
    app.router.add_get("/bench/stats", answer)
    runner = web.AppRunner(app, handle_signals=False, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    control = f"http://127.0.0.1:{runner.addresses[0][1]}/bench/stats"
    Path(port_file).write_text(json.dumps({**addresses, "stats": control}))
    await asyncio.Event().wait()


async def fake_slack_process(port_file: str, conversations: int) -> None:
    from tests.fakes.slack_api import FakeSlack
    from tests.fakes.slack_directory import FakeUser

    users = [FakeUser(slack_user(n), f"u{n}", f"p{n}@acme.example") for n in range(conversations)]
    async with FakeSlack(users=users, check_calls=False, limits=SlackLimits()) as slack:

        def stats() -> dict[str, Any]:
            posted = Counter(
                str(call.args.get("text"))
                for call in slack.calls
                if call.method == "chat.postMessage" and call.status == 200
            )
            return {
                "accepted": slack.limiter.accepted,
                "refused": slack.limiter.refused,
                "delivered": posted,
            }

        addresses = {"api": slack.base_url, "bot_token": slack.bot_token}
        await serve_stats(stats, port_file, addresses)


async def fake_teams_process(port_file: str) -> None:
    from tests.fakes.bot_connector import FakeBotConnector
    from tests.fakes.fixtures import FAKE_OUTBOUND_TOKEN

    connector = FakeBotConnector(
        expected_token=FAKE_OUTBOUND_TOKEN, limits=TeamsLimits(), check_calls=False
    )
    async with connector:

        def stats() -> dict[str, Any]:
            sent = Counter(
                str(a.get("summary") or a.get("text"))
                for a in connector.activities
                if a.get("operation") == "send"
            )
            return {
                "accepted": connector.limiter.accepted,
                "refused": connector.limiter.refused,
                "delivered": sent,
            }

        await serve_stats(stats, port_file, {"service_url": connector.service_url})


# -- Tandem's delivery (a fresh process per platform run) ---------------------------------------
async def people(database: Any, platform: str, count: int, service_url: str) -> list[str]:
    from storage.models import Person, PlatformIdentity

    ids = []
    async with database.unit_of_work() as session:
        for n in range(count):
            person = Person(
                email=f"p{n}@acme.example",
                first_name=f"P{n}",
                last_name="Bench",
                timezone="Europe/Paris",
                locale="en",
                languages=["en"],
            )
            session.add(person)
            ids.append(person)
        await session.flush()
        for n, person in enumerate(ids):
            reference = None
            if platform == "teams":
                reference = {
                    "user": {"id": f"29:u{n}", "aadObjectId": f"aad-{n}"},
                    "bot": {"id": "28:bot"},
                    "conversation": {
                        "id": f"a:{n}",
                        "conversationType": "personal",
                        "tenantId": TENANT,
                    },
                    "channelId": "msteams",
                    "serviceUrl": service_url,
                }
            session.add(
                PlatformIdentity(
                    person_id=person.id,
                    platform=platform,
                    tenant_id=TEAM if platform == "slack" else TENANT,
                    user_id=slack_user(n) if platform == "slack" else f"aad-{n}",
                    conversation_ref=reference,
                )
            )
        return [person.id for person in ids]


async def seed(url: str, platform: str, count: int, service_url: str) -> list[str]:
    from storage.db import Database

    database = Database(url)
    try:
        return await people(database, platform, count, service_url)
    finally:
        await database.dispose()


async def enqueue(notifier: Any, person_ids: list[str], reminders: int) -> None:
    from bot.domain.notifications import Announcement

    for start in range(0, reminders, ENQUEUE_CHUNK):
        async with notifier.database.unit_of_work() as session:
            for n in range(start, min(start + ENQUEUE_CHUNK, reminders)):
                reminder = Announcement(marker(n), marker(n))
                await notifier.notify(
                    session,
                    person_ids[n % len(person_ids)],
                    reminder,
                    key=f"bench:{n}",
                    proactive=False,
                )


async def drain(notifier: Any, runners: int, expected: int) -> float:
    """Seconds until the runners have completed ``expected`` deliveries (or sat idle a
    minute: what was not delivered is counted as lost from the fake's records)."""
    from storage.due_runner import DueHandlers, DueRunner

    handlers = DueHandlers()
    notifier.register(handlers)
    done = 0
    started = time.perf_counter()

    async def run(index: int) -> None:
        nonlocal done
        runner = DueRunner(notifier.queue, handlers, owner=f"bench-{index}", clock=notifier.clock)
        idle_since = time.perf_counter()
        while done < expected:
            report = await runner.drain()
            done += report.done
            if report.done or report.retried:
                idle_since = time.perf_counter()
            elif time.perf_counter() - idle_since > 60:
                return
            else:
                await asyncio.sleep(0.05)

    await asyncio.gather(*(run(i) for i in range(runners)))
    return time.perf_counter() - started


def slack_channel(addresses: dict[str, str], session: Any) -> Any:
    from handlers.slack.channel import SlackChannel
    from handlers.slack.config import SlackConfig
    from handlers.slack.web_client import web_client

    # With the runtime's session, as ``tandem serve`` passes it: without one, slack_sdk
    # opens (and closes) a connection for every call, which the service does not do.
    config = SlackConfig("s", api_url=addresses["api"])
    client = web_client(config, addresses["bot_token"], session)

    async def client_for(team_id: str) -> Any:
        return client

    return SlackChannel(client_for)


async def tandem_process(platform: str, url: str, addresses: dict[str, str], args: Any) -> None:
    """Prints one JSON line: seconds, pacing waits, this process's peak memory."""
    from bot.clock import SystemClock
    from dialogs.notify.notifier import Notifier, NotifierConfig
    from storage.db import Database

    database = Database(url)
    cleanup: list[Any] = []
    if platform == "slack":
        import aiohttp

        session = aiohttp.ClientSession()
        channel = slack_channel(addresses, session)
        pacers = (channel.per_conversation, channel.per_workspace)
        cleanup = [session.close]
    else:
        from handlers.teams.app import build_adapter
        from handlers.teams.channel import TeamsChannel
        from handlers.teams.config import TeamsConfig
        from handlers.teams.web_client import ClientCache
        from tests.fakes.fixtures import FAKE_OUTBOUND_TOKEN
        from tests.fakes.openid_issuer import StaticTokenCredentialsFactory

        # The outbound half of ``handlers.teams.app.mount``: what the notifier sends through.
        config = TeamsConfig(
            app_id=APP_ID,
            tenant_ids=(TENANT,),
            credentials_factory=StaticTokenCredentialsFactory(APP_ID, FAKE_OUTBOUND_TOKEN),
        )
        cache = ClientCache()
        channel = TeamsChannel(build_adapter(config, cache), config, database)
        pacers = (channel.per_conversation, channel.per_tenant)
        cleanup = [cache.close]
    notifier = Notifier(database, {platform: channel}, NotifierConfig(), clock=SystemClock())
    person_ids = json.loads(Path(args.people).read_text())
    await enqueue(notifier, person_ids, args.reminders)
    seconds = await drain(notifier, args.runners, args.reminders)
    waited = sum(p.waited for p in pacers if p)
    for close in cleanup:
        await close()
    await database.dispose()
    print(json.dumps({"seconds": seconds, "waited": waited, "peak_mb": peak_mb()}))


def peak_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- orchestration -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Outcome:
    limits: str
    seconds: float
    bound_seconds: float
    delivered: Counter[str]
    expected: int
    throttled: int
    waited: float
    peak_mb: float
    pid: int


def spawn(args: list[str], stdout: Any = subprocess.DEVNULL) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, __file__, *args],
        cwd=ROOT,
        stdout=stdout,
        stderr=None,  # a failure's traceback shows
        text=True,
    )


def addresses_of(port_file: Path, fake: subprocess.Popen[str]) -> dict[str, str]:
    deadline = time.monotonic() + STARTUP_DEADLINE_S
    while time.monotonic() < deadline:
        if port_file.exists() and port_file.read_text():
            answer: dict[str, str] = json.loads(port_file.read_text())
            return answer
        if fake.poll() is not None:
            break
        time.sleep(0.1)
    raise RuntimeError("the fake platform did not start")


def stats_of(url: str) -> dict[str, Any]:
    import urllib.request

    with urllib.request.urlopen(url, timeout=60) as answer:
        stats: dict[str, Any] = json.load(answer)
        return stats


def platform_run(platform: str, url: str, args: argparse.Namespace, folder: str) -> Outcome:
    port_file = Path(folder) / f"{platform}.json"
    role = ["--role", f"fake-{platform}", "--port-file", str(port_file)]
    fake = spawn([*role, "--conversations", str(args.conversations)])
    try:
        addresses = addresses_of(port_file, fake)
        # The people exist before the run (they arrived one by one, through their own
        # messages): seeded from here, so the delivery process holds only its own work.
        people_file = Path(folder) / f"{platform}-people.json"
        person_ids = asyncio.run(
            seed(url, platform, args.conversations, addresses.get("service_url", ""))
        )
        people_file.write_text(json.dumps(person_ids))
        tandem = spawn(
            [
                "--role",
                "tandem",
                "--platform",
                platform,
                "--database",
                url,
                "--addresses",
                json.dumps(addresses),
                "--reminders",
                str(args.reminders),
                "--conversations",
                str(args.conversations),
                "--runners",
                str(args.runners),
                "--people",
                str(people_file),
            ],
            stdout=subprocess.PIPE,
        )
        output, _ = tandem.communicate()
        if tandem.returncode != 0:
            raise RuntimeError(f"the Tandem process failed ({tandem.returncode})")
        result = json.loads(output.strip().splitlines()[-1])
        stats = stats_of(addresses["stats"])
    finally:
        fake.terminate()
        fake.wait(10)
    if platform == "slack":
        slack = SlackLimits()
        limits, tenant = slack.describe(), slack.per_workspace
    else:
        teams = TeamsLimits()
        limits, tenant = teams.describe(), teams.per_tenant
    return Outcome(
        limits,
        result["seconds"],
        bound_seconds(args.reminders, tenant.per_second, tenant.burst),
        Counter(stats["delivered"]),
        args.reminders,
        stats["refused"],
        result["waited"],
        result["peak_mb"],
        tandem.pid,
    )


def bound_seconds(count: int, per_second: float, burst: float) -> float:
    """The least time the workspace (tenant) limit allows for ``count`` messages; with two
    reminders per conversation, the per-conversation limits never bind."""
    return max(0.0, count - burst) / per_second


def report(platform: str, outcome: Outcome) -> None:
    expected = {marker(n) for n in range(outcome.expected)}
    lost = len(expected - set(outcome.delivered))
    duplicated = sum(times - 1 for times in outcome.delivered.values() if times > 1)
    achieved = outcome.expected / outcome.seconds
    bound = outcome.expected / outcome.bound_seconds
    print(f"{platform}: limits enforced by the fake: {outcome.limits}")
    print(
        f"{platform}: {outcome.expected} reminders in {outcome.seconds:.1f} s = "
        f"{achieved:.1f}/s; bound {bound:.1f}/s; fraction of the bound {achieved / bound:.3f}"
    )
    print(
        f"{platform}: lost {lost}, duplicated {duplicated}, 429 answered {outcome.throttled}, "
        f"client pacing waited {outcome.waited:.0f} s in total; peak memory "
        f"{outcome.peak_mb:.0f} MB (VmHWM of Tandem's delivery process, pid {outcome.pid}, "
        "alone: not the fake's nor the other platform's)",
        flush=True,
    )


def run_on_fresh_database(postgres: str | None, platform: str, args: argparse.Namespace) -> Outcome:
    from storage.db import Database
    from storage.migrate import upgrade

    async def migrate(url: str) -> None:
        database = Database(url)
        await upgrade(database)
        await database.dispose()

    with tempfile.TemporaryDirectory() as folder:
        if not postgres:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'fanout.db'}"
            asyncio.run(migrate(url))
            return platform_run(platform, url, args, folder)
        name = f"tandem_fanout_{uuid.uuid4().hex[:8]}"
        asyncio.run(_admin(postgres, f'CREATE DATABASE "{name}"'))
        # The subject is the platforms' limits, not the disk: on a machine shared with other
        # runs, each commit's fsync would otherwise cost more than a message's whole path.
        asyncio.run(_admin(postgres, f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
        try:
            url = make_url(postgres).set(database=name).render_as_string(hide_password=False)
            asyncio.run(migrate(url))
            return platform_run(platform, url, args, folder)
        finally:
            asyncio.run(_admin(postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--conversations", type=int, default=5_000)
    parser.add_argument("--runners", type=int, default=4)
    parser.add_argument("--platform", choices=["slack", "teams", "both"], default="both")
    parser.add_argument("--postgres", default=os.environ.get("TANDEM_TEST_POSTGRES_URL"))
    # The processes this one starts:
    parser.add_argument(
        "--role", default="bench", choices=("bench", "fake-slack", "fake-teams", "tandem")
    )
    parser.add_argument("--port-file", default="")
    parser.add_argument("--database", default="")
    parser.add_argument("--addresses", default="{}")
    parser.add_argument("--people", default="")
    args = parser.parse_args()
    if args.role == "fake-slack":
        asyncio.run(fake_slack_process(args.port_file, args.conversations))
        return
    if args.role == "fake-teams":
        asyncio.run(fake_teams_process(args.port_file))
        return
    if args.role == "tandem":
        addresses = json.loads(args.addresses)
        asyncio.run(tandem_process(args.platform, args.database, addresses, args))
        return
    engine = "postgresql" if args.postgres else "sqlite"
    print(
        f"{args.reminders} reminders, {args.conversations} conversations, "
        f"{args.runners} runners, {engine}",
        flush=True,
    )
    for platform in ("slack", "teams"):
        if args.platform in (platform, "both"):
            report(platform, run_on_fresh_database(args.postgres, platform, args))


if __name__ == "__main__":
    main()
