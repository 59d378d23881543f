"""From the second Accept to the introduction on both platforms, with and without wake-ups.

    .venv/bin/python benchmarks/proactive.py [--pairs 20] [--baseline-pairs 8]
        [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/postgres]

Tandem runs in processes of its own (the application ``tandem serve`` runs, with its due
runner); this process holds the fake Slack and the fake Bot Connector and plays the people.
For each pair, the mentee (Teams) accepts first, then the mentor (Slack) clicks *Accept* in
a signed interaction through the real endpoint: the time from that click until the
introduction has reached both the fake Slack and the fake connector. Printed as p50/p99 on
SQLite, on PostgreSQL, and with two replicas on PostgreSQL (once with both draining, once
with the replica that took the click not draining at all, so that the other one, woken by
NOTIFY, must send), each against the old behaviour in the same run: the 5-second poll alone.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg
from sqlalchemy import select
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from storage.db import Database
from storage.migrate import upgrade
from storage.models import CareerStage, Enrollment, Person, Program
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_api import FakeSlack, SlackCall
from tests.fakes.slack_directory import FakeUser
from tests.fakes.slack_signing import interactivity_request, slash_command_request
from tests.slack.test_cards import click_on
from tests.support.waiting import eventually
from tests.teams.cards import buttons, card_of, click, texts
from tests.teams.conftest import TENANT, activity

SECRET = "proactive-benchmark-signing-secret"
INTRO = "Meet your reverse-mentoring partner"
PROPOSAL = "A reverse-mentoring partner for you"
RH = FakeUser("U0RH00001", "rh", "rh@acme.example", "Europe/Paris", "fr-FR", "Rose Hamel")
DEADLINE_S = 60.0
VERBOSE = "--verbose" in sys.argv  # each pair's two latencies
LOG_PATH = os.environ.get("TANDEM_BENCH_LOG", os.devnull)  # where the replicas' warnings go


def mentor(i: int) -> FakeUser:
    return FakeUser(f"U0MEN{i:04d}", f"mentor{i}", f"mentor{i}@acme.example", "Europe/London",
                    "en-US", f"Mentor{i:02d} Young")  # fmt: skip


def mentee(i: int) -> str:
    return f"mentee{i}@acme.example"


# -- the server processes ------------------------------------------------------------------------
def serve(config: dict[str, Any]) -> None:
    """One Tandem replica (the child process): `tandem serve`'s application on a free port."""
    from aiohttp import web

    from bot.clock import SystemClock
    from bot.observability import configure_logging
    from bot.server import Runtime, create_app
    from bot.settings import load_settings

    configure_logging(json=True, level=int(os.environ.get("TANDEM_BENCH_LOG_LEVEL", "30")))

    async def main() -> None:
        settings = load_settings(
            database_url=config["url"], slack_bot_token="xoxb-fake-bot-token",
            slack_signing_secret=SECRET, slack_api_url=config["slack"],
            slack_team_ids=["T0TANDEM1"], teams_tenant_ids=[TENANT],
            admins=[RH.email], quiet_hours_text="off",
        )  # fmt: skip
        runtime = Runtime(
            settings=settings, database=Database(settings.database_url), mode="serve",
            clock=SystemClock(), wake=config["wake"],
        )  # fmt: skip
        runner = web.AppRunner(create_app(runtime, clock=config["drain"]), handle_signals=True)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        print(f"READY {runner.addresses[0][1]}", flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until closed
        await runner.cleanup()

    asyncio.run(main())


@dataclass
class Replica:
    process: subprocess.Popen[str]
    url: str


@contextlib.contextmanager
def replicas(url: str, slack: str, wake: bool, drains: list[bool]) -> Iterator[list[Replica]]:
    started: list[Replica] = []
    log = open(LOG_PATH, "a")  # noqa: SIM115 (the replicas write to it until they stop)
    try:
        for drain in drains:
            config = json.dumps({"url": url, "slack": slack, "wake": wake, "drain": drain})
            process = subprocess.Popen(
                [sys.executable, __file__, "--serve", config], stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=log, text=True,
            )  # fmt: skip
            assert process.stdout is not None
            line = process.stdout.readline()
            if not line.startswith("READY "):
                raise RuntimeError(f"a replica did not start: {line!r}")
            started.append(Replica(process, f"http://127.0.0.1:{line.split()[1]}"))
        yield started
    finally:
        for replica in started:
            assert replica.process.stdin is not None
            replica.process.stdin.close()
        for replica in started:
            try:
                replica.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                replica.process.kill()
        log.close()


# -- the databases ---------------------------------------------------------------------------------
@contextlib.asynccontextmanager
async def fresh_database(postgres: str | None) -> AsyncIterator[str]:
    if postgres is None:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite+aiosqlite:///{folder}/bench.db"
            await prepare(url)
            yield url
        return
    admin = make_url(postgres)
    name = f"tandem_proactive_{uuid.uuid4().hex[:8]}"
    dsn = admin.set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
        url = admin.set(database=name).render_as_string(hide_password=False)
        await prepare(url)
        yield url
    finally:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.close()


async def prepare(url: str) -> None:
    database = Database(url)
    try:
        await upgrade(database)
    finally:
        await database.dispose()


async def seed(url: str, pairs: int) -> None:
    """The HRIS import and the enrollments: ``pairs`` young mentors and as many leaders."""
    database = Database(url)
    try:
        async with database.unit_of_work() as session:
            stages = {s.key: s.id for s in (await session.scalars(select(CareerStage))).all()}
            program = Program(slug="rm-bench", name="Mentorat inversé", timezone="Europe/Paris",
                              starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31),
                              status="open")  # fmt: skip
            session.add(program)
            session.add(Person(email=RH.email, first_name="Rose", last_name="Hamel"))
            people: list[tuple[Person, str]] = []
            for i in range(pairs):
                people.append((Person(email=mentor(i).email, first_name=f"Mentor{i:02d}",
                                      last_name="Young", department="Marketing",
                                      career_stage_id=stages["junior"]), "mentor"))  # fmt: skip
                people.append((Person(email=mentee(i), first_name=f"Leader{i:02d}",
                                      last_name="Senior", department="Finance",
                                      career_stage_id=stages["director"], title="CFO"),
                               "mentee"))  # fmt: skip
            session.add_all(p for p, _ in people)
            await session.flush()
            for person, role in people:
                session.add(
                    Enrollment(
                        program_id=program.id, person_id=person.id, role=role, status="active",
                        skills_offered=[{"skill": "seo", "level": 4}] if role == "mentor" else [],
                        skills_wanted=[{"skill": "seo", "level": 1}] if role == "mentee" else [],
                        languages=["fr", "en"], capacity=1, goals="Lead our digital shift",
                    )
                )  # fmt: skip
    finally:
        await database.dispose()


