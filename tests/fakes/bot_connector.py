"""A fake Bot Framework connector (the service behind a Teams ``serviceUrl``) on 127.0.0.1.

It implements the v3 operations a bot uses (send, reply, update, delete, create
conversation, get one member from ``members``), records every call, checks activities against the connector's Swagger
definitions (``tests/specs/teams/ConnectorAPI.json``), every Adaptive Card against the 1.5
schema and the ~40 KB message limit, and answers 429/412/5xx on demand.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Self

import jsonschema
from aiohttp import web
from jsonschema.exceptions import best_match

from tests.fakes.adaptive_cards import MAX_MESSAGE_BYTES, check_activity_cards
from tests.fakes.rate_limits import Limiter, TeamsLimits, retry_after
from tests.fakes.specs import specs_dir

ACTIVITY_OPERATIONS = {"send", "reply", "update"}


@cache
def _connector_validator(definition: str) -> jsonschema.protocols.Validator:
    with (specs_dir() / "teams" / "ConnectorAPI.json").open(encoding="utf-8") as swagger:
        definitions = json.load(swagger)["definitions"]
    schema = {"$ref": f"#/definitions/{definition}", "definitions": definitions}
    return jsonschema.Draft4Validator(schema)


def check_against_connector_api(body: Any, definition: str) -> list[str]:
    """Problems of a request body against one definition of the connector's Swagger."""
    errors = list(_connector_validator(definition).iter_errors(body))
    if not errors:
        return []
    error = best_match(errors)
    path = "/".join(str(part) for part in error.absolute_path) or "(root)"
    return [f"{definition} at {path}: {error.message}"]


@dataclass
class ConnectorCall:
    """One request: ``operation`` is send, reply, update, delete, create_conversation or
    get_member."""

    operation: str
    conversation_id: str | None
    activity_id: str | None
    body: Any
    authorization: str | None
    violations: list[str] = field(default_factory=list)
    status: int = 200


@dataclass
class _Failure:
    status: int
    retry_after: int | None
    remaining: int


