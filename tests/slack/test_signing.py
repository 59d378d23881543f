"""Bad requests get 4xx before bolt parses them, and change nothing."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import Clock, SignatureVerifier

from handlers.slack.config import SlackConfig, SlackConfigError
from handlers.slack.guard import WholeSeconds
from storage.db import Database
from tests.conftest import _migrate
from tests.fakes.slack_signing import (
    FORM,
    JSON,
    SLACK_EXAMPLE_BODY,
    SLACK_EXAMPLE_SIGNATURE,
    SLACK_EXAMPLE_SIGNING_SECRET,
    SLACK_EXAMPLE_TIMESTAMP,
    SignedRequest,
    event_request,
    sign,
    slash_command_request,
)
from tests.slack.conftest import SECRET, SlackServer
from tests.slack.test_end_to_end import count_inbound


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """These requests never reach the core's storage: SQLite alone is enough."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'tandem.db'}"
    asyncio.run(_migrate(url))
    return url


class FrozenClock(Clock):
    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


@pytest.mark.parametrize(("age", "valid"), [(300, True), (301, False), (-300, True), (-301, False)])
def test_window_is_300_seconds_either_way(age: int, valid: bool) -> None:
    now = 1_700_000_000
    request = slash_command_request(SECRET, text="help", timestamp=now - age)
    verifier = SignatureVerifier(SECRET, clock=FrozenClock(now + 0.9))
    verifier_floor = SignatureVerifier(SECRET, clock=WholeSeconds())
    assert verifier_floor.clock.now() == int(verifier_floor.clock.now())
    stamp, signature = (request.headers[h] for h in TIMESTAMP_AND_SIGNATURE)
    assert verifier.is_valid(request.body, stamp, signature) == (valid and age != 300)
    assert (
        SignatureVerifier(SECRET, clock=FrozenClock(now)).is_valid(request.body, stamp, signature)
        == valid
    )


def test_slack_published_example_verifies_and_one_byte_more_does_not() -> None:
    verifier = SignatureVerifier(
        SLACK_EXAMPLE_SIGNING_SECRET, clock=FrozenClock(float(SLACK_EXAMPLE_TIMESTAMP))
    )
    stamp, signature = SLACK_EXAMPLE_TIMESTAMP, SLACK_EXAMPLE_SIGNATURE
    assert verifier.is_valid(SLACK_EXAMPLE_BODY, stamp, signature)
    assert not verifier.is_valid(SLACK_EXAMPLE_BODY[:-1] + "d", stamp, signature)


async def test_stale_and_future_timestamps(server: SlackServer) -> None:
    now = int(time.time())
    for age, status in ((298, 200), (302, 401), (-302, 401)):
        request = slash_command_request(SECRET, text="help", timestamp=now - age)
        assert (await server.post(request)).status == status, age
    await server.settle()
    assert len(server.slack.calls_to("chat.postMessage")) == 1
    assert server.slack.violations == []


async def test_one_changed_byte_is_refused(server: SlackServer, database: Database) -> None:
    request = slash_command_request(SECRET, text="help")
    tampered = SignedRequest(request.body.replace(b"help", b"helq"), request.headers)
    assert (await server.post(tampered)).status == 401
    assert await count_inbound(database) == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Slack-Request-Timestamp": ""},
        {"X-Slack-Signature": ""},
        {"X-Slack-Request-Timestamp": "abc"},
        {"X-Slack-Signature": "abc"},
        {"X-Slack-Request-Timestamp": "１２３"},
    ],
)
async def test_missing_or_malformed_signature_headers(
    server: SlackServer, headers: dict[str, str]
) -> None:
    request = slash_command_request(SECRET, text="help")
    assert (await server.post(request, **headers)).status == 401


async def test_unsigned_ssl_check_never_reaches_a_command(server: SlackServer) -> None:
    body = SLACK_EXAMPLE_BODY.replace("/webhook-collect", "/tandem") + "&ssl_check=1"
    response = await server.http.post(
        server.url + "/slack/events", data=body, headers={"Content-Type": FORM}
    )
    assert response.status == 401
    await server.settle()
    assert server.slack.calls == []


TIMESTAMP_AND_SIGNATURE = ("X-Slack-Request-Timestamp", "X-Slack-Signature")


def signed_json(text: bytes) -> SignedRequest:
    return sign(SECRET, text, content_type=JSON)


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[" * 5000 + b"]" * 5000,
        b'{"type": "event_callback", "a": ' + b'{"b": ' * 100 + b"1" + b"}" * 101,
        b'{"type": "event_callback", "event": null, "event_id": "Ev1", "team_id": "T0TANDEM1"}',
        b'{"type": "event_callback", "event": "x"}',
        b"\xff\xfe\x00 not utf-8",
        b"[]",
        b'{"no": "type"}',
    ],
)
async def test_malformed_signed_json_is_400(
    server: SlackServer, database: Database, body: bytes
) -> None:
    assert (await server.post(signed_json(body))).status == 400
    assert await count_inbound(database) == 0


@pytest.mark.parametrize(
    "body",
    [
        "payload=" + "%5B" * 3000,
        "payload=%7Bbad",
        urlencode({"payload": json.dumps({"no": "type"})}),
        "nothing=here",
    ],
)
async def test_malformed_signed_form_is_400(server: SlackServer, body: str) -> None:
    assert (await server.post(sign(SECRET, body, content_type=FORM))).status == 400


async def test_body_over_one_megabyte_is_413(server: SlackServer) -> None:
    big = event_request(SECRET, {"type": "message", "text": "x" * (1024 * 1024)})
    assert (await server.post(big)).status == 413

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(20):
            yield b"x" * 100_000

    streamed = await server.http.post(
        server.url + "/slack/events", data=chunks(), headers=big.headers
    )
    assert streamed.status == 413


def test_empty_signing_secret_stops_start_up() -> None:
    with pytest.raises(SlackConfigError, match="SLACK_SIGNING_SECRET"):
        SlackConfig(signing_secret="  ", bot_token="xoxb-1").check()
    with pytest.raises(SlackConfigError, match="SLACK_BOT_TOKEN"):
        SlackConfig(signing_secret="s").check()
