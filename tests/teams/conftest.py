"""A running Teams endpoint on loopback, backed by a tiny stand-in for the conversation core.

The stand-in answers ``help`` in the actor's language, welcomes on install, and answers a
card click once (a late click gets "already answered" and changes nothing), creating the
person's ``PlatformIdentity`` as the real core does.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select

from dialogs.core.content import Paragraph, UserText
from dialogs.core.conversation import Conversation, ConversationConfig
from dialogs.core.events import Inbound, Outcome
from dialogs.core.i18n import negotiate
from dialogs.core.ui import (
    ActionRef,
    Actions,
    Button,
    Done,
    Message,
    Section,
)
from handlers.teams.app import TEAMS_ENDPOINT, mount
from handlers.teams.channel import TeamsChannel
from handlers.teams.config import TeamsConfig
from handlers.teams.deliver import Core
from handlers.teams.inbox import TeamsEndpoint
from storage.db import Database
from storage.due_runner import DueHandlers
from storage.models import Person, PlatformIdentity
from tests.fakes.fixtures import FAKE_OUTBOUND_TOKEN, fake_connector, openid_issuer
from tests.fakes.openid_issuer import FakeOpenIdIssuer, StaticTokenCredentialsFactory
from tests.support.clock import fixed_clock
from tests.support.waiting import within

__all__ = ["fake_connector", "openid_issuer"]

KEYS_DEADLINE_S = 10.0
APP_ID = "00000000-0000-0000-0000-00000000a11c"
TENANT = "72f988bf-0000-0000-0000-000000000001"
REF = ActionRef("welcome", "inst-1", "start", 1)
WORDS = {
    "fr": {
        "help": "Voici ce que je sais faire",
        "welcome": "Bienvenue",
        "done": "C'est noté",
        "late": "Déjà répondu",
    },
    "en": {
        "help": "Here is what I can do",
        "welcome": "Welcome",
        "done": "Noted",
        "late": "Already answered",
    },
}


def say(text: str) -> Message:
    return Message((Section((Paragraph.of(text),)),), summary=text)


@dataclass
class StandInCore:
    database: Database
    seen: list[Inbound] = field(default_factory=list)
    answered: set[str] = field(default_factory=set)

    async def handle(self, inbound: Inbound) -> Outcome:
        self.seen.append(inbound)
        locale = negotiate([inbound.actor.locale_hint], "fr")
        words = WORDS[locale]
        await self._identity(inbound)
        if inbound.kind == "installed":
            join = Button("Join", "join", REF, value="42")
            card = Message((Section((Paragraph.of(words["welcome"]),)), Actions((join,))), "w")
            return Outcome(locale, messages=(card,))
        if inbound.kind == "action":
            key = inbound.ref.encode() if inbound.ref else ""
            if key in self.answered:
                return Outcome(locale, messages=(say(words["late"]),))
            self.answered.add(key)
            return Outcome(locale, messages=(say(words["done"]),))
        if inbound.kind == "submission":
            return Outcome(locale, form_answer=Done(say(words["done"])))
        if inbound.text.strip() == "help":
            return Outcome(locale, messages=(say(words["help"]),))
        return Outcome(
            locale, messages=(Message((Section((Paragraph((UserText(inbound.text),)),)),), "?"),)
        )

    async def _identity(self, inbound: Inbound) -> None:
        actor = inbound.actor
        async with self.database.unit_of_work() as session:
            found = (
                await session.execute(
                    select(PlatformIdentity).where(
                        PlatformIdentity.platform == "teams",
                        PlatformIdentity.user_id == actor.user_id,
                    )
                )
            ).scalar_one_or_none()
            if found is None:
                person = Person(first_name=actor.display_name, languages=[])
                session.add(person)
                await session.flush()
                session.add(
                    PlatformIdentity(
                        person_id=person.id,
                        platform="teams",
                        tenant_id=actor.tenant_id,
                        user_id=actor.user_id,
                    )
                )


@dataclass
class RunningBot:
    url: str
    core: Any  # the stand-in, or the real Conversation
    endpoint: TeamsEndpoint
    channel: TeamsChannel | None
    config: TeamsConfig
    http: aiohttp.ClientSession
    handlers: DueHandlers = field(default_factory=DueHandlers)

    async def post(
        self, body: Any, *, headers: dict[str, str] | None = None, raw: bytes | None = None
    ) -> tuple[int, Any]:
        sent_headers = {"Content-Type": "application/json", **(headers or {})}
        data = raw if raw is not None else json.dumps(body).encode()
        async with self.http.post(self.url, data=data, headers=sent_headers) as response:
            text = await response.text()
            status = response.status
        await within(self.endpoint.idle(), "the Teams endpoint to finish the activities in flight")
        try:
            return status, json.loads(text) if text else None
        except ValueError:
            return status, text


async def start_bot(
    database: Database,
    config: TeamsConfig,
    core: Core | None = None,
    due_handlers: DueHandlers | None = None,
) -> tuple[web.AppRunner, RunningBot]:
    app = web.Application()
    core = core or StandInCore(database)
    channel = mount(app, core, database, config, due_handlers)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, config.listen_host, 0)
    await site.start()
    port = runner.addresses[0][1]
    keys = app[TEAMS_ENDPOINT].signing_keys
    if keys is not None:  # fetched in the background: Teams answers 503 until they are in
        await asyncio.wait_for(keys.wait(), KEYS_DEADLINE_S)
    http = aiohttp.ClientSession()
    bot = RunningBot(
        f"http://127.0.0.1:{port}/api/messages",
        core,
        app[TEAMS_ENDPOINT],
        channel,
        config,
        http,
        due_handlers if due_handlers is not None else DueHandlers(),
    )
    return runner, bot


def authenticated_config(issuer: FakeOpenIdIssuer) -> TeamsConfig:
    return TeamsConfig(
        app_id=APP_ID,
        listen_host="127.0.0.1",
        tenant_ids=(TENANT,),
        openid_metadata_url=issuer.metadata_url,
        token_issuer=issuer.issuer,
        credentials_factory=StaticTokenCredentialsFactory(APP_ID, FAKE_OUTBOUND_TOKEN),
    )


@pytest.fixture
async def teams_bot(
    database: Database, openid_issuer: FakeOpenIdIssuer
) -> AsyncIterator[RunningBot]:
    runner, bot = await start_bot(database, authenticated_config(openid_issuer))
    yield bot
    await bot.http.close()
    await runner.cleanup()


@pytest.fixture
async def real_bot(
    database: Database, openid_issuer: FakeOpenIdIssuer
) -> AsyncIterator[RunningBot]:
    """The endpoint in front of the real conversation core, with its due-action handlers."""
    core = Conversation(
        database,
        ConversationConfig(default_locale="fr", teams_tenant_ids=(TENANT,)),
        clock=fixed_clock(),
    )
    runner, bot = await start_bot(
        database, authenticated_config(openid_issuer), core, DueHandlers()
    )
    yield bot
    await bot.http.close()
    await runner.cleanup()


def activity(service_url: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "message",
        "id": f"f:{uuid.uuid4().hex[:12]}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": "29:alice", "name": "Alice Martin", "aadObjectId": "aad-alice"},
        "recipient": {"id": f"28:{APP_ID}", "name": "Tandem"},
        "conversation": {"id": "a:alice-1on1", "conversationType": "personal", "tenantId": TENANT},
        "channelData": {"tenant": {"id": TENANT}},
        "locale": "fr-FR",
    }
    body.update(fields)
    return body
