"""``POST /api/messages``: check, authenticate, record, ack, then process.

Everything a malformed or unauthenticated request could make botbuilder do wrong (500s,
calling an untrusted ``serviceUrl``) is answered here first with a 4xx. Card clicks are
answered inside the invoke response; other activities are acknowledged once recorded
(``handlers.intake``, with a ``teams.recover`` due action, see ``recovery``) and
processed at once in the same process.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

from aiohttp import web
from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import Activity
from msrest.exceptions import DeserializationError  # type: ignore[attr-defined]
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.core.events import Inbound
from handlers.intake import AlsoWrite, Finished, Intake
from handlers.teams.config import TeamsConfig
from handlers.teams.deliver import Core, Privately, Updater, deliver, invoke_body
from handlers.teams.guard import (
    BadActivity,
    check_channel_token,
    check_content_type,
    parse_activity,
)
from handlers.teams.people import MemberEmails
from handlers.teams.references import conversation_reference, store_reference
from handlers.teams.signing_keys import SigningKeys
from handlers.teams.team_channels import TeamChannelBook
from handlers.teams.translate import actor_of, inbound_of, is_personal
from handlers.teams.validated_tokens import ValidatedTokens
from storage.db import Database

log = logging.getLogger(__name__)

MAX_REMEMBERED = 100_000


def _where(reference: dict[str, Any]) -> dict[str, Any]:
    """The parts of a reference that say where to post (not which activity it came from)."""
    return {k: v for k, v in reference.items() if k != "activityId"}


def _store(reference: tuple[str, str, dict[str, Any]]) -> AlsoWrite:
    """Store the sender's new 1:1 reference in the write that closes the record."""

    async def write(session: AsyncSession) -> None:
        await store_reference(session, *reference)

    return write


class PrivateRoute(Protocol):
    def for_activity(self, body: dict[str, Any]) -> Privately | None: ...


KEYS_RETRY_AFTER_S = 5


