"""Sign requests the way Slack does, and build signed slash-command, event and interactivity bodies.

Slack signs ``v0:{timestamp}:{body}`` with HMAC-SHA256 and the app's signing secret and sends
the result in ``X-Slack-Signature`` with the timestamp in ``X-Slack-Request-Timestamp``
(https://docs.slack.dev/authentication/verifying-requests-from-slack).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

# Slack's published example (the page above): this body, secret and timestamp give this signature.
SLACK_EXAMPLE_SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SLACK_EXAMPLE_TIMESTAMP = "1531420618"
SLACK_EXAMPLE_BODY = (
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
    "&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
    "&command=%2Fwebhook-collect&text="
    "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
SLACK_EXAMPLE_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


@dataclass(frozen=True)
class SignedRequest:
    """A body and the headers Slack would send with it."""

    body: bytes
    headers: dict[str, str]


def signature(signing_secret: str, body: bytes | str, timestamp: int | str) -> str:
    """``v0=`` + hex HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    base = b"v0:" + str(timestamp).encode("ascii") + b":" + raw
    digest = hmac.new(signing_secret.encode("utf-8"), base, hashlib.sha256).hexdigest()
    return f"v0={digest}"


def sign(
    signing_secret: str,
    body: bytes | str,
    *,
    content_type: str,
    timestamp: int | str | None = None,
) -> SignedRequest:
    """Sign ``body``; ``timestamp`` defaults to now (pass an old one to test staleness)."""
    raw = body.encode("utf-8") if isinstance(body, str) else body
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    headers = {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature(signing_secret, raw, stamp),
    }
    return SignedRequest(raw, headers)


def slash_command_request(
    signing_secret: str,
    *,
    text: str = "",
    command: str = "/tandem",
    user_id: str = "U0ALICE01",
    team_id: str = "T0TANDEM1",
    channel_id: str = "D0ALICE01",
    timestamp: int | str | None = None,
    **extra: str,
) -> SignedRequest:
    """A signed slash command, form-encoded as Slack sends it."""
    fields = {
        "token": "deprecated-verification-token",
        "team_id": team_id,
        "team_domain": "tandem-test",
        "channel_id": channel_id,
        "channel_name": "directmessage",
        "user_id": user_id,
        "user_name": user_id.lower(),
        "command": command,
        "text": text,
        "api_app_id": "A0TANDEM1",
        "response_url": f"https://hooks.slack.com/commands/{team_id}/1/{uuid.uuid4().hex}",
        "trigger_id": new_trigger_id(),
        **extra,
    }
    return sign(signing_secret, urlencode(fields), content_type=FORM, timestamp=timestamp)


def event_request(
    signing_secret: str,
    event: dict[str, Any],
    *,
    team_id: str = "T0TANDEM1",
    api_app_id: str = "A0TANDEM1",
    event_id: str | None = None,
    timestamp: int | str | None = None,
) -> SignedRequest:
    """A signed Events API ``event_callback`` wrapping ``event``, as JSON."""
    envelope = event_callback(event, team_id=team_id, api_app_id=api_app_id, event_id=event_id)
    return sign(signing_secret, json.dumps(envelope), content_type=JSON, timestamp=timestamp)


def event_callback(
    event: dict[str, Any],
    *,
    team_id: str = "T0TANDEM1",
    api_app_id: str = "A0TANDEM1",
    event_id: str | None = None,
) -> dict[str, Any]:
    """The ``event_callback`` envelope (also the Socket Mode ``events_api`` payload)."""
    now = int(time.time())
    return {
        "token": "deprecated-verification-token",
        "team_id": team_id,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": now,
        "authorizations": [
            {"team_id": team_id, "user_id": "U0TANDBOT", "is_bot": True, "enterprise_id": None}
        ],
        "is_ext_shared_channel": False,
        "event_context": uuid.uuid4().hex,
    }


def interactivity_request(
    signing_secret: str, payload: dict[str, Any], *, timestamp: int | str | None = None
) -> SignedRequest:
    """A signed interaction (``block_actions``, ``view_submission``…): ``payload=`` + JSON."""
    body = "payload=" + quote(json.dumps(payload))
    return sign(signing_secret, body, content_type=FORM, timestamp=timestamp)


def new_trigger_id() -> str:
    """A value shaped like Slack's trigger ids."""
    return f"{int(time.time())}.{uuid.uuid4().int % 10**11}.{uuid.uuid4().hex}"
