"""A fake Slack Web API on 127.0.0.1 for slack_sdk's ``AsyncWebClient(base_url=fake.base_url)``.

Every call is recorded and checked against Slack's OpenAPI spec, the supplement and
slack_sdk's Block Kit models (see ``slack_spec``); failures go to ``violations``. The fake
answers plausibly (ts values, channel and view ids, a directory of fake users), can answer
429 with ``Retry-After`` or a 5xx on demand, and serves Socket Mode (see ``slack_socket``).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Self

from aiohttp import web

from tests.fakes.rate_limits import Limiter, SlackLimits, retry_after
from tests.fakes.slack_directory import DEFAULT_USERS, FakeUser
from tests.fakes.slack_socket import FakeSocketMode
from tests.fakes.slack_spec import (
    check_call,
    decode_json_argument,
    method_specs,
    retired_methods,
)

Answer = dict[str, Any]


@dataclass
class SlackCall:
    """One request to the fake: ``args`` merges query, form and JSON body (token removed)."""

    method: str
    http_method: str
    args: dict[str, Any]
    token: str | None
    content_type: str
    violations: list[str] = field(default_factory=list)
    status: int = 200
    answer: Answer | None = None


@dataclass
class _Failure:
    status: int
    retry_after: int | None
    remaining: int


class FakeSlack:
    """The fake Slack Web API; ``async with FakeSlack() as slack: ... slack.base_url``."""

    def __init__(
        self,
        *,
        users: Iterable[FakeUser] = DEFAULT_USERS,
        team_id: str = "T0TANDEM1",
        team_name: str = "Tandem Test",
        bot_token: str = "xoxb-fake-bot-token",
        app_token: str = "xapp-fake-app-token",
        bot_user_id: str = "U0TANDBOT",
        bot_id: str = "B0TANDBOT",
        app_id: str = "A0TANDEM1",
        check_calls: bool = True,
        limits: SlackLimits | None = None,
    ) -> None:
        # Benchmarks turn the spec and Block Kit checks off: they cost more CPU than the
        # server under test, in the same process. Tests always keep them.
        self.check_calls = check_calls
        # chat.postMessage answers 429 beyond these (None: no limit, the tests' default).
        self.limits = limits
        self.limiter = Limiter()
        # People who cannot be reached: user id -> the error conversations.open answers
        # (cannot_dm_bot, account_inactive, user_not_found).
        self.blocked: dict[str, str] = {}
        self.users: dict[str, FakeUser] = {user.id: user for user in users}
        self.team_id, self.team_name = team_id, team_name
        self.bot_token, self.app_token = bot_token, app_token
        self.bot_user_id, self.bot_id, self.app_id = bot_user_id, bot_id, app_id
        self.tokens: dict[str, str] = {bot_token: "bot", app_token: "app"}
        self.calls: list[SlackCall] = []
        self.violations: list[str] = []
        self.messages: dict[tuple[str, str], dict[str, Any]] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, bytes] = {}
        self.shared: dict[str, str] = {}  # uploaded file id -> the channel it was shared in
        self.expired_trigger_ids: set[str] = set()
        self.used_oauth_codes: set[str] = set()
        self.socket = FakeSocketMode(app_id, self.violations)
        self._failures: dict[str, _Failure] = {}
        self._counter = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0
        self._answers: dict[str, Callable[[dict[str, Any]], Answer]] = {
            "auth.test": self._auth_test,
            "chat.postMessage": self._post_message,
            "chat.postEphemeral": self._post_ephemeral,
            "chat.update": self._update_message,
            "chat.delete": self._delete_message,
            "views.open": self._open_view,
            "views.push": self._open_view,
            "views.update": self._update_view,
            "views.publish": self._publish_view,
            "users.info": self._users_info,
            "users.lookupByEmail": self._lookup_by_email,
            "conversations.open": self._open_conversation,
            "conversations.info": self._conversation_info,
            "apps.connections.open": self._open_connection,
            "oauth.v2.access": self._oauth_access,
            "files.getUploadURLExternal": self._upload_url,
            "files.completeUploadExternal": self._complete_upload,
            "files.delete": self._delete_file,
        }

    # -- life cycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_route("*", "/api/{method}", self._handle)
        app.router.add_get("/socket", self.socket.handle)
        app.router.add_post("/upload/{file_id}", self._receive_upload)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        await self.socket.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def base_url(self) -> str:
        """The ``base_url`` for slack_sdk (``SLACK_API_URL``)."""
        return f"http://127.0.0.1:{self.port}/api/"

    # -- test controls -----------------------------------------------------------------------
    def fail_next(
        self, method: str, *, status: int = 429, retry_after: int | None = 1, times: int = 1
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with ``status`` (429: ratelimited)."""
        self._failures[method] = _Failure(status, retry_after if status == 429 else None, times)

    def calls_to(self, method: str) -> list[SlackCall]:
        return [call for call in self.calls if call.method == method]

    def add_user(self, user: FakeUser) -> None:
        self.users[user.id] = user

    # -- request handling ----------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        content_type = request.content_type
        problems: list[str] = []
        if request.can_read_body:
            if content_type == "application/json":
                try:
                    body = await request.json()
                except ValueError:
                    body = None
                if isinstance(body, dict):
                    args.update(body)
                else:
                    problems.append(f"{method}: the JSON body is not an object")
            else:
                args.update({key: value for key, value in (await request.post()).items()})
        token = self._token(request, args)
        if self.check_calls:
            problems += check_call(method, args, has_token=token is not None)
        call = SlackCall(method, request.method, args, token, content_type, problems)
        self.calls.append(call)
        self.violations.extend(problems)
        response = (
            self._failure_response(method, call)
            or self._throttled(method, call)
            or self._answer(method, token, call)
        )
        return response

    def _throttled(self, method: str, call: SlackCall) -> web.Response | None:
        if self.limits is None or method != "chat.postMessage" or "channel" not in call.args:
            return None
        channel = self._channel_of(str(call.args["channel"]))
        wait = self.limiter.admit(
            (self.limits.per_channel, channel), (self.limits.per_workspace, self.team_id)
        )
        if wait <= 0:
            return None
        call.status = 429
        return web.json_response(
            {"ok": False, "error": "ratelimited"},
            status=429,
            headers={"Retry-After": retry_after(wait)},
        )

    @staticmethod
    def _token(request: web.Request, args: dict[str, Any]) -> str | None:
        form_token = args.pop("token", None)
        authorization = request.headers.get("Authorization", "")
        if authorization.startswith("Bearer "):
            return authorization.removeprefix("Bearer ").strip() or None
        return str(form_token) if form_token else None

    def _failure_response(self, method: str, call: SlackCall) -> web.Response | None:
        failure = self._failures.get(method)
        if failure is None or failure.remaining <= 0:
            return None
        failure.remaining -= 1
        call.status = failure.status
        if failure.status == 429:
            headers = {"Retry-After": str(failure.retry_after or 1)}
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers=headers
            )
        return web.Response(status=failure.status, text="fake Slack server error")

    def _answer(self, method: str, token: str | None, call: SlackCall) -> web.Response:
        answer: Answer
        if method in retired_methods():
            answer = {"ok": False, "error": "method_deprecated"}
        elif method not in self._answers:
            answer = {"ok": False, "error": "unknown_method"}
            if method in method_specs():
                problem = f"{method}: a real Slack method, but the fake does not implement it"
                call.violations.append(problem)
                self.violations.append(problem)
        elif method == "oauth.v2.access":
            answer = self._oauth_access(call.args)
        elif token is None:
            answer = {"ok": False, "error": "not_authed"}
        elif token not in self.tokens:
            answer = {"ok": False, "error": "invalid_auth"}
        elif (self.tokens[token] == "app") != (method == "apps.connections.open"):
            answer = {"ok": False, "error": "not_allowed_token_type"}
        elif call.violations:
            error = (
                "invalid_blocks" if "blocks" in " ".join(call.violations) else "invalid_arguments"
            )
            answer = {"ok": False, "error": error}
            answer["response_metadata"] = {"messages": [f"[ERROR] {p}" for p in call.violations]}
        else:
            answer = self._answers[method](call.args)
        call.answer = answer
        return web.json_response(answer)

    def _new_ts(self) -> str:
        return f"{int(datetime.now(UTC).timestamp())}.{next(self._counter):06d}"

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._counter):08X}"

    # -- answers -------------------------------------------------------------------------------
    def _auth_test(self, args: dict[str, Any]) -> Answer:
        return {
            "ok": True,
            "url": "https://tandem-test.slack.com/",
            "team": self.team_name,
            "user": "tandem",
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "is_enterprise_install": False,
        }

    def _channel_of(self, channel: str) -> str:
        # Posting to a user id lands in the app's DM with that person.
        return self._im_with(channel) if channel.startswith(("U", "W")) else channel

    def _im_with(self, user_id: str) -> str:
        return "D" + user_id[1:]

    def _message(self, args: dict[str, Any], ts: str) -> dict[str, Any]:
        message = {"type": "message", "ts": ts, "user": self.bot_user_id, "bot_id": self.bot_id}
        message["text"] = args.get("text", "")
        for name in ("blocks", "attachments", "metadata"):
            if name in args:
                message[name] = decode_json_argument(args[name])
        if "thread_ts" in args:
            message["thread_ts"] = args["thread_ts"]
        return message

    def _post_message(self, args: dict[str, Any]) -> Answer:
        channel, ts = self._channel_of(str(args["channel"])), self._new_ts()
        message = self._message(args, ts)
        self.messages[(channel, ts)] = message
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _post_ephemeral(self, args: dict[str, Any]) -> Answer:
        return {"ok": True, "message_ts": self._new_ts()}

    def _update_message(self, args: dict[str, Any]) -> Answer:
        channel, ts = str(args["channel"]), str(args["ts"])
        if (channel, ts) not in self.messages:
            return {"ok": False, "error": "message_not_found"}
        message = self._message(args, ts)
        self.messages[(channel, ts)] = message
        return {
            "ok": True,
            "channel": channel,
            "ts": ts,
            "text": message["text"],
            "message": message,
        }

    def _delete_message(self, args: dict[str, Any]) -> Answer:
        channel, ts = str(args.get("channel")), str(args.get("ts"))
        if self.messages.pop((channel, ts), None) is None:
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "channel": channel, "ts": ts}

    def _store_view(self, view: dict[str, Any], view_id: str, root_id: str | None) -> Answer:
        stored = {
            **view,
            "id": view_id,
            "team_id": self.team_id,
            "app_id": self.app_id,
            "bot_id": self.bot_id,
            "root_view_id": root_id or view_id,
            "previous_view_id": None,
            "state": {"values": {}},
            "hash": uuid.uuid4().hex[:20],
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
        }
        self.views[view_id] = stored
        return {"ok": True, "view": stored}

    def _open_view(self, args: dict[str, Any]) -> Answer:
        if args["trigger_id"] in self.expired_trigger_ids:
            return {"ok": False, "error": "expired_trigger_id"}
        return self._store_view(decode_json_argument(args["view"]), self._new_id("V"), None)

    def _update_view(self, args: dict[str, Any]) -> Answer:
        view_id = args.get("view_id") or next(
            (v["id"] for v in self.views.values() if v["external_id"] == args.get("external_id")),
            None,
        )
        if view_id not in self.views:
            return {"ok": False, "error": "not_found"}
        if args.get("hash") and args["hash"] != self.views[view_id]["hash"]:
            return {"ok": False, "error": "hash_conflict"}
        view = decode_json_argument(args["view"])
        return self._store_view(view, view_id, self.views[view_id]["root_view_id"])

    def _publish_view(self, args: dict[str, Any]) -> Answer:
        if args["user_id"] not in self.users:
            return {"ok": False, "error": "user_not_found"}
        home_id = f"VHOME{args['user_id']}"
        return self._store_view(decode_json_argument(args["view"]), home_id, None)

    def _users_info(self, args: dict[str, Any]) -> Answer:
        user = self.users.get(str(args.get("user")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        include_locale = str(args.get("include_locale", "")).lower() in {"true", "1"}
        return {"ok": True, "user": user.as_slack(self.team_id, include_locale=include_locale)}

    def _lookup_by_email(self, args: dict[str, Any]) -> Answer:
        email = str(args["email"]).lower()
        for user in self.users.values():
            if user.email.lower() == email:
                return {"ok": True, "user": user.as_slack(self.team_id, include_locale=False)}
        return {"ok": False, "error": "users_not_found"}

    def _open_conversation(self, args: dict[str, Any]) -> Answer:
        if args.get("channel"):
            return {"ok": True, "channel": {"id": args["channel"]}}
        users = sorted(u for u in str(args.get("users", "")).split(",") if u)
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        if unknown := [u for u in users if u not in self.users]:
            return {"ok": False, "error": "user_not_found", "users": unknown}
        if blocked := [self.blocked[u] for u in users if u in self.blocked]:
            return {"ok": False, "error": blocked[0]}
        if len(users) == 1:
            channel = {"id": self._im_with(users[0]), "is_im": True, "user": users[0]}
        else:
            channel = {"id": "G" + uuid.uuid5(uuid.NAMESPACE_OID, ",".join(users)).hex[:10].upper()}
            channel["is_mpim"] = True
        return {"ok": True, "no_op": False, "already_open": False, "channel": channel}

    def _conversation_info(self, args: dict[str, Any]) -> Answer:
        channel_id = str(args.get("channel", ""))
        if not channel_id:
            return {"ok": False, "error": "channel_not_found"}
        channel: dict[str, Any] = {"id": channel_id, "is_im": channel_id.startswith("D")}
        if channel["is_im"]:
            channel["user"] = "U" + channel_id[1:]
        else:
            channel.update({"name": f"channel-{channel_id.lower()}", "is_channel": True})
        return {"ok": True, "channel": channel}

    def _open_connection(self, args: dict[str, Any]) -> Answer:
        url = f"ws://127.0.0.1:{self.port}/socket?ticket={uuid.uuid4()}&app_id={self.app_id}"
        return {"ok": True, "url": url}

    def _oauth_access(self, args: dict[str, Any]) -> Answer:
        code = str(args.get("code", ""))
        if not code or code in self.used_oauth_codes:
            return {"ok": False, "error": "invalid_code"}
        self.used_oauth_codes.add(code)
        token = f"xoxb-{self.team_id}-{uuid.uuid4().hex[:12]}"
        self.tokens[token] = "bot"
        return {
            "ok": True,
            "access_token": token,
            "token_type": "bot",
            "scope": "chat:write,commands,im:history,users:read,users:read.email",
            "bot_user_id": self.bot_user_id,
            "app_id": self.app_id,
            "team": {"id": self.team_id, "name": self.team_name},
            "enterprise": None,
            "is_enterprise_install": False,
            "authed_user": {"id": next(iter(self.users), "U0INSTALL")},
        }

    def _upload_url(self, args: dict[str, Any]) -> Answer:
        file_id = self._new_id("F")
        self.uploads[file_id] = b""
        return {"ok": True, "file_id": file_id, "upload_url": self._upload_address(file_id)}

    def _upload_address(self, file_id: str) -> str:
        return f"http://127.0.0.1:{self.port}/upload/{file_id}"

    def _complete_upload(self, args: dict[str, Any]) -> Answer:
        files = decode_json_argument(args["files"])
        if not all(isinstance(f, dict) and f.get("id") in self.uploads for f in files):
            return {"ok": False, "error": "file_not_found"}
        channel = args.get("channel_id") or args.get("channels")
        for f in files:
            if channel:
                self.shared[f["id"]] = str(channel)
        return {"ok": True, "files": [{"id": f["id"], "title": f.get("title", "")} for f in files]}

    def _delete_file(self, args: dict[str, Any]) -> Answer:
        file_id = str(args.get("file", ""))
        if self.uploads.pop(file_id, None) is None:
            return {"ok": False, "error": "file_not_found"}
        self.shared.pop(file_id, None)
        return {"ok": True}

    async def _receive_upload(self, request: web.Request) -> web.Response:
        file_id = request.match_info["file_id"]
        if file_id not in self.uploads:
            return web.Response(status=404, text="unknown upload")
        body = await request.read()
        self.uploads[file_id] = body
        return web.Response(text=f"OK - {len(body)}")