# -- the people ----------------------------------------------------------------------------------
class People:
    """Everyone's clients: Slack through signed requests, Teams through activities."""

    def __init__(self, http: aiohttp.ClientSession, slack: FakeSlack, connector: FakeBotConnector):
        self.http, self.slack, self.connector = http, slack, connector

    async def slack_post(self, url: str, signed: Any) -> None:
        async with self.http.post(
            f"{url}/slack/events", data=signed.body, headers=signed.headers
        ) as response:
            assert response.status == 200, response.status

    async def command(self, url: str, user: FakeUser, words: str) -> None:
        await self.slack_post(url, slash_command_request(
            SECRET, text=words, user_id=user.id, team_id=self.slack.team_id,
            channel_id=f"D{user.id[1:]}"))  # fmt: skip

    def teams_activity(self, i: int, **fields: Any) -> dict[str, Any]:
        member = f"29:leader{i}"
        return activity(
            self.connector.service_url, locale="en-US",
            conversation={"id": f"a:leader{i}", "conversationType": "personal",
                          "tenantId": TENANT},
            **{"from": {"id": member, "name": f"Leader{i:02d} Senior",
                        "aadObjectId": f"aad-leader{i}"}},
            **fields,
        )  # fmt: skip

    async def teams(self, url: str, body: dict[str, Any]) -> Any:
        async with self.http.post(f"{url}/api/messages", json=body) as response:
            assert response.status in (200, 201, 202), await response.text()
            answer = await response.text()
        return json.loads(answer) if answer else None

    def posted_to(self, user: FakeUser, words: str, since: int = 0) -> list[SlackCall]:
        """Messages posted to ``user`` containing ``words`` (among calls from ``since`` on:
        the timed waits look at new calls only, so that they cost the fakes nothing)."""
        return [
            c for c in self.slack.calls[since:]
            if c.method == "chat.postMessage" and c.answer is not None
            and str(c.answer["channel"]).endswith(user.id[1:])
            and words in json.dumps(c.args, ensure_ascii=False)
        ]  # fmt: skip

    def cards(self, i: int, words: str, since: int = 0) -> list[dict[str, Any]]:
        return [
            card_of(a) for a in self.connector.activities[since:]
            if a.get("conversation_id") == f"a:leader{i}"
            and a.get("attachments") and words in texts(card_of(a))
        ]  # fmt: skip


