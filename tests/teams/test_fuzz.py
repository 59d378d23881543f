"""Mutated Teams activities over real HTTP, with and without an app id: never a 5xx.

Issue 10. A few hundred seeded mutations of real activities (types swapped, nulls, fields
missing, a missing or untrusted ``serviceUrl``, huge values, wrong Content-Type, invalid
JSON, forged tokens) are posted to ``/api/messages`` in front of the real conversation core.
None may get a 5xx, none may make the bot call anything but the fake connector (a client
built for another ``serviceUrl``, or any ``requests`` call seen by the recording proxy), and
afterwards ``/healthz`` answers and a plain ``help`` is still answered.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.server import healthz
from dialogs.core.conversation import Conversation, ConversationConfig
from handlers.teams.app import TEAMS_ENDPOINT, mount
from handlers.teams.config import TeamsConfig
from handlers.teams.inbox import TeamsEndpoint
from storage.db import Database
from storage.due_runner import DueHandlers
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.fixtures import FAKE_OUTBOUND_TOKEN
from tests.fakes.openid_issuer import FakeOpenIdIssuer
from tests.support.clock import fixed_clock
from tests.teams.conftest import APP_ID, KEYS_DEADLINE_S, TENANT, activity, authenticated_config
from tests.teams.outbound import RecordingProxy, forged_tokens

SEED = 20261203
CASES = 250
DEADLINE_S = 20.0
JUNK: list[Any] = [
    None, 0, -1, 1e308, True, "", "x" * 5000, [], {}, [None], {"a": None}, "\u0000", "💥",
]  # fmt: skip
UNTRUSTED = [
    "https://evil.example.com/",
    "http://smba.trafficmanager.net/emea/",
    "https://smba.trafficmanager.net.evil.com/",
    "https://user:pw@smba.trafficmanager.net/",
    "javascript:alert(1)",
    "",
]
TYPES = [
    "message", "invoke", "conversationUpdate", "installationUpdate", "messageReaction",
    "event", "typing", "endOfConversation", "", "💥", "x" * 1000,
]  # fmt: skip
INVOKE_NAMES = ["adaptiveCard/action", "task/fetch", "composeExtension/query", "signin/x", ""]
TOP_LEVEL = [
    "type", "id", "serviceUrl", "channelId", "from", "recipient", "conversation",
    "channelData", "text", "value", "name", "entities", "locale", "replyToId",
    "membersAdded", "membersRemoved", "attachments", "timestamp", "textFormat", "action",
]  # fmt: skip
NESTED = [
    ("from", "id"), ("from", "aadObjectId"), ("conversation", "id"),
    ("conversation", "tenantId"), ("conversation", "conversationType"), ("recipient", "id"),
    ("channelData", "tenant"), ("value", "action"), ("value", "action", "data"),
    ("value", "action", "verb"),
]  # fmt: skip
CONTENT_TYPES = ["text/plain", "", "application/x-www-form-urlencoded", "application/jsonx"]


@dataclass
class Case:
    body: bytes
    headers: dict[str, str]
    service_url: Any


def _base(rng: random.Random, service_url: str) -> dict[str, Any]:
    kind = rng.choice(["message", "invoke", "install"])
    if kind == "invoke":
        data = {"ref": rng.choice(["welcome|i|start|1", "x", ""]), "value": "1"}
        return activity(
            service_url,
            type="invoke",
            name="adaptiveCard/action",
            replyToId="1:7",
            value={"action": {"type": "Action.Execute", "verb": "join", "data": data}},
        )
    if kind == "install":
        return activity(
            service_url,
            type="conversationUpdate",
            membersAdded=[{"id": f"28:{APP_ID}"}, {"id": "29:alice", "aadObjectId": "aad"}],
        )
    return activity(service_url, text=rng.choice(["help", "join", "aide", "<at>x</at> help"]))


def _set_path(body: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node: Any = body
    for key in path[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[path[-1]] = value


def _deep(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth):
        value = {"v": value}
    return value


def _mutate(rng: random.Random, body: dict[str, Any]) -> None:
    for _ in range(rng.randint(1, 3)):
        choice = rng.randrange(8)
        if choice == 0:
            body[rng.choice(TOP_LEVEL)] = copy.deepcopy(rng.choice(JUNK))
        elif choice == 1:
            body.pop(rng.choice(TOP_LEVEL), None)
        elif choice == 2:
            _set_path(body, rng.choice(NESTED), copy.deepcopy(rng.choice(JUNK)))
        elif choice == 3:
            body["type"] = rng.choice(TYPES)
            if body["type"] == "invoke":
                body["name"] = rng.choice(INVOKE_NAMES)
        elif choice == 4:
            body["serviceUrl"] = rng.choice([*UNTRUSTED, None, 7])
        elif choice == 5:
            body.pop("serviceUrl", None)
        elif choice == 6:
            field, huge = rng.choice(
                [
                    ("text", "x" * rng.choice([10_000, 300_000, 1_100_000])),
                    ("id", "i" * 20_000),
                    ("entities", [{"type": "mention"}] * 5_000),
                    ("value", _deep(rng.choice([50, 400]))),
                    ("membersAdded", [{"id": f"29:{n}"} for n in range(2_000)]),
                ]
            )
            body[field] = huge
        else:
            body["locale"] = rng.choice(["", "zz", "fr-FR-x-" + "a" * 300, None, 3])


def _encode(rng: random.Random, body: dict[str, Any]) -> bytes:
    raw = json.dumps(body).encode()
    roll = rng.random()
    if roll < 0.85:
        return raw
    return rng.choice(
        [
            raw[: rng.randrange(max(1, len(raw)))],  # truncated
            b"\xff\xfe" + raw,  # not UTF-8
            b"null",
            b"NaN",
            b"",
            b'{"type": "message", "type": 3}',
            raw.replace(b'"', b"'", 3),
        ]
    )


def cases(issuer: FakeOpenIdIssuer, service_url: str, *, with_app_id: bool) -> list[Case]:
    rng = random.Random(SEED + with_app_id)
    made: list[Case] = []
    for _ in range(CASES):
        body = _base(rng, service_url)
        _mutate(rng, body)
        headers = {"Content-Type": "application/json"}
        if rng.random() < 0.1:
            headers["Content-Type"] = rng.choice(CONTENT_TYPES)
        url = body.get("serviceUrl")
        claimed = url if isinstance(url, str) else service_url
        if with_app_id and rng.random() < 0.8:
            headers["Authorization"] = issuer.authorization(app_id=APP_ID, service_url=claimed)
        elif rng.random() < 0.3:
            forged = rng.choice(list(forged_tokens(issuer, APP_ID, claimed).values()))
            headers["Authorization"] = f"Bearer {forged}"
        made.append(Case(_encode(rng, body), headers, url))
    return made


@dataclass
class Served:
    url: str
    endpoint: TeamsEndpoint
    connector: FakeBotConnector
    http: aiohttp.ClientSession


@pytest.fixture(params=["app-id", "no-app-id"])
async def served(
    request: pytest.FixtureRequest,
    database: Database,
    openid_issuer: FakeOpenIdIssuer,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[Served]:
    with_app_id = request.param == "app-id"
    config = (
        authenticated_config(openid_issuer)
        if with_app_id
        else TeamsConfig(listen_host="127.0.0.1", tenant_ids=(TENANT,))
    )
    expected = FAKE_OUTBOUND_TOKEN if with_app_id else None
    async with FakeBotConnector(expected_token=expected) as connector:
        with RecordingProxy() as proxy:
            proxy.install(monkeypatch)
            app = web.Application(client_max_size=2 * 1024 * 1024)
            app.router.add_get("/healthz", healthz)
            core = Conversation(
                database,
                ConversationConfig(default_locale="fr", teams_tenant_ids=(TENANT,)),
                clock=fixed_clock(),
            )
            mount(app, core, database, config, DueHandlers())
            runner = web.AppRunner(app)
            await asyncio.wait_for(runner.setup(), DEADLINE_S)
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await asyncio.wait_for(site.start(), DEADLINE_S)
            endpoint = app[TEAMS_ENDPOINT]
            if endpoint.signing_keys is not None:
                await asyncio.wait_for(endpoint.signing_keys.wait(), KEYS_DEADLINE_S)
            url = f"http://127.0.0.1:{runner.addresses[0][1]}"
            async with aiohttp.ClientSession() as http:
                yield Served(url, endpoint, connector, http)
            await asyncio.wait_for(runner.cleanup(), DEADLINE_S)
            assert proxy.requests == [], "a requests call left the process"


async def _post(served: Served, case: Case) -> int:
    async with served.http.post(
        f"{served.url}/api/messages", data=case.body, headers=case.headers
    ) as response:
        await response.read()
        return response.status


async def test_mutated_activities_get_no_5xx_and_leave_the_server_healthy(
    served: Served, openid_issuer: FakeOpenIdIssuer, caplog: pytest.LogCaptureFixture
) -> None:
    connector_url = served.connector.service_url
    with_app_id = served.endpoint.config.authenticated
    statuses: dict[int, int] = {}
    for number, case in enumerate(cases(openid_issuer, connector_url, with_app_id=with_app_id)):
        status = await asyncio.wait_for(_post(served, case), DEADLINE_S)
        statuses[status] = statuses.get(status, 0) + 1
        assert status < 500, (number, status, case.body[:200], case.headers)
        await asyncio.wait_for(served.endpoint.idle(), DEADLINE_S)
    # The mutations reached the core as well as the checks in front of it.
    assert statuses.get(200, 0) > 20 and statuses.get(400, 0) > 20, statuses

    # Only the fake connector was ever called: no client for a missing or untrusted URL.
    cache = served.endpoint.adapter.bot_framework_authentication.cache
    assert {key[1] for key in cache._clients} <= {connector_url}
    async with served.http.get(f"{served.url}/healthz") as health:
        assert health.status == 200
    before = len(served.connector.calls)
    help_activity = activity(connector_url, text="help", id="f:after-the-fuzz")
    headers = {"Content-Type": "application/json"}
    if with_app_id:
        headers["Authorization"] = openid_issuer.authorization(
            app_id=APP_ID, service_url=connector_url
        )
    case = Case(json.dumps(help_activity).encode(), headers, connector_url)
    assert await asyncio.wait_for(_post(served, case), DEADLINE_S) == 200
    await asyncio.wait_for(served.endpoint.idle(), DEADLINE_S)
    assert len(served.connector.calls) > before
    # Nothing failed after the ack either (such a failure would leave a record to recover).
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert failures == [], [r.getMessage() for r in failures]
