"""A Teams user is linked to the person imported from the HRIS through the email the
connector's member lookup tells (Teams activities carry none), inside the allow-list only."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from dialogs.core.conversation import Conversation, ConversationConfig
from storage.db import Database
from storage.due_runner import DueHandlers
from storage.models import Person, PlatformIdentity
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.openid_issuer import FakeOpenIdIssuer
from tests.support.clock import fixed_clock
from tests.teams.cards import bearer
from tests.teams.conftest import TENANT, RunningBot, activity, authenticated_config, start_bot

LEA = {
    "id": "29:lea",
    "name": "Léa Dupont",
    "aadObjectId": "aad-lea",
    "email": "Lea@Acme.example",
    "userPrincipalName": "lea@acme.example",
    "tenantId": "ignored-by-the-bot",
}


@pytest.fixture
async def any_tenant_bot(
    database: Database, openid_issuer: FakeOpenIdIssuer
) -> AsyncIterator[RunningBot]:
    """The real core with no allow-list: every tenant talks, no email is trusted."""
    core = Conversation(
        database, ConversationConfig(default_locale="fr", teams_tenant_ids=()), clock=fixed_clock()
    )
    config = dataclasses.replace(authenticated_config(openid_issuer), tenant_ids=())
    runner, bot = await start_bot(database, config, core, DueHandlers())
    yield bot
    await bot.http.close()
    await runner.cleanup()


async def import_lea(database: Database) -> str:
    async with database.unit_of_work() as session:
        person = Person(email="lea@acme.example", first_name="Léa", last_name="Dupont")
        session.add(person)
        await session.flush()
        return person.id


async def lea_says(
    bot: RunningBot, issuer: FakeOpenIdIssuer, connector: FakeBotConnector, text: str
) -> dict[str, Any]:
    body = activity(
        connector.service_url,
        text=text,
        conversation={
            "id": "a:lea-1on1",
            "conversationType": "personal",
            "tenantId": TENANT,
        },
        **{"from": {"id": "29:lea", "name": "Léa Dupont", "aadObjectId": "aad-lea"}},
    )
    status, _ = await bot.post(body, headers=bearer(issuer, connector))
    assert status == 200
    return connector.sent_to("a:lea-1on1")[-1]


async def people(database: Database) -> tuple[list[Person], PlatformIdentity]:
    async with database.unit_of_work() as session:
        persons = list((await session.execute(select(Person))).scalars().all())
        identity = (
            await session.execute(
                select(PlatformIdentity).where(
                    PlatformIdentity.platform == "teams", PlatformIdentity.user_id == "aad-lea"
                )
            )
        ).scalar_one()
        return persons, identity


def member_lookups(connector: FakeBotConnector) -> list[str | None]:
    return [c.activity_id for c in connector.calls if c.operation == "get_member"]


async def test_allowed_tenant_links_the_imported_person_by_the_members_email(
    real_bot: RunningBot, openid_issuer: FakeOpenIdIssuer, fake_connector: FakeBotConnector
) -> None:
    imported = await import_lea(real_bot.core.database)
    fake_connector.members["29:lea"] = LEA

    reply = await lea_says(real_bot, openid_issuer, fake_connector, "help")
    assert reply["attachments"], "Léa got an answer"
    persons, identity = await people(real_bot.core.database)
    assert [p.id for p in persons] == [imported]
    assert identity.person_id == imported and identity.tenant_id == TENANT
    assert identity.email == "lea@acme.example"

    # The next activities use the answer kept in the process: one lookup in all.
    await lea_says(real_bot, openid_issuer, fake_connector, "help")
    assert member_lookups(fake_connector) == ["29:lea"]
    assert fake_connector.violations == []


async def test_any_tenant_does_not_trust_the_email(
    any_tenant_bot: RunningBot, openid_issuer: FakeOpenIdIssuer, fake_connector: FakeBotConnector
) -> None:
    imported = await import_lea(any_tenant_bot.core.database)
    fake_connector.members["29:lea"] = LEA

    await lea_says(any_tenant_bot, openid_issuer, fake_connector, "help")
    persons, identity = await people(any_tenant_bot.core.database)
    assert len(persons) == 2
    assert identity.person_id != imported
    assert member_lookups(fake_connector) == ["29:lea"]


@pytest.mark.parametrize("status", [403, 404])
async def test_a_failed_lookup_leaves_the_email_unknown_and_answers(
    real_bot: RunningBot,
    openid_issuer: FakeOpenIdIssuer,
    fake_connector: FakeBotConnector,
    status: int,
) -> None:
    imported = await import_lea(real_bot.core.database)
    if status == 403:
        fake_connector.members["29:lea"] = LEA
        fake_connector.fail_next(403)  # the bot may not read the conversation's members
    reply = await lea_says(real_bot, openid_issuer, fake_connector, "help")
    assert reply["attachments"], "Léa got an answer anyway"
    persons, identity = await people(real_bot.core.database)
    assert len(persons) == 2 and identity.person_id != imported
    assert [c.status for c in fake_connector.calls if c.operation == "get_member"] == [status]