async def until(
    condition: Callable[[], object], what: str, timeout: float = DEADLINE_S, step: float = 0.002
) -> float:
    """When ``condition`` held (perf_counter), polled every ``step``; fails naming ``what``."""
    await eventually(lambda: bool(condition()), what, timeout, step)
    return time.perf_counter()


async def proposals_out(people: People, url: str, pairs: int) -> dict[int, int]:
    """Everyone talks to Tandem once, the admin matches and sends: mentee -> mentor index."""
    for i in range(pairs):
        people.connector.members[f"29:leader{i}"] = {
            "id": f"29:leader{i}", "name": f"Leader{i:02d} Senior", "aadObjectId": f"aad-leader{i}",
            "email": mentee(i), "userPrincipalName": mentee(i),
        }  # fmt: skip
    for user in [RH, *(mentor(i) for i in range(pairs))]:
        await people.command(url, user, "help")
    for i in range(pairs):
        await people.teams(url, people.teams_activity(i, text="help"))
    await until(
        lambda: (
            all(people.posted_to(user, "") for user in [RH, *map(mentor, range(pairs))])
            and all(people.connector.sent_to(f"a:leader{i}") for i in range(pairs))
        ),
        "everyone's help answer",
    )
    await people.command(url, RH, "admin match")
    await until(lambda: people.posted_to(RH, "Simulation"), "the dry run")
    report = people.posted_to(RH, "Simulation")[-1]
    assert report.answer is not None
    shown = people.slack.messages[(str(report.answer["channel"]), str(report.answer["ts"]))]
    label = next(
        e["text"]["text"] for b in shown["blocks"] if b["type"] == "actions"
        for e in b["elements"] if e["text"]["text"].startswith("Envoyer")
    )  # fmt: skip
    send = click_on(people.slack, RH.id, report, label)
    await people.slack_post(url, interactivity_request(SECRET, send))
    await until(
        lambda: all(people.cards(i, PROPOSAL) for i in range(pairs))
        and all(people.posted_to(mentor(i), PROPOSAL) for i in range(pairs)),
        "every proposal card", timeout=120, step=0.05,
    )  # fmt: skip
    partner: dict[int, int] = {}
    for i in range(pairs):
        card_text = texts(people.cards(i, PROPOSAL)[0])
        partner[i] = next(m for m in range(pairs) if f"Mentor{m:02d} Young" in card_text)
    return partner


