"""A pair's whole cycle through the server on loopback, driven as the platforms would.

Léa mentors in Slack from Paris (signed requests through the real endpoint); Marc, the
leader, is in Teams in Montréal (activities through the real Teams endpoint, replies through
the fake Bot Connector). Once with Léa in French and Marc in English, once the other way
round. The injected clock moves forward and the due queue is drained as the scheduler
would: each person notices things in their own words, at their own local hours.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from babel.dates import format_datetime
from sqlalchemy import select, update

from bot.server import Runtime, create_app
from bot.settings import load_settings
from dialogs.core.i18n import Translator
from storage.db import Database
from storage.models import CheckIn, Person
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_api import FakeSlack, SlackCall
from tests.fakes.slack_directory import FakeUser
from tests.fakes.slack_signing import interactivity_request
from tests.slack.test_cards import click_on
from tests.support.clock import fixed_clock
from tests.teams.cards import buttons, texts
from tests.teams.conftest import TENANT, activity
from tests.test_matching_over_platforms import (
    MARC_EMAIL,
    RH,
    SECRET,
    TOM,
    Server,
    TeamsPerson,
    admin_sends,
    seed,
)
from tests.test_server import free_port

pytestmark = pytest.mark.timeout(240)

PARIS, MONTREAL = ZoneInfo("Europe/Paris"), ZoneInfo("America/Montreal")


@dataclass(frozen=True)
class Languages:
    lea: str  # Léa's Slack locale, then Marc's Teams locale
    marc: str

    @property
    def id(self) -> str:
        return f"lea-{self.lea}-marc-{self.marc}"


LANGUAGES = (Languages("fr", "en"), Languages("en", "fr"))


class Marc(TeamsPerson):
    """Marc in his Teams client, in the language his client reports."""

    def __init__(self, server: Server, connector: FakeBotConnector, locale: str) -> None:
        super().__init__(server, connector)
        self.locale = locale

    def _activity(self, **fields: Any) -> dict[str, Any]:
        return activity(
            self.connector.service_url, locale=f"{self.locale}-{self.locale.upper()}",
            conversation={"id": self.chat, "conversationType": "personal", "tenantId": TENANT},
            **{"from": {"id": self.member_id, "name": "Marc Durand", "aadObjectId": "aad-marc"}},
            **fields,
        )  # fmt: skip


class Cycle:
    """The pair on their platforms, and the clock that moves under them."""

    def __init__(self, srv: Server, marc: Marc, lea: FakeUser, languages: Languages) -> None:
        self.srv, self.marc, self.lea = srv, marc, lea
        self.for_lea, self.for_marc = Translator(languages.lea), Translator(languages.marc)
        self.languages = languages

    def lea_got(self, english: str) -> list[SlackCall]:
        """Léa's Slack messages holding these words, in her language."""
        return self.srv.posted_to(self.lea, self.for_lea(english))

    def marc_got(self, english: str) -> list[dict[str, Any]]:
        return self.marc.cards(self.for_marc(english))

    async def lea_clicks(self, message: SlackCall, english: str) -> None:
        label = self.for_lea(english)
        await self.srv.slack_post(
            interactivity_request(SECRET, click_on(self.srv.slack, self.lea.id, message, label))
        )

    async def marc_clicks(
        self, card: dict[str, Any], english: str, typed: dict[str, str] | None = None
    ) -> dict[str, Any]:
        return await self.marc.clicks(card, self.for_marc(english), typed)

    async def move_to(self, moment: datetime) -> None:
        """The clock stands at ``moment``; what is due by then runs."""
        self.srv.runtime.clock.set(moment)  # type: ignore[attr-defined]
        await self.srv.due()

    async def ids(self) -> tuple[str, str]:
        async with self.srv.runtime.database.unit_of_work() as session:
            people = {p.email: p.id for p in await session.scalars(select(Person))}
        return people[self.lea.email], people[MARC_EMAIL]


def slack_instant(message: SlackCall, at: datetime) -> bool:
    """Slack shows the instant in the reader's own zone (``<!date^epoch^…>``)."""
    return f"<!date^{int(at.timestamp())}^" in json.dumps(message.args)


def teams_instant(card: dict[str, Any], at: datetime) -> bool:
    """Teams shows the instant in the reader's own zone (``{{TIME(…Z)}}``)."""
    return f"{{{{TIME({at.strftime('%Y-%m-%dT%H:%M:%SZ')})}}}}" in texts(card)


