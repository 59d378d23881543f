"""Fan-out: reminders to thousands of conversations through fakes enforcing platform limits.

10,000 reminders (two per person) across 5,000 conversations are queued through the
notifier, then drained by several due runners in this process (as replicas would) through
the real Slack channel (slack_sdk over HTTP) to the fake Slack enforcing 1 message per
second per conversation (bursts of 3) and 50 per second across the workspace, answering
429 with Retry-After beyond; then the same through the real Teams channel (botbuilder's
connector client) to the fake Bot Connector with Teams' limits (7/s and 60 per 30 s per
conversation, 50/s per tenant). Prints the limits enforced, the throughput achieved as a
fraction of the bound those limits allow, lost and duplicated reminders, 429s answered, and
the process's peak memory.

    .venv/bin/python benchmarks/fanout.py [--reminders 10000] [--conversations 5000]
        [--runners 4] [--platform slack|teams|both] [--postgres URL]

PostgreSQL is used when ``--postgres`` or TANDEM_TEST_POSTGRES_URL names a server on which
the user may create a throw-away database; otherwise a SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.due_queue import _admin
from bot.clock import SystemClock
from bot.domain.notifications import Announcement
from dialogs.notify.notifier import Notifier, NotifierConfig
from handlers.slack.channel import SlackChannel
from handlers.slack.config import SlackConfig
from handlers.slack.web_client import web_client
from storage.db import Database
from storage.due_runner import DueHandlers, DueRunner
from storage.migrate import upgrade
from storage.models import Person, PlatformIdentity
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.fixtures import FAKE_OUTBOUND_TOKEN
from tests.fakes.openid_issuer import FakeOpenIdIssuer
from tests.fakes.rate_limits import SlackLimits, TeamsLimits
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_directory import FakeUser
from tests.teams.conftest import TENANT, authenticated_config, start_bot

TEAM = "T0TANDEM1"
ENQUEUE_CHUNK = 500


@dataclass(frozen=True)
class Outcome:
    limits: str
    seconds: float
    bound_seconds: float
    delivered: Counter[str]
    expected: int
    throttled: int
    waited: float


def marker(n: int) -> str:
    return f"reminder {n:05d}"


async def people(database: Database, platform: str, count: int, service_url: str) -> list[str]:
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


def slack_user(n: int) -> str:
    return f"U{n:08d}"


async def enqueue(notifier: Notifier, person_ids: list[str], reminders: int) -> None:
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


async def drain(
    notifier: Notifier, runners: int, delivered: Callable[[], int], expected: int
) -> float:
    handlers = DueHandlers()
    notifier.register(handlers)
    started = time.perf_counter()

    async def run(index: int) -> None:
        runner = DueRunner(notifier.queue, handlers, owner=f"bench-{index}", clock=notifier.clock)
        idle_since = time.perf_counter()
        while delivered() < expected:
            report = await runner.drain()
            if report.done or report.retried:
                idle_since = time.perf_counter()
            elif time.perf_counter() - idle_since > 60:
                return  # nothing left it can claim: lost reminders are counted below
            else:
                await asyncio.sleep(0.05)

    await asyncio.gather(*(run(i) for i in range(runners)))
    return time.perf_counter() - started


async def slack_run(url: str, reminders: int, conversations: int, runners: int) -> Outcome:
    database = Database(url)
    await upgrade(database)
    limits = SlackLimits()
    users = [FakeUser(slack_user(n), f"u{n}", f"p{n}@acme.example") for n in range(conversations)]
    async with FakeSlack(users=users, check_calls=False, limits=limits) as slack:
        client = web_client(SlackConfig("s", api_url=slack.base_url), slack.bot_token)

        async def client_for(team_id: str) -> Any:
            return client

        channel = SlackChannel(client_for)
        clock = SystemClock()
        notifier = Notifier(database, {"slack": channel}, NotifierConfig(), clock=clock)
        person_ids = await people(database, "slack", conversations, "")
        await enqueue(notifier, person_ids, reminders)

        def posted() -> list[str]:
            return [
                str(call.args.get("text"))
                for call in slack.calls
                if call.method == "chat.postMessage" and call.status == 200
            ]

        seconds = await drain(notifier, runners, lambda: slack.limiter.accepted, reminders)
        waited = sum(p.waited for p in (channel.per_conversation, channel.per_workspace) if p)
        outcome = Outcome(
            limits.describe(),
            seconds,
            bound_seconds(reminders, limits.per_workspace.per_second, limits.per_workspace.burst),
            Counter(posted()),
            reminders,
            slack.limiter.refused,
            waited,
        )
    await database.dispose()
    return outcome


async def teams_run(url: str, reminders: int, conversations: int, runners: int) -> Outcome:
    database = Database(url)
    await upgrade(database)
    limits = TeamsLimits()
    with FakeOpenIdIssuer() as issuer:
        connector = FakeBotConnector(
            expected_token=FAKE_OUTBOUND_TOKEN, limits=limits, check_calls=False
        )
        async with connector:
            runner, bot = await start_bot(database, authenticated_config(issuer))
            assert bot.channel is not None
            channel = bot.channel
            clock = SystemClock()
            notifier = Notifier(database, {"teams": channel}, NotifierConfig(), clock=clock)
            person_ids = await people(database, "teams", conversations, connector.service_url)
            await enqueue(notifier, person_ids, reminders)
            seconds = await drain(notifier, runners, lambda: connector.limiter.accepted, reminders)
            sent = [
                str(a.get("summary") or a.get("text"))
                for a in connector.activities
                if a.get("operation") == "send"
            ]
            waited = sum(p.waited for p in (channel.per_conversation, channel.per_tenant) if p)
            outcome = Outcome(
                limits.describe(),
                seconds,
                bound_seconds(reminders, limits.per_tenant.per_second, limits.per_tenant.burst),
                Counter(sent),
                reminders,
                connector.limiter.refused,
                waited,
            )
            await bot.http.close()
            await runner.cleanup()
    await database.dispose()
    return outcome


def bound_seconds(count: int, per_second: float, burst: float) -> float:
    """The least time the workspace (tenant) limit allows for ``count`` messages; with two
    reminders per conversation, the per-conversation limits never bind."""
    return max(0.0, count - burst) / per_second


def report(platform: str, outcome: Outcome) -> None:
    expected = {marker(n) for n in range(outcome.expected)}
    lost = len(expected - set(outcome.delivered))
    duplicated = sum(times - 1 for times in outcome.delivered.values() if times > 1)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    achieved = outcome.expected / outcome.seconds
    bound = outcome.expected / outcome.bound_seconds
    print(f"{platform}: limits enforced by the fake: {outcome.limits}")
    print(
        f"{platform}: {outcome.expected} reminders in {outcome.seconds:.1f} s = "
        f"{achieved:.1f}/s; bound {bound:.1f}/s; fraction of the bound {achieved / bound:.3f}"
    )
    print(
        f"{platform}: lost {lost}, duplicated {duplicated}, 429 answered {outcome.throttled}, "
        f"client pacing waited {outcome.waited:.0f} s in total; peak memory {peak_mb:.0f} MB"
    )


def run_on_fresh_database(
    postgres: str | None, work: Callable[[str], Coroutine[Any, Any, Outcome]]
) -> Outcome:
    if not postgres:
        with tempfile.TemporaryDirectory() as directory:
            return asyncio.run(work(f"sqlite+aiosqlite:///{Path(directory) / 'fanout.db'}"))
    name = f"tandem_fanout_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(postgres, f'CREATE DATABASE "{name}"'))
    # The subject is the platforms' limits, not the disk: on a machine shared with other
    # runs, each commit's fsync would otherwise cost more than a message's whole path.
    asyncio.run(_admin(postgres, f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    try:
        url = make_url(postgres).set(database=name).render_as_string(hide_password=False)
        return asyncio.run(work(url))
    finally:
        asyncio.run(_admin(postgres, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--conversations", type=int, default=5_000)
    parser.add_argument("--runners", type=int, default=4)
    parser.add_argument("--platform", choices=["slack", "teams", "both"], default="both")
    parser.add_argument("--postgres", default=os.environ.get("TANDEM_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    engine = "postgresql" if args.postgres else "sqlite"
    print(
        f"{args.reminders} reminders, {args.conversations} conversations, "
        f"{args.runners} runners, {engine}"
    )
    runs = {"slack": slack_run, "teams": teams_run}
    for platform in ("slack", "teams"):
        if args.platform in (platform, "both"):
            work = runs[platform]

            async def one(url: str, work: Any = work) -> Outcome:
                outcome: Outcome = await work(url, args.reminders, args.conversations, args.runners)
                return outcome

            report(platform, run_on_fresh_database(args.postgres, one))


if __name__ == "__main__":
    main()