def _error(status: int, reason: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": reason}, status=status, headers=headers)


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
        private: PrivateRoute | None = None,
        signing_keys: SigningKeys | None = None,
    ) -> None:
        self.adapter = adapter
        self.signing_keys = signing_keys
        self.tokens: ValidatedTokens | None = None
        if config.authenticated and signing_keys is not None:
            self.tokens = ValidatedTokens(lambda: signing_keys.fetches)
        self._said_no_keys = False  # the 503 is logged once per outage, not per request
        self.core = core
        self.database = database
        self.config = config
        self.updater = updater
        self.private = private
        self.intake = Intake(database, "teams")
        # (tenant, user) -> where their 1:1 chat is, as this process last stored it: most
        # activities come from a known chat and need no write for it.
        self._stored: dict[tuple[str, str], dict[str, Any]] = {}
        self.member_emails = MemberEmails()
        self.team_channels = TeamChannelBook(database)

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
        channel_id, service_url = body.get("channelId") or "", body["serviceUrl"]
        known = None
        if self.tokens is not None:
            known = self.tokens.get(auth_header, channel_id, service_url)
        if known is None:
            refused = self._check_authorization(auth_header, "Authorization" in request.headers)
            if refused is not None:
                return refused
        try:
            activity = Activity().deserialize(body)
        except DeserializationError:
            return _error(400, "activity does not deserialise")
        authentication = known or await self._authenticate(activity, auth_header)
        if authentication is None:
            return _error(401, "unauthorized")
        inbound = inbound_of(body, bot_id=(body.get("recipient") or {}).get("id", ""))
        if inbound is None:
            # Nothing for the core; a team's channel events still update the table.
            await self.team_channels.observe(body)
            return web.Response(status=200)
        invoke = body.get("type") == "invoke"
        # A click is answered inside its own request: a process dying there answers nothing,
        # and Teams shows the person an error to click again. The rest is recoverable.
        record_id = await self.record(body, inbound, recoverable=not invoke)
        if record_id is None and body.get("id"):
            if invoke:  # a repeated click: the first one is answered already
                return web.json_response(invoke_body(None, self.config.done_text))
            return web.Response(status=200)

        async def logic(turn: TurnContext) -> None:
            await self.run_turn(turn, body, inbound, invoke, record_id)

        if invoke:
            response = await self.adapter.process_activity(authentication, activity, logic)
            if response is None:
                return web.json_response(invoke_body(None, self.config.done_text))
            return web.json_response(response.body, status=response.status)
        # One lane per person: their messages are handled in the order they came.
        lane = f"teams:{inbound.actor.tenant_id}:{inbound.actor.user_id}"
        self.intake.spawn(self._process(authentication, activity, logic), lane)
        return web.Response(status=200)

    async def _authenticate(self, activity: Activity, auth_header: str) -> Any | None:
        """botbuilder's full validation (signature, expiry, endorsements, issuer, audience,
        ``serviceurl``), remembered for the token's next activities; None when refused."""
        keys = self.signing_keys.fetches if self.signing_keys is not None else 0
        try:
            result = await self.adapter.bot_framework_authentication.authenticate_request(
                activity, auth_header
            )
        except Exception as error:
            # botbuilder refuses a token with PermissionError, PyJWT's errors and also a bare
            # Exception (an endorsement it refuses): all are 401. No fetch can fail here (the
            # keys are cached), so nothing of ours is hidden by catching them all.
            log.info("teams activity unauthenticated: %s: %s", type(error).__name__, error)
            return None
        if self.tokens is not None:
            self.tokens.put(
                auth_header, activity.channel_id or "", activity.service_url, result, keys
            )
        return result

    def _check_authorization(self, auth_header: str, present: bool) -> web.Response | None:
        """A 401 or 503 answered before botbuilder, or None to let it validate the token.

        botbuilder fetches signing keys with blocking ``requests`` calls: without an app id
        no token can be checked at all, so any ``Authorization`` is refused (a local caller
        must not make the bot call out); with one, only a channel token from the configured
        issuer goes on, and only once the keys are cached (``SigningKeys``).
        """
        if not self.config.authenticated:
            if present:
                log.info("teams activity refused: a token, but no MICROSOFT_APP_ID to check it")
                return _error(401, "tokens are not accepted without MICROSOFT_APP_ID")
            return None
        try:
            check_channel_token(auth_header, issuer=self.config.channel_token_issuer)
        except BadActivity as bad:
            log.info("teams activity unauthenticated: %s", bad.reason)
            return _error(bad.status, "unauthorized")
        keys = self.signing_keys
        if keys is not None and not keys.ready:
            if not self._said_no_keys:
                self._said_no_keys = True
                log.warning(
                    "teams answers 503: no Bot Framework signing keys yet from %s (%s); "
                    "retrying in the background",
                    keys.metadata_url,
                    keys.last_error,
                )
            return _error(
                503,
                "Teams signing keys not available yet",
                {"Retry-After": str(KEYS_RETRY_AFTER_S)},
            )
        self._said_no_keys = False
        return None

    async def record(
        self, body: dict[str, Any], inbound: Inbound, *, recoverable: bool
    ) -> int | None:
        if not body.get("id"):
            return None
        return await self.intake.record(body["id"], inbound.kind, body, recoverable=recoverable)

    async def close(self, record_id: int, status: str = "processed") -> None:
        """Mark the record done and drop its recovery (nothing left to recover)."""
        await self.intake.close(Finished(record_id, status))

    async def _process(self, authentication: Any, activity: Activity, logic: Any) -> None:
        try:
            await self.adapter.process_activity(authentication, activity, logic)
        except Exception:  # the record stays unprocessed: recovery picks it up
            log.exception("teams activity %s failed", activity.id)

    async def run_turn(
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
        await self.team_channels.observe(body, turn)  # first: "admin announce" here needs it
        if not invoke:
            # The email links a first contact to the imported person. A click answers within
            # the invoke's deadline, and comes after a message or an install anyway.
            inbound = await self.member_emails.with_email(turn, body, inbound)
        outcome = await self.core.handle(inbound)
        reference = None
        if is_personal(body) and not outcome.refused:
            reference = self._new_reference(body)
        privately = None
        if self.private is not None and not outcome.refused:
            privately = self.private.for_activity(body)
        await deliver(
            turn,
            outcome,
            invoke=invoke,
            done_text=self.config.done_text,
            updater=self.updater,
            privately=privately,
        )
        if reference is None and record_id is None:
            return
        # One short write (shared with others finishing now): reference, record closed.
        also = None if reference is None else _store(reference)
        await self.intake.close(Finished(record_id, also=also))
        if reference is not None:
            self._stored[reference[:2]] = _where(reference[2])

    def _new_reference(self, body: dict[str, Any]) -> tuple[str, str, dict[str, Any]] | None:
        """The sender's reference, unless this process stored the same one already."""
        actor = actor_of(body)
        reference = conversation_reference(body)
        if self._stored.get((actor.tenant_id, actor.user_id)) == _where(reference):
            return None
        if len(self._stored) > MAX_REMEMBERED:
            self._stored.clear()
        return actor.tenant_id, actor.user_id, reference

    async def idle(self) -> None:
        """Wait for the activities acknowledged but still being processed (tests, shutdown)."""
        await self.intake.drain()
