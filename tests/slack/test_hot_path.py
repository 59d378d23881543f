"""The hot path stays durable: acked work survives ``kill -9``, retries answer once, and a
person's events are answered in the order they came (``handlers.intake``, ``handlers.lanes``).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select, update

from handlers.slack.listeners import views
from storage.db import Database
from storage.models import DueAction, InboundEvent
from storage.types import utcnow
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_signing import (
    event_request,
    interactivity_request,
    new_trigger_id,
    slash_command_request,
)
from tests.slack.conftest import SECRET, TEAM, SlackServer, start_server
from tests.support.waiting import eventually, within

ROOT = Path(__file__).resolve().parents[2]
ALICE = "U0ALICE01"
ALICE_DM = "D0ALICE01"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def tandem_serve(database_url: str, api_url: str, port: int) -> subprocess.Popen[bytes]:
    """``tandem serve`` in a process of its own, reaching Slack at ``api_url``."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TANDEM_DATABASE_URL": database_url,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": "xoxb-fake-bot-token",
        "SLACK_API_URL": api_url,
        "TANDEM_SLACK_TEAM_IDS": TEAM,
        "TANDEM_SECRET_KEY": "hot-path-test-secret-key-hot-path-test",
        "TANDEM_CONSOLE": "false",
    }
    command = [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


async def until_healthy(http: aiohttp.ClientSession, port: int) -> None:
    async def poll() -> None:
        while True:
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as answer:
                    if answer.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)

    await within(poll(), "tandem serve to start", timeout=60)


@pytest.fixture
async def silent_slack() -> AsyncIterator[str]:
    """A Slack Web API that checks the token (bolt's authorization) and then takes calls
    without ever answering them: whoever calls it waits."""
    never = asyncio.Event()

    async def hang(request: web.Request) -> web.Response:
        if request.match_info["method"] == "auth.test":
            return web.json_response(
                {"ok": True, "team_id": TEAM, "user_id": "U0TANDBOT", "bot_id": "B0TANDBOT"}
            )
        await never.wait()
        return web.json_response({"ok": False})

    app = web.Application()
    app.router.add_route("*", "/api/{method}", hang)
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}/api/"
    never.set()
    await runner.cleanup()


@pytest.mark.timeout(180)
async def test_an_acked_command_whose_process_is_killed_is_answered_by_another_process(
    database_url: str, database: Database, fake_slack: FakeSlack, silent_slack: str
) -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
        first_port = free_port()
        # The first process's Slack never answers: it acks, then waits for ``users.info``.
        first = tandem_serve(database_url, silent_slack, first_port)
        try:
            await until_healthy(http, first_port)
            request = slash_command_request(SECRET, text="help", user_id=ALICE)
            async with http.post(
                f"http://127.0.0.1:{first_port}/slack/events",
                data=request.body,
                headers=request.headers,
            ) as ack:
                assert ack.status == 200
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait(30)
        assert fake_slack.calls_to("chat.postMessage") == []
        # Two minutes pass: the recorded interaction's recovery falls due.
        async with database.unit_of_work() as session:
            await session.execute(update(DueAction).values(due_at=utcnow()))
        second_port = free_port()
        second = tandem_serve(database_url, fake_slack.base_url, second_port)
        try:
            await until_healthy(http, second_port)
            await eventually(
                lambda: bool(fake_slack.calls_to("chat.postMessage")),
                "the other process to answer the command",
                timeout=60,
            )
        finally:
            second.terminate()
            second.wait(30)
    answers = fake_slack.calls_to("chat.postMessage")
    assert len(answers) == 1
    assert answers[0].args["channel"] == ALICE_DM
    async with database.sessions() as session:
        statuses = (await session.scalars(select(InboundEvent.status))).all()
    assert statuses == ["processed"]


def direct_message(text: str, *, ts: str) -> dict[str, object]:
    return {
        "type": "message",
        "channel_type": "im",
        "channel": ALICE_DM,
        "user": ALICE,
        "text": text,
        "ts": ts,
        "event_ts": ts,
    }


async def test_slacks_retries_of_an_event_are_answered_once(
    server: SlackServer, fake_slack: FakeSlack
) -> None:
    request = event_request(SECRET, direct_message("help", ts="1700000000.000100"))
    acks = await asyncio.gather(
        server.post(request),
        *(
            server.post(request, **{"X-Slack-Retry-Num": str(n), "X-Slack-Retry-Reason": "x"})
            for n in (1, 2, 3)
        ),
    )
    assert [ack.status for ack in acks] == [200, 200, 200, 200]
    await server.settle()
    assert len(fake_slack.calls_to("chat.postMessage")) == 1


class SlowFirstAnswer(FakeSlack):
    """The fake Slack, slow to answer its first ``users.info``: the first event's handling
    takes longest, so nothing but ordering keeps the later ones from overtaking it."""

    def __init__(self) -> None:
        super().__init__()
        self.slowed = False

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["method"] == "users.info" and not self.slowed:
            self.slowed = True
            await asyncio.sleep(0.5)
        return await super()._handle(request)


async def test_a_persons_messages_are_answered_in_the_order_they_came(
    database: Database,
) -> None:
    words = [f"zork{n:02d}" for n in range(12)]  # none is a part of another
    async with SlowFirstAnswer() as slack:
        async for server in start_server(database, slack):
            for n, word in enumerate(words):  # each acked before the next: they came in order
                request = event_request(SECRET, direct_message(word, ts=f"1700000000.{n:06d}"))
                assert (await server.post(request)).status == 200
            await server.settle()
    answers = [json.dumps(call.args["blocks"]) for call in slack.calls_to("chat.postMessage")]
    # Each is "unknown command" naming the word it answers.
    assert [[w for w in words if w in answer] for answer in answers] == [[w] for w in words]


class SlowProfiles(FakeSlack):
    """The fake Slack, answering ``users.info`` after Slack's ack deadline would be near."""

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["method"] == "users.info":
            await asyncio.sleep(views.ACK_BUDGET_S + 0.5)
        return await super()._handle(request)


async def test_a_submission_not_answered_in_time_is_acked_and_answered_by_message(
    database: Database,
) -> None:
    payload = {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": ALICE, "team_id": TEAM},
        "api_app_id": "A0TANDEM1",
        "trigger_id": new_trigger_id(),
        "view": {
            "id": "V0SLOW01",
            "type": "modal",
            "callback_id": "tandem.form",
            "private_metadata": "language|999999|choose|1",  # a form answered long ago
            "state": {"values": {}},
            "hash": "1700000000.slow",
        },
    }
    async with SlowProfiles() as slack:
        async for server in start_server(database, slack):
            ack = await server.post(interactivity_request(SECRET, payload))
            assert ack.status == 200
            assert (await ack.read()) == b""  # the modal closes: no answer inside the ack
            await server.settle()
    posted = [
        json.dumps(call.args["blocks"], ensure_ascii=False)
        for call in slack.calls_to("chat.postMessage")
    ]
    assert len(posted) == 1 and "rien n’a été modifié" in posted[0]