@pytest.fixture(params=LANGUAGES, ids=[lang.id for lang in LANGUAGES])
async def cycle(database_url: str, request: pytest.FixtureRequest) -> AsyncIterator[Cycle]:
    languages: Languages = request.param
    region = {"fr": "fr-FR", "en": "en-US"}[languages.lea]
    lea = FakeUser("U0LEA0001", "lea", "lea@acme.example", "Europe/Paris", region, "Léa Martin")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    async with FakeSlack(users=(RH, lea, TOM)) as slack, FakeBotConnector() as connector:
        settings = load_settings(
            database_url=database_url, slack_bot_token=slack.bot_token,
            slack_signing_secret=SECRET, slack_api_url=slack.base_url,
            slack_team_ids=[slack.team_id], teams_tenant_ids=[TENANT],
            admins=[RH.email], quiet_hours_text="off", public_url=url,
        )  # fmt: skip
        runtime = Runtime(
            settings=settings, database=Database(database_url), mode="serve",
            secret_key="cycle-test-secret-0123456789", clock=fixed_clock(),
        )  # fmt: skip
        runner = web.AppRunner(create_app(runtime, clock=False), shutdown_timeout=5)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        srv = Server(runner, url, slack)
        try:
            await seed(runtime.database)
            marc = Marc(srv, connector, languages.marc)
            yield Cycle(srv, marc, lea, languages)
            assert slack.violations == [] and connector.violations == []
        finally:
            await srv.http.close()
            await runner.cleanup()


async def paired(cycle: Cycle) -> None:
    """Everyone has talked to Tandem once; the admin sends Léa and Marc's proposal (the
    matching test's round); both accept, each on their own platform."""
    srv, marc = cycle.srv, cycle.marc
    for person in (RH, cycle.lea, TOM):
        await srv.command(person, "help")
    await marc.says("help")
    async with srv.runtime.database.unit_of_work() as session:  # his HR record's office
        await session.execute(
            update(Person).where(Person.email == MARC_EMAIL).values(timezone="America/Montreal")
        )
    await admin_sends(srv)
    [lea_card] = cycle.lea_got("A reverse-mentoring partner for you")
    [marc_card] = cycle.marc_got("A reverse-mentoring partner for you")
    await cycle.lea_clicks(lea_card, "Accept")
    await cycle.marc_clicks(marc_card, "Accept")
    await srv.due(days=0.01)  # the introduction, then the slots a minute later


async def first_session(cycle: Cycle) -> datetime:
    """Slots in each reader's zone and words; Marc picks in Teams, Léa confirms in Slack."""
    [lea_slots] = cycle.lea_got("Pick a time for your first session with ")
    [marc_slots] = cycle.marc_got("Pick a time for your first session with ")
    async with cycle.srv.runtime.database.unit_of_work() as session:
        check_in = (await session.scalars(select(CheckIn))).one()
        offered = [datetime.fromisoformat(s) for s in check_in.slots]
    assert 3 <= len(offered) <= 5

    def labels(zone: ZoneInfo, locale: str) -> list[str]:
        return [format_datetime(at.astimezone(zone), "EEE d MMM, HH:mm", locale=locale)
                for at in offered]  # fmt: skip

    marc_labels = labels(MONTREAL, cycle.languages.marc)
    assert [b["title"] for b in buttons(marc_slots)][: len(offered)] == marc_labels
    shown_to_lea = json.dumps(lea_slots.args, ensure_ascii=False)
    assert all(label in shown_to_lea for label in labels(PARIS, cycle.languages.lea))
    for at in offered:  # working hours on both sides of the Atlantic, different days
        assert at.astimezone(MONTREAL).hour >= 8 and at.astimezone(PARIS).hour < 20
    assert len({at.astimezone(MONTREAL).date() for at in offered}) == len(offered)

    await cycle.marc.clicks(marc_slots, marc_labels[1])
    await cycle.srv.due()
    [ask] = cycle.lea_got("Confirm your first session")
    await cycle.lea_clicks(ask, "Confirm")
    await cycle.srv.due()
    start = offered[1]
    [lea_told] = cycle.lea_got("Your first session is planned")
    assert slack_instant(lea_told, start)
    planned = cycle.marc_got("Your first session is planned")
    assert planned and all(teams_instant(card, start) for card in planned)
    assert timedelta(0) < start - cycle.srv.runtime.clock.now() < timedelta(days=15)
    return start


@pytest.mark.usefixtures("database_url")
async def test_a_pair_across_slack_and_teams_goes_through_the_whole_cycle(cycle: Cycle) -> None:
    await paired(cycle)
    start = await first_session(cycle)
    assert start > cycle.srv.runtime.clock.now()