class FakeBotConnector:
    """``async with FakeBotConnector() as connector:`` then use ``connector.service_url``."""

    def __init__(
        self,
        *,
        expected_token: str | None = None,
        limits: TeamsLimits | None = None,
        check_calls: bool = True,
    ) -> None:
        # With expected_token set, calls without "Bearer <expected_token>" get 401.
        self.expected_token = expected_token
        # Sends beyond these get 429 (None: no limit, the tests' default). Benchmarks turn
        # the schema checks off: they cost more CPU than the bot under test.
        self.limits = limits
        self.limiter = Limiter()
        self.check_calls = check_calls
        # Conversations whose person removed the app or blocked the bot: sends get 403.
        self.blocked: set[str] = set()
        self.calls: list[ConnectorCall] = []
        self.violations: list[str] = []
        self.activities: list[dict[str, Any]] = []
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self.conversations: dict[str, dict[str, Any]] = {}
        # The directory behind ``GET …/members/{memberId}``: member id (or AAD object id) ->
        # a TeamsChannelAccount (id, name, aadObjectId, email, userPrincipalName…).
        self.members: dict[str, dict[str, Any]] = {}
        # Behind ``GET /v3/teams/{teamId}/conversations``: team id -> its channels (ChannelInfo:
        # id, name; Teams gives the General channel, whose id is the team's, no name).
        self.teams: dict[str, list[dict[str, Any]]] = {}
        self._failures: list[_Failure] = []
        self._counter = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> None:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        # One catch-all route: botbuilder joins "/v3/…" to a serviceUrl ending in "/", so the
        # path it sends starts with "//".
        app.router.add_route("*", "/{path:.*}", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def service_url(self) -> str:
        """The ``serviceUrl`` to put in inbound activities (with Teams' trailing slash)."""
        return f"http://127.0.0.1:{self.port}/"

    def fail_next(self, status: int, *, times: int = 1, retry_after: int | None = None) -> None:
        """Answer the next ``times`` calls with ``status`` (429, 412, 502, 503, 504…)."""
        self._failures.append(_Failure(status, retry_after, times))

    def sent_to(self, conversation_id: str) -> list[dict[str, Any]]:
        """Activities sent, replied or updated in one conversation, in order."""
        return [a for a in self.activities if a.get("conversation_id") == conversation_id]

    # -- request handling ----------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        segments = [part for part in request.path.split("/") if part]
        operation, conversation_id, activity_id = _route(request.method, segments)
        authorization = request.headers.get("Authorization")
        call = ConnectorCall(operation, conversation_id, activity_id, None, authorization)
        self.calls.append(call)
        response = await self._respond(request, call)
        call.status = response.status
        self.violations.extend(call.violations)
        return response

    async def _respond(self, request: web.Request, call: ConnectorCall) -> web.Response:
        if call.operation == "unknown":
            call.violations.append(f"{request.method} {request.path}: no such connector operation")
            return _error(404, "BadSyntax", "unknown operation")
        if self.expected_token and call.authorization != f"Bearer {self.expected_token}":
            call.violations.append(f"{call.operation}: missing or wrong bearer token")
            return _error(401, "Unauthorized", "Authorization has been denied")
        if request.method in {"POST", "PUT"}:
            raw = await request.read()
            if request.content_type != "application/json":
                call.violations.append(f"{call.operation}: Content-Type {request.content_type}")
                return _error(415, "BadArgument", "expected application/json")
            try:
                call.body = json.loads(raw)
            except ValueError:
                call.violations.append(f"{call.operation}: body is not JSON")
                return _error(400, "BadSyntax", "invalid JSON")
            if call.operation in ACTIVITY_OPERATIONS and self.check_calls:
                call.violations += check_against_connector_api(call.body, "Activity")
                if isinstance(call.body, dict):
                    call.violations += check_activity_cards(call.body)
                if len(raw) > MAX_MESSAGE_BYTES:
                    call.violations.append(
                        f"{call.operation}: {len(raw)} bytes, over Teams' {MAX_MESSAGE_BYTES}"
                    )
                    return _error(413, "MessageSizeTooBig", "Activity body too large")
        failure = next((f for f in self._failures if f.remaining > 0), None)
        if failure is not None:
            failure.remaining -= 1
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
            return _error(failure.status, "ServiceError", "fake failure", headers)
        if call.operation in {"send", "reply"} and call.conversation_id in self.blocked:
            return _error(403, "Forbidden", "The bot is not part of the conversation roster.")
        return self._throttled(call) or self._perform(call)

    def _throttled(self, call: ConnectorCall) -> web.Response | None:
        if self.limits is None or call.operation not in {"send", "reply"}:
            return None
        body: dict[str, Any] = call.body if isinstance(call.body, dict) else {}
        conversation = str(call.conversation_id or "")
        wait = self.limiter.admit(
            (self.limits.per_second, conversation),
            (self.limits.per_30_seconds, conversation),
            (self.limits.per_tenant, _tenant(body)),
        )
        if wait <= 0:
            return None
        return _error(429, "Throttled", "too many requests", {"Retry-After": retry_after(wait)})

    def _perform(self, call: ConnectorCall) -> web.Response:
        body: dict[str, Any] = call.body if isinstance(call.body, dict) else {}
        conversation_id = call.conversation_id or ""
        if call.operation == "create_conversation":
            return self._create_conversation(call, body)
        if call.operation == "get_member":
            return self._get_member(call)
        if call.operation == "team_channels":
            if conversation_id not in self.teams:
                return _error(404, "NotFound", "unknown team")
            return web.json_response({"conversations": self.teams[conversation_id]})
        if call.operation in {"send", "reply"}:
            activity_id = f"1:{next(self._counter)}"
            self._record(conversation_id, activity_id, body, call.operation)
            return web.json_response({"id": activity_id}, status=201)
        key = (conversation_id, call.activity_id or "")
        if key not in self.messages:
            return _error(404, "ActivityNotFoundInConversation", "unknown activity")
        if call.operation == "update":
            self._record(conversation_id, key[1], body, "update")
            return web.json_response({"id": key[1]})
        del self.messages[key]
        return web.Response(status=200)

    def _record(
        self, conversation_id: str, activity_id: str, body: dict[str, Any], how: str
    ) -> None:
        stored = {**body, "id": activity_id, "conversation_id": conversation_id, "operation": how}
        self.messages[(conversation_id, activity_id)] = stored
        self.activities.append(stored)

    def _create_conversation(self, call: ConnectorCall, body: dict[str, Any]) -> web.Response:
        call.violations += check_against_connector_api(body, "ConversationParameters")
        tenant = body.get("tenantId") or (body.get("channelData") or {}).get("tenant", {}).get("id")
        if not tenant:
            call.violations.append("create_conversation: Teams needs the tenant id")
        if not body.get("members"):
            call.violations.append("create_conversation: no members")
        if call.violations:
            return _error(400, "BadArgument", "; ".join(call.violations))
        conversation_id = f"a:fake-{next(self._counter)}"
        self.conversations[conversation_id] = body
        answer: dict[str, Any] = {"id": conversation_id, "serviceUrl": self.service_url}
        if body.get("activity"):
            activity_id = f"1:{next(self._counter)}"
            self._record(conversation_id, activity_id, body["activity"], "send")
            answer["activityId"] = activity_id
        return web.json_response(answer, status=201)

    def _get_member(self, call: ConnectorCall) -> web.Response:
        wanted = call.activity_id or ""
        member = self.members.get(wanted) or next(
            (m for m in self.members.values() if m.get("aadObjectId") == wanted), None
        )
        if member is None:
            return _error(404, "MemberNotFoundInConversation", "unknown member")
        # Teams answers a TeamsChannelAccount: a ChannelAccount with email, UPN and more.
        call.violations += check_against_connector_api(member, "ChannelAccount")
        return web.json_response(member)


def _tenant(activity: dict[str, Any]) -> str:
    conversation = activity.get("conversation") or {}
    channel_data = activity.get("channelData") or {}
    return str(conversation.get("tenantId") or (channel_data.get("tenant") or {}).get("id") or "")


def _route(method: str, segments: list[str]) -> tuple[str, str | None, str | None]:
    """(operation, conversation id, activity id) of a path like v3/conversations/{id}/…"""
    if segments[:2] == ["v3", "teams"] and len(segments) == 4 and segments[3] == "conversations":
        return ("team_channels", segments[2], None) if method == "GET" else ("unknown", None, None)
    if segments[:2] != ["v3", "conversations"]:
        return "unknown", None, None
    rest = segments[2:]
    if not rest and method == "POST":
        return "create_conversation", None, None
    if len(rest) == 2 and rest[1] == "activities" and method == "POST":
        return "send", rest[0], None
    if len(rest) == 3 and rest[1] == "members" and method == "GET":
        return "get_member", rest[0], rest[2]  # the member id rides in activity_id
    if len(rest) == 3 and rest[1] == "activities":
        operation = {"POST": "reply", "PUT": "update", "DELETE": "delete"}.get(method)
        if operation:
            return operation, rest[0], rest[2]
    return "unknown", None, None


def _error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    body = {"error": {"code": code, "message": message}}
    return web.json_response(body, status=status, headers=headers)
