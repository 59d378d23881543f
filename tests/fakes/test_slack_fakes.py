"""The Slack fakes catch what they must, with slack_sdk and slack_bolt making real HTTP calls."""

from __future__ import annotations

import time
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.signature import Clock, SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_signing import (
    SLACK_EXAMPLE_BODY,
    SLACK_EXAMPLE_SIGNATURE,
    SLACK_EXAMPLE_SIGNING_SECRET,
    SLACK_EXAMPLE_TIMESTAMP,
    event_callback,
    event_request,
    interactivity_request,
    signature,
    slash_command_request,
)
from tests.support.waiting import eventually, within

SECRET = "test-signing-secret"
SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "Bienvenue"}}
MODAL = {
    "type": "modal",
    "callback_id": "profile",
    "title": {"type": "plain_text", "text": "Mon profil"},
    "submit": {"type": "plain_text", "text": "Enregistrer"},
    "blocks": [
        {
            "type": "input",
            "block_id": "skills",
            "label": {"type": "plain_text", "text": "Compétences"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        }
    ],
    "private_metadata": '{"flow": "f1", "step": 1, "version": 3}',
}


class FrozenClock(Clock):
    def __init__(self, now: float) -> None:
        self._now = now

    def now(self) -> float:
        return self._now


def client_for(slack: FakeSlack, **options: Any) -> AsyncWebClient:
    return AsyncWebClient(token=slack.bot_token, base_url=slack.base_url, **options)


def test_slack_published_signature_example_verifies_with_slack_sdk() -> None:
    verifier = SignatureVerifier(
        SLACK_EXAMPLE_SIGNING_SECRET, clock=FrozenClock(float(SLACK_EXAMPLE_TIMESTAMP))
    )
    body = SLACK_EXAMPLE_BODY
    assert signature(SLACK_EXAMPLE_SIGNING_SECRET, body, SLACK_EXAMPLE_TIMESTAMP) == (
        SLACK_EXAMPLE_SIGNATURE
    )
    assert verifier.is_valid(body, SLACK_EXAMPLE_TIMESTAMP, SLACK_EXAMPLE_SIGNATURE)
    tampered = body.replace("roadrunner", "roadrunnex")
    assert not verifier.is_valid(tampered, SLACK_EXAMPLE_TIMESTAMP, SLACK_EXAMPLE_SIGNATURE)


def test_signed_request_helpers_verify_and_age() -> None:
    verifier = SignatureVerifier(SECRET)
    requests = [
        slash_command_request(SECRET, text="help"),
        event_request(SECRET, {"type": "app_mention", "user": "U0ALICE01", "text": "hi"}),
        interactivity_request(SECRET, {"type": "block_actions", "actions": []}),
    ]
    for request in requests:
        assert verifier.is_valid_request(request.body, request.headers)
    recent = slash_command_request(SECRET, text="help", timestamp=int(time.time()) - 290)
    assert verifier.is_valid_request(recent.body, recent.headers)
    stale = slash_command_request(SECRET, text="help", timestamp=int(time.time()) - 301)
    assert not verifier.is_valid_request(stale.body, stale.headers)


async def test_methods_the_bot_uses_answer_plausibly_and_pass_the_spec(
    fake_slack: FakeSlack,
) -> None:
    client = client_for(fake_slack)
    assert (await client.auth_test())["user_id"] == fake_slack.bot_user_id
    posted = await client.chat_postMessage(channel="U0ALICE01", text="Bienvenue", blocks=[SECTION])
    assert posted["channel"].startswith("D") and posted["ts"]
    await client.chat_update(channel=posted["channel"], ts=posted["ts"], text="Déjà répondu")
    await client.chat_postEphemeral(channel="C0GENERAL", user="U0ALICE01", text="Privé")
    await client.chat_delete(channel=posted["channel"], ts=posted["ts"])
    alice = (await client.users_info(user="U0ALICE01", include_locale=True))["user"]
    assert (alice["tz"], alice["locale"], alice["profile"]["email"]) == (
        "Europe/Paris",
        "fr-FR",
        "alice@example.com",
    )
    bob = await client.users_lookupByEmail(email="bob@example.com")
    assert bob["user"]["tz"] == "America/New_York"
    pair = await client.conversations_open(users=["U0ALICE01", "U0BOB0002"])
    assert (await client.conversations_info(channel=pair["channel"]["id"]))["ok"]
    opened = await client.views_open(trigger_id="1.2.abc", view=MODAL)
    view_id = opened["view"]["id"]
    await client.views_update(view_id=view_id, view=MODAL, hash=opened["view"]["hash"])
    await client.views_push(trigger_id="1.2.def", view=MODAL)
    await client.views_publish(user_id="U0ALICE01", view={"type": "home", "blocks": [SECTION]})
    upload = await client.files_upload_v2(
        channel=posted["channel"], content="a,b\n1,2\n", filename="pairs.csv"
    )
    assert fake_slack.uploads[upload["file"]["id"]] == b"a,b\n1,2\n"
    installed = await AsyncWebClient(base_url=fake_slack.base_url).oauth_v2_access(
        client_id="1.2", client_secret="s", code="one-time"
    )
    assert (await AsyncWebClient(installed["access_token"], fake_slack.base_url).auth_test())["ok"]
    assert fake_slack.violations == []
    assert [c.http_method for c in fake_slack.calls_to("views.open")] == ["POST"]


async def test_post_message_without_channel_is_a_violation(fake_slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError):
        await client_for(fake_slack).api_call("chat.postMessage", json={"text": "hi"})
    assert fake_slack.violations == ["chat.postMessage: required argument 'channel' is missing"]


async def test_invalid_block_is_a_violation(fake_slack: FakeSlack) -> None:
    button = {"type": "button", "text": {"type": "plain_text", "text": "x" * 80}, "action_id": "a"}
    with pytest.raises(SlackApiError) as raised:
        await client_for(fake_slack).chat_postMessage(
            channel="C1", text="t", blocks=[{"type": "actions", "elements": [button]}]
        )
    assert raised.value.response["error"] == "invalid_blocks"
    assert "cannot exceed 75 characters" in fake_slack.violations[0]


async def test_too_many_blocks_is_a_violation(fake_slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError):
        await client_for(fake_slack).chat_postMessage(channel="C1", text="t", blocks=[SECTION] * 51)
    assert any("51 blocks" in v for v in fake_slack.violations)


async def test_form_encoded_arguments_are_type_checked(fake_slack: FakeSlack) -> None:
    client = AsyncWebClient(base_url=fake_slack.base_url)
    form = {"token": fake_slack.bot_token, "channel": "C1", "text": "t", "unfurl_links": "maybe"}
    with pytest.raises(SlackApiError):
        await client.api_call("chat.postMessage", data=form)
    assert fake_slack.violations == [
        "chat.postMessage: argument 'unfurl_links' must be a boolean, got 'maybe'"
    ]
    assert fake_slack.calls[0].token == fake_slack.bot_token


async def test_retired_files_upload_is_refused(fake_slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as raised:
        await client_for(fake_slack).api_call(
            "files.upload", data={"channels": "C1", "content": "x"}
        )
    assert raised.value.response["error"] == "method_deprecated"
    assert fake_slack.violations[0].startswith("files.upload is retired")


async def test_overlong_modal_title_is_a_violation(fake_slack: FakeSlack) -> None:
    view = {**MODAL, "title": {"type": "plain_text", "text": "Votre profil de mentorat"[:24] + "!"}}
    with pytest.raises(SlackApiError):
        await client_for(fake_slack).views_open(trigger_id="1.2.abc", view=view)
    assert any("more than 24" in v for v in fake_slack.violations)


async def test_rate_limited_call_gets_through_with_slack_sdk_retry_handler(
    fake_slack: FakeSlack,
) -> None:
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1)
    client = client_for(fake_slack, retry_handlers=[AsyncRateLimitErrorRetryHandler(1)])
    answer = await client.chat_postMessage(channel="C1", text="hello")
    assert answer["ok"]
    assert [c.status for c in fake_slack.calls_to("chat.postMessage")] == [429, 200]


async def test_server_error_is_retried_by_slack_sdk_handler(fake_slack: FakeSlack) -> None:
    fake_slack.fail_next("users.info", status=503, times=1)
    client = client_for(fake_slack, retry_handlers=[AsyncServerErrorRetryHandler(1)])
    assert (await client.users_info(user="U0BOB0002"))["user"]["name"] == "bob"
    assert [c.status for c in fake_slack.calls_to("users.info")] == [503, 200]


async def test_unknown_token_is_refused(fake_slack: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as raised:
        await AsyncWebClient("xoxb-stolen", base_url=fake_slack.base_url).auth_test()
    assert raised.value.response["error"] == "invalid_auth"


async def test_socket_mode_delivers_envelopes_and_collects_acks(fake_slack: FakeSlack) -> None:
    app = AsyncApp(client=client_for(fake_slack))
    mentions: list[str] = []

    @app.command("/tandem")
    async def command(ack: AsyncAck, command: dict[str, Any]) -> None:
        await ack(text=f"aide: {command['text']}")

    @app.event("app_mention")
    async def mention(ack: AsyncAck, event: dict[str, Any]) -> None:
        await ack()
        mentions.append(event["text"])

    handler = AsyncSocketModeHandler(app, fake_slack.app_token)
    await within(handler.connect_async(), "bolt's Socket Mode handler to connect")  # type: ignore[no-untyped-call]
    try:
        await fake_slack.socket.wait_connected()
        slash = {"command": "/tandem", "text": "help", "user_id": "U0ALICE01", "team_id": "T0"}
        ack = await fake_slack.socket.request("slash_commands", slash)
        assert ack["payload"]["text"] == "aide: help"
        event = {"type": "app_mention", "user": "U0ALICE01", "text": "<@U0TANDBOT> hi"}
        event_id = await fake_slack.socket.send("events_api", event_callback(event))
        assert (await fake_slack.socket.wait_ack(event_id))["envelope_id"] == event_id
        await eventually(lambda: bool(mentions), "the app_mention handler to run")
        assert mentions == ["<@U0TANDBOT> hi"]
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
    assert fake_slack.calls_to("apps.connections.open")[0].token == fake_slack.app_token
    assert fake_slack.violations == []
