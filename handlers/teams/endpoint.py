"""``POST /api/messages``: check, authenticate, record, ack, then process.

Everything a malformed or unauthenticated request could make botbuilder do wrong (500s,
calling an untrusted ``serviceUrl``) is answered here first with a 4xx. Card clicks are
answered inside the invoke response; other activities are acknowledged once recorded and
processed at once in the same process.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import jwt
from aiohttp import web
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from msrest.exceptions import DeserializationError  # type: ignore[attr-defined]

from dialogs.events import Inbound
from handlers.teams.activities import actor_of, inbound_of, is_personal
from handlers.teams.bot import Core, Updater, deliver, invoke_body
from handlers.teams.config import TeamsConfig
from handlers.teams.references import conversation_reference, store_reference
from handlers.teams.trust import BadActivity, check_content_type, parse_activity
from storage.db import Database
from storage.inbound import mark_processed, record_inbound

log = logging.getLogger(__name__)

# What botbuilder's token validation raises for a bad token (IndexError: unknown key id).
AUTH_ERRORS = (PermissionError, jwt.PyJWTError, IndexError, KeyError, ValueError, TypeError)


def _error(status: int, reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=status)


async def _read_limited(request: web.Request, limit: int) -> bytes:
    if request.content_length is not None and request.content_length > limit:
        raise BadActivity(413, "body over the limit")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise BadActivity(413, "body over the limit")
        chunks.append(chunk)
    return b"".join(chunks)


class TeamsEndpoint:
    def __init__(
        self,
        adapter: CloudAdapter,
        core: Core,
        database: Database,
        config: TeamsConfig,
        updater: Updater,
    ) -> None:
        self.adapter = adapter
        self.core = core
        self.database = database
        self.config = config
        self.updater = updater
        self._tasks: set[asyncio.Task[None]] = set()

    async def handle(self, request: web.Request) -> web.Response:
        if not self.config.enabled:
            return _error(503, "Teams is off: no MICROSOFT_APP_ID on a public address")
        try:
            check_content_type(request.content_type if "Content-Type" in request.headers else "")
            raw = await _read_limited(request, self.config.max_body_bytes)
            body = parse_activity(raw, loopback_allowed=self.config.on_loopback)
        except BadActivity as bad:
            log.info("teams activity refused: %s", bad.reason)
            return _error(bad.status, bad.reason)
        auth_header = request.headers.get("Authorization", "")
        if self.config.authenticated and not auth_header.startswith("Bearer "):
            return _error(401, "missing bearer token")
        try:
            activity = Activity().deserialize(body)
        except DeserializationError:
            return _error(400, "activity does not deserialise")
        try:
            authentication = await self.adapter.bot_framework_authentication.authenticate_request(
                activity, auth_header
            )
        except AUTH_ERRORS as error:
            log.info("teams activity unauthenticated: %s", type(error).__name__)
            return _error(401, "unauthorized")
        inbound = inbound_of(body, bot_id=(body.get("recipient") or {}).get("id", ""))
        if inbound is None:
            return web.Response(status=200)  # an activity type this bot does not act on
        record_id = await self._record(body, inbound)
        invoke = body.get("type") == "invoke"
        if record_id is None and body.get("id"):
            if invoke:  # a repeated click: the first one is answered already
                return web.json_response(invoke_body(None, self.config.done_text))
            return web.Response(status=200)

        async def logic(turn: TurnContext) -> None:
            await self._turn(turn, body, inbound, invoke, record_id)

        if invoke:
            response = await self.adapter.process_activity(authentication, activity, logic)
            if response is None:
                return web.json_response(invoke_body(None, self.config.done_text))
            return web.json_response(response.body, status=response.status)
        task = asyncio.create_task(self._process(authentication, activity, logic))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return web.Response(status=200)

    async def _record(self, body: dict[str, Any], inbound: Inbound) -> int | None:
        if not body.get("id"):
            return None
        async with self.database.unit_of_work() as session:
            return await record_inbound(session, "teams", body["id"], inbound.kind, body)

    async def _process(self, authentication: Any, activity: Activity, logic: Any) -> None:
        try:
            await self.adapter.process_activity(authentication, activity, logic)
        except Exception:  # the record stays unprocessed: recovery picks it up
            log.exception("teams activity %s failed", activity.id)

    async def _turn(
        self,
        turn: TurnContext,
        body: dict[str, Any],
        inbound: Inbound,
        invoke: bool,
        record_id: int | None,
    ) -> None:
        conversation_id = (body.get("conversation") or {}).get("id")
        if conversation_id:
            self.updater.remember(conversation_id, body["serviceUrl"])
        outcome = await self.core.handle(inbound)
        if is_personal(body) and not outcome.refused:
            actor = actor_of(body)
            async with self.database.unit_of_work() as session:
                await store_reference(
                    session, actor.tenant_id, actor.user_id, conversation_reference(body)
                )
        await deliver(
            turn, outcome, invoke=invoke, done_text=self.config.done_text, updater=self.updater
        )
        if record_id is not None:
            async with self.database.unit_of_work() as session:
                await mark_processed(session, record_id)

    async def idle(self) -> None:
        """Wait for the activities acknowledged but still being processed (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