async def accept_all(
    people: People, urls: list[str], pairs: int, partner: dict[int, int]
) -> list[float]:
    """For each pair: the mentee accepts in Teams, then the mentor in Slack (timed)."""
    latencies = []
    for i in range(pairs):
        url = urls[0]  # the replica that takes the clicks
        m = partner[i]
        card = people.cards(i, PROPOSAL)[0]
        [accept] = [b for b in buttons(card) if b["title"] == "Accept"]
        body = click(people.connector.service_url, accept)
        fields = {k: body[k] for k in ("type", "name", "value", "replyToId")}
        answer = await people.teams(url, {**people.teams_activity(i), **fields})
        assert answer["statusCode"] == 200, answer
        [posted] = people.posted_to(mentor(m), PROPOSAL)[:1]
        signed = interactivity_request(
            SECRET, click_on(people.slack, mentor(m).id, posted, "Accept")
        )
        calls, activities = len(people.slack.calls), len(people.connector.activities)
        started = time.perf_counter()
        await people.slack_post(url, signed)
        arrived = await asyncio.gather(
            until(partial(people.posted_to, mentor(m), INTRO, calls), f"pair {i}'s intro (Slack)"),
            until(partial(people.cards, i, INTRO, activities), f"pair {i}'s intro (Teams)"),
        )
        latencies.append(max(arrived) - started)
        if VERBOSE:
            slack_ms, teams_ms = ((t - started) * 1000 for t in arrived)
            print(f"  pair {i:2}: Slack {slack_ms:6.0f} ms, Teams {teams_ms:6.0f} ms", flush=True)
    return latencies


async def measure(postgres: str | None, drains: list[bool], wake: bool, pairs: int) -> list[float]:
    users = (RH, *(mentor(i) for i in range(pairs)))
    async with (
        fresh_database(postgres) as url,
        FakeSlack(users=users) as slack,
        FakeBotConnector() as connector,
        aiohttp.ClientSession() as http,
    ):
        await seed(url, pairs)
        people = People(http, slack, connector)
        with replicas(url, slack.base_url, wake, drains) as started:
            urls = [r.url for r in started]
            partner = await proposals_out(people, urls[0], pairs)
            return await accept_all(people, urls, pairs, partner)


def quantiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99


async def main(args: argparse.Namespace) -> None:
    setups: list[tuple[str, str | None, list[bool]]] = [("SQLite, 1 process", None, [True])]
    if args.postgres:
        setups += [
            ("PostgreSQL, 1 process", args.postgres, [True]),
            ("PostgreSQL, 2 replicas, both draining", args.postgres, [True, True]),
            ("PostgreSQL, 2 replicas, the other one sends", args.postgres, [False, True]),
        ]
    print(f"second Accept -> introduction on Slack and Teams ({args.pairs} pairs; "
          f"baseline {args.baseline_pairs} pairs)")  # fmt: skip
    heads = ("wake-up p50", "p99", "5-s poll p50", "p99", "p99 ratio")
    print(f"{'setup':48} {heads[0]:>12} {heads[1]:>8} {heads[2]:>13} {heads[3]:>8} {heads[4]:>9}")
    for name, postgres, drains in setups:
        if args.only and args.only not in name:
            continue
        woken = await measure(postgres, drains, True, args.pairs)
        polled = await measure(postgres, drains, False, args.baseline_pairs)
        (w50, w99), (p50, p99) = quantiles(woken), quantiles(polled)
        print(f"{name:48} {w50 * 1000:10.0f}ms {w99 * 1000:6.0f}ms {p50 * 1000:11.0f}ms "
              f"{p99 * 1000:6.0f}ms {p99 / w99:8.1f}x", flush=True)  # fmt: skip


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve":
        serve(json.loads(sys.argv[2]))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--baseline-pairs", type=int, default=8)
    parser.add_argument("--postgres", default=os.environ.get("TANDEM_TEST_POSTGRES_URL"))
    parser.add_argument("--verbose", action="store_true", help="print each pair's latencies")
    parser.add_argument("--only", help="run only the setups whose name contains this")
    asyncio.run(main(parser.parse_args()))
