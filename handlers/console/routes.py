"""``/console``: the page, and the small JSON API it calls (loopback binds only).

Each call names the person acting (the console lets anyone be anyone, hence loopback only),
becomes an ``Inbound`` for the conversation core, and the ``Outcome`` is kept as that
person's conversation. Form answers come back inside the HTTP answer. Bad input gets 4xx and
changes nothing.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import structlog
from aiohttp import web

from bot.domain.loopback import is_loopback
from dialogs.core.events import Actor, Inbound, InboundKind, Outcome
from dialogs.core.ui import ActionRef, Done, FieldErrors, FieldValue, MessageRef, NextForm
from handlers.console.channel import ConsoleChannel
from handlers.console.config import ConsoleConfig
from handlers.console.render import Viewer, render_form, render_message, render_person_text
from handlers.console.store import ConsolePerson, ConsoleStore, typed_message
from storage.db import Database
from storage.types import new_opaque_id

__all__ = ["ConsoleChannel", "ConversationCore", "mount"]

log = structlog.get_logger("tandem.console")

STATIC_DIR = Path(__file__).parent / "static"
MAX_TEXT = 4000
MAX_FIELDS = 100
MAX_CLOCK_HOURS = 24 * 366
SECURITY_HEADERS = {
    # Our own files only; images in cards may come from any https address.
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' https: http:; form-action 'none'; frame-ancestors 'none'; "
        "base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class ConversationCore(Protocol):
    """What the console needs of ``dialogs.core.conversation.Conversation``."""

    async def handle(self, inbound: Inbound) -> Outcome: ...


def _bad(reason: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=json.dumps({"error": reason}), content_type="application/json")


def _guard(request: web.Request) -> None:
    """Refuse DNS-rebinding (a foreign Host) and cross-site posts (a foreign Origin)."""
    host = urlsplit("//" + (request.host or "")).hostname or ""
    if not is_loopback(host):
        raise web.HTTPForbidden(text="the console answers on loopback addresses only")
    origin = request.headers.get("Origin")
    if origin is not None and urlsplit(origin).netloc != request.host:
        raise web.HTTPForbidden(text="cross-origin request refused")


async def _body(request: web.Request) -> dict[str, Any]:
    _guard(request)
    if request.content_type != "application/json":
        raise web.HTTPUnsupportedMediaType(text="send application/json")
    try:
        data = await request.json()
    except (ValueError, UnicodeDecodeError) as exc:
        raise _bad("invalid JSON") from exc
    if not isinstance(data, dict):
        raise _bad("expected a JSON object")
    return data


def _text(data: dict[str, Any], key: str, *, required: bool = True, limit: int = 255) -> str:
    value = data.get(key, "")
    if not isinstance(value, str) or (required and not value) or len(value) > limit:
        raise _bad(f"{key}: expected a string of at most {limit} characters")
    return value


def _ref(data: dict[str, Any], *, required: bool) -> ActionRef | None:
    encoded = _text(data, "ref", required=required)
    if not encoded:
        return None
    try:
        return ActionRef.decode(encoded)
    except ValueError as exc:
        raise _bad("ref: not an action reference") from exc


def _values(data: dict[str, Any]) -> dict[str, FieldValue]:
    raw = data.get("values", {})
    if not isinstance(raw, dict) or len(raw) > MAX_FIELDS:
        raise _bad("values: expected an object")
    values: dict[str, FieldValue] = {}
    for name, value in raw.items():
        if value is None or (isinstance(value, str) and len(value) <= MAX_TEXT):
            values[name] = value
        elif isinstance(value, list) and all(isinstance(v, str) and len(v) <= 255 for v in value):
            values[name] = tuple(value)
        else:
            raise _bad(f"values.{name}: expected a string, a list of strings or null")
    return values


class ConsoleApi:
    def __init__(
        self, conversation: ConversationCore, store: ConsoleStore, config: ConsoleConfig
    ) -> None:
        self.conversation = conversation
        self.store = store
        self.config = config
        self.clock = config.demo_clock

    def viewer(self, person: ConsolePerson, locale: str | None = None) -> Viewer:
        return Viewer(
            locale=locale or person.locale or self.config.default_locale,
            timezone=person.timezone or self.config.default_timezone,
        )

    async def acting(self, data: dict[str, Any]) -> ConsolePerson:
        person = await self.store.person(_text(data, "person_id", limit=64))
        if person is None:
            raise web.HTTPNotFound(text="no such person")
        await self.store.ensure_identity(person)
        return person

    def actor(self, person: ConsolePerson) -> Actor:
        return Actor(
            platform="console",
            tenant_id=self.config.tenant_id,
            user_id=person.id,
            locale_hint=person.locale,
            timezone=person.timezone,
            display_name=person.name,
            email=person.email,
        )

    async def keep(self, person: ConsolePerson, outcome: Outcome) -> dict[str, Any]:
        """Store what the core said, apply its updates; the answer the page gets."""
        for ref, message in outcome.updates:
            if ref.platform == "console":
                await self.store.replace(ref.message_id, message)
        ids = [await self.store.append(person.id, m, outcome.locale) for m in outcome.messages]
        form = (
            render_form(outcome.form, self.viewer(person, outcome.locale)) if outcome.form else None
        )
        return {"locale": outcome.locale, "refused": outcome.refused, "messages": ids, "form": form}

    # -- handlers -------------------------------------------------------------------------

    async def page(self, request: web.Request) -> web.FileResponse:
        _guard(request)
        return web.FileResponse(STATIC_DIR / "index.html", headers=SECURITY_HEADERS)

    async def people(self, request: web.Request) -> web.Response:
        _guard(request)
        query = request.query.get("q", "")[:100]
        people = await self.store.people(query)
        return web.json_response(
            {
                "people": [p.as_json() for p in people],
                "demo_clock": self.clock is not None,
                "default_locale": self.config.default_locale,
            }
        )

    async def send(self, request: web.Request) -> web.Response:
        data = await _body(request)
        text = _text(data, "text", limit=MAX_TEXT).strip()
        if not text:
            raise _bad("text: empty")
        person = await self.acting(data)
        kind: InboundKind = "message"
        if text.startswith("/tandem"):  # typed like the Slack command: same grammar after it
            kind, text = "command", text.removeprefix("/tandem").strip()
        await self.store.append(
            person.id, typed_message(text), person.locale or "", author="person"
        )
        outcome = await self.conversation.handle(
            Inbound(self.actor(person), kind, text=text, event_id=new_opaque_id())
        )
        return web.json_response(await self.keep(person, outcome))

    async def action(self, request: web.Request) -> web.Response:
        data = await _body(request)
        person = await self.acting(data)
        message_id = _text(data, "message_id", limit=64)
        if await self.store.owner(message_id) != person.id:
            raise web.HTTPNotFound(text="no such message in this conversation")
        inbound = Inbound(
            self.actor(person),
            "action",
            action=_text(data, "action", limit=64),
            ref=_ref(data, required=False),
            value=_text(data, "value", required=False, limit=2000),
            source=MessageRef("console", person.id, message_id),
            event_id=new_opaque_id(),
        )
        outcome = await self.conversation.handle(inbound)
        replaced = any(ref.message_id == message_id for ref, _ in outcome.updates)
        # A click on a flow step (a button with a reference) answers its card, and so does
        # any click the core says closes it (Accept on a proposal); buttons without either
        # (help, my profile) only navigate and stay live.
        answered = inbound.ref is not None or outcome.close_source
        if answered and not outcome.refused and outcome.form is None and not replaced:
            await self.store.mark_answered(message_id, (inbound.action or "", inbound.value or ""))
        return web.json_response(await self.keep(person, outcome))

    async def submit(self, request: web.Request) -> web.Response:
        data = await _body(request)
        person = await self.acting(data)
        ref = _ref(data, required=True)
        inbound = Inbound(
            self.actor(person),
            "submission",
            ref=ref,
            values=_values(data),
            event_id=new_opaque_id(),
        )
        outcome = await self.conversation.handle(inbound)
        answer = await self.keep(person, outcome)
        viewer = self.viewer(person, outcome.locale)
        match outcome.form_answer:
            case FieldErrors(errors=errors):
                answer |= {"answer": "errors", "errors": errors}
            case NextForm(form=form):
                answer |= {"answer": "next", "form": render_form(form, viewer)}
            case Done(message=message):
                if message is not None:
                    answer["messages"].append(
                        await self.store.append(person.id, message, outcome.locale)
                    )
                answer |= {"answer": "done"}
            case None:
                answer |= {"answer": "next" if answer["form"] else "done"}
        return web.json_response(answer)

    async def messages(self, request: web.Request) -> web.Response:
        _guard(request)
        person = await self.store.person(request.query.get("person_id", "")[:64])
        if person is None:
            raise web.HTTPNotFound(text="no such person")
        since = None
        if raw := request.query.get("since"):
            try:
                since = datetime.fromisoformat(raw)
            except ValueError as exc:
                raise _bad("since: expected an ISO 8601 instant") from exc
            if since.tzinfo is None:
                raise _bad("since: expected an instant with its offset")
        stored = await self.store.history(person.id, since)
        items = []
        for item in stored:
            viewer = self.viewer(person, item.locale or None)
            if item.author == "person":
                html = render_person_text(item.message.summary, item.created_at, viewer)
            else:
                html = render_message(
                    item.message, viewer, message_id=item.message_id, disabled=item.answered
                )
            items.append({"id": item.message_id, "author": item.author, "html": html})
        cursor = max((i.changed_at for i in stored), default=since)
        locale = next((i.locale for i in reversed(stored) if i.locale), None)
        body: dict[str, Any] = {
            "messages": items,
            "cursor": cursor.isoformat() if cursor else None,
            "locale": locale or person.locale or self.config.default_locale,
        }
        if self.clock is not None:
            body["demo_now"] = (await self.clock.load()).isoformat()
        return web.json_response(body)

    async def clock_forward(self, request: web.Request) -> web.Response:
        data = await _body(request)
        if self.clock is None:
            raise web.HTTPNotFound(text="the clock control exists in demo mode only")
        hours, days = data.get("hours", 0), data.get("days", 0)
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in (hours, days)):
            raise _bad("hours and days: expected whole numbers")
        total = hours + 24 * days
        if not 0 < total <= MAX_CLOCK_HOURS:
            raise _bad(f"move the clock forward by 1 to {MAX_CLOCK_HOURS} hours")
        at, report = await self.clock.forward(timedelta(hours=total))
        log.info("console.clock_forward", hours=total, at=at.isoformat(), done=report.done)
        return web.json_response(
            {
                "demo_now": at.isoformat(),
                "done": report.done,
                "retried": report.retried,
                "parked": report.parked,
            }
        )


def mount(
    app: web.Application,
    conversation: ConversationCore,
    database: Database,
    config: ConsoleConfig,
) -> ConsoleChannel | None:
    """Add ``/console`` and its API; None (nothing added) unless enabled on a loopback bind."""
    if not config.enabled:
        return None
    if not is_loopback(config.host):
        log.warning(
            "console.refused",
            reason="the console lets anyone act as anyone: loopback binds only",
            host=config.host,
        )
        return None
    store = ConsoleStore(database, config)
    api = ConsoleApi(conversation, store, config)
    app.router.add_get("/console", api.page)
    app.router.add_static("/console/static/", STATIC_DIR, append_version=False)
    app.router.add_get("/console/api/people", api.people)
    app.router.add_get("/console/api/messages", api.messages)
    app.router.add_post("/console/api/send", api.send)
    app.router.add_post("/console/api/action", api.action)
    app.router.add_post("/console/api/submit", api.submit)
    app.router.add_post("/console/api/clock", api.clock_forward)
    return ConsoleChannel(store)
