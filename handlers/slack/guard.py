"""An aiohttp middleware that turns bad Slack requests away before slack-bolt sees them.

slack-bolt 1.30 parses the body before checking the signature, so malformed JSON, invalid
UTF-8, ``"event": null`` or a timestamp like ``abc`` end in HTTP 500. Here: a size limit
read in chunks (413), the timestamp and signature through slack_sdk's ``SignatureVerifier``
(401), a well-formed body of the shape bolt and Tandem read (400, see ``payload_shape``).
The checked text is left on the request for the route.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from slack_sdk.signature import Clock, SignatureVerifier

from handlers.slack import payload_shape

MAX_BODY = 1024 * 1024
MAX_DEPTH = 32
BODY_KEY = web.RequestKey("tandem_slack_body", str)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class BadRequest(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


async def read_limited(request: web.Request, limit: int = MAX_BODY) -> bytes:
    if request.content_length is not None and request.content_length > limit:
        raise BadRequest(413, "body too large")
    body = bytearray()
    async for chunk in request.content.iter_chunked(64 * 1024):
        body += chunk
        if len(body) > limit:
            raise BadRequest(413, "body too large")
    return bytes(body)


def _depth(value: Any) -> int:
    """Nesting depth, without recursion (a hostile body must not exhaust the stack)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth > MAX_DEPTH:
            return depth
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def _json_object(text: str) -> dict[str, Any]:
    if text.count("[") + text.count("{") > 0 and _bracket_depth(text) > MAX_DEPTH:
        raise BadRequest(400, "JSON nested too deeply")
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise BadRequest(400, "malformed JSON") from error
    if not isinstance(value, dict) or _depth(value) > MAX_DEPTH:
        raise BadRequest(400, "not a JSON object of reasonable depth")
    return value


_BRACKET = re.compile(r"[\[\]{}]")


def _bracket_depth(text: str) -> int:
    # A cheap upper bound before json.loads: counts brackets, strings included. Only the
    # brackets are visited (a loop over every character cost 10-30 us per request).
    depth = deepest = 0
    for match in _BRACKET.finditer(text):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def _shape(body: dict[str, Any], *, form: bool = False) -> None:
    reason = payload_shape.problem(body, form=form)
    if reason is not None:
        raise BadRequest(400, f"unexpected payload shape ({reason})")


def check_body(text: str, content_type: str) -> None:
    """Raise BadRequest(400) unless the body is a well-formed Slack payload.

    The body is read the way bolt's ``parse_body`` will read it (JSON when the type says so
    or the text starts with ``{``; the last ``payload`` field of a form), so what is checked
    here is what bolt gets."""
    if content_type == "application/json" or text.startswith("{"):
        envelope = _json_object(text)
        kind = envelope.get("type")
        if not isinstance(kind, str):
            raise BadRequest(400, "no payload type")
        if kind == "event_callback" and not isinstance(envelope.get("event"), dict):
            raise BadRequest(400, "event_callback without an event")
        _shape(envelope)
        return
    pairs = parse_qsl(text, keep_blank_values=True)
    fields = dict(pairs)
    if "payload" in fields:
        payload = _json_object(fields["payload"])
        if not isinstance(payload.get("type"), str):
            raise BadRequest(400, "no payload type")
        _shape(payload)
    elif "command" in fields:
        # bolt keeps the last of repeated fields: two user ids would be two answers to "who".
        names = [name for name, _ in pairs]
        if len(names) != len(set(names)):
            raise BadRequest(400, "a repeated form field")
        _shape(fields, form=True)
    elif "ssl_check" not in fields:
        raise BadRequest(400, "not a Slack request")


def verify(verifier: SignatureVerifier, request: web.Request, body: bytes) -> str:
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    signature = request.headers.get("X-Slack-Signature", "")
    if not timestamp.isascii() or not timestamp.isdigit() or not signature:
        raise BadRequest(401, "missing or malformed signature headers")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(400, "body is not UTF-8") from error
    if not verifier.is_valid(text, timestamp, signature):
        raise BadRequest(401, "bad or stale signature")
    return text


class WholeSeconds(Clock):
    """Slack's rule is in whole seconds: a request 300 s old is still on time."""

    def now(self) -> float:
        return float(int(time.time()))


def slack_guard(
    signing_secret: str, path: str = "/slack/events", clock: Clock | None = None
) -> Any:
    """The middleware, guarding ``POST path`` only."""
    verifier = SignatureVerifier(signing_secret, clock=clock or WholeSeconds())

    @web.middleware
    async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path != path or request.method != "POST":
            return await handler(request)
        try:
            body = await read_limited(request)
            text = verify(verifier, request, body)
            check_body(text, request.content_type)
        except BadRequest as error:
            return web.Response(status=error.status, text=error.reason)
        request[BODY_KEY] = text
        return await handler(request)

    return guard
