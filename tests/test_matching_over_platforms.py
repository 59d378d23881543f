"""Matching end to end through the whole server, Slack and Teams side by side on loopback.

An admin in Slack runs ``/tandem admin match`` (signed), reads the dry run and clicks
*Send*; the mentor (Slack) and the mentee (Teams) receive proposal cards on their own
platform. The mentee declines in Teams (with a private reason), the mentor is told without
it and her card is closed; the next round proposes another mentor, both accept, and an
introduction opens on each side.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select

from bot.server import RUNTIME, Runtime, create_app
from bot.settings import load_settings
from handlers.slack.app import SLACK_APP_KEY
from handlers.teams.app import TEAMS_ENDPOINT
from storage.db import Database
from storage.due_runner import DueRunner
from storage.models import CareerStage, Enrollment, Pairing, Person, Program, Proposal
from storage.queue import DueQueue
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_api import FakeSlack, SlackCall
from tests.fakes.slack_directory import FakeUser
from tests.fakes.slack_signing import interactivity_request, slash_command_request
from tests.slack.test_cards import click_on
from tests.support.clock import fixed_clock
from tests.support.waiting import within
from tests.teams.cards import buttons, card_of, click, inputs, texts
from tests.teams.conftest import TENANT, activity

SECRET = "matching-test-signing-secret"

RH = FakeUser("U0RH00001", "rh", "rh@acme.example", "Europe/Paris", "fr-FR", "Rose Hamel")
LEA = FakeUser("U0LEA0001", "lea", "lea@acme.example", "Europe/Paris", "fr-FR", "Léa Martin")
TOM = FakeUser("U0TOM0001", "tom", "tom@acme.example", "Europe/London", "en-US", "Tom Baker")
MARC_EMAIL = "marc@acme.example"
FORM_VERB = "tandem.form.submit"


class Server:
    def __init__(self, runner: web.AppRunner, url: str, slack: FakeSlack) -> None:
        self.runner, self.url, self.slack = runner, url, slack
        self.runtime: Runtime = runner.app[RUNTIME]
        self.http = aiohttp.ClientSession()

    async def settle(self) -> None:
        slack, teams = self.runner.app[SLACK_APP_KEY], self.runner.app[TEAMS_ENDPOINT]
        await within(slack.inbox.drain(), "the Slack inbox to finish its work in flight")
        await within(teams.idle(), "the Teams endpoint to finish the activities in flight")

    async def slack_post(self, signed: Any) -> None:
        async with self.http.post(
            f"{self.url}/slack/events", data=signed.body, headers=signed.headers
        ) as response:
            assert response.status == 200
        await self.settle()

    async def command(self, user: FakeUser, text: str) -> None:
        await self.slack_post(
            slash_command_request(
                SECRET,
                text=text,
                user_id=user.id,
                team_id=self.slack.team_id,
                channel_id=f"D{user.id[1:]}",
            )
        )

    async def teams(self, body: dict[str, Any]) -> Any:
        async with self.http.post(f"{self.url}/api/messages", json=body) as response:
            assert response.status in (200, 201, 202), await response.text()
            text = await response.text()
        await self.settle()
        return json.loads(text) if text else None

    async def due(self, days: float = 0) -> None:
        """Run what is due (and what that queues) as the clock would."""
        runner = DueRunner(
            DueQueue(self.runtime.database), self.runtime.handlers, clock=self.runtime.clock
        )
        at = self.runtime.clock.now() + timedelta(days=days, seconds=5)
        for _ in range(10):
            report = await runner.drain(at)
            assert report.parked == 0
            if not report.done and not report.retried:
                return
        raise AssertionError("the queue did not settle")

    def posted_to(self, user: FakeUser, words: str) -> list[SlackCall]:
        return [
            c for c in self.slack.calls_to("chat.postMessage")
            if words in json.dumps(c.args, ensure_ascii=False) and c.answer is not None
            and str(c.answer["channel"]).endswith(user.id[1:])
        ]  # fmt: skip


class TeamsPerson:
    """Marc in his Teams client: a 1:1 chat with Tandem, cards he clicks."""

    def __init__(self, server: Server, connector: FakeBotConnector) -> None:
        self.server, self.connector = server, connector
        self.member_id, self.chat = "29:marc", "a:marc-1on1"
        connector.members[self.member_id] = {
            "id": self.member_id, "name": "Marc Durand", "aadObjectId": "aad-marc",
            "email": MARC_EMAIL, "userPrincipalName": MARC_EMAIL,
        }  # fmt: skip

    def _activity(self, **fields: Any) -> dict[str, Any]:
        return activity(
            self.connector.service_url, locale="en-US",
            conversation={"id": self.chat, "conversationType": "personal", "tenantId": TENANT},
            **{"from": {"id": self.member_id, "name": "Marc Durand", "aadObjectId": "aad-marc"}},
            **fields,
        )  # fmt: skip

    async def says(self, text: str) -> None:
        await self.server.teams(self._activity(text=text))

    def cards(self, words: str) -> list[dict[str, Any]]:
        return [
            card_of(a) for a in self.connector.sent_to(self.chat)
            if a.get("attachments") and words in texts(card_of(a))
        ]  # fmt: skip

    async def clicks(self, card: dict[str, Any], title: str, typed: dict[str, str] | None = None
                     ) -> dict[str, Any]:  # fmt: skip
        [pressed] = [b for b in buttons(card) if b["title"] == title]
        body = click(self.connector.service_url, pressed, typed)
        answer = await self.server.teams(
            {**self._activity(), **{k: body[k] for k in ("type", "name", "value", "replyToId")}}
        )
        assert answer["statusCode"] == 200, answer
        shown: dict[str, Any] = answer["value"]
        return shown


@pytest.fixture
async def server(database_url: str) -> AsyncIterator[tuple[Server, FakeBotConnector]]:
    async with FakeSlack(users=(RH, LEA, TOM)) as slack, FakeBotConnector() as connector:
        settings = load_settings(
            database_url=database_url, slack_bot_token=slack.bot_token,
            slack_signing_secret=SECRET, slack_api_url=slack.base_url,
            slack_team_ids=[slack.team_id], teams_tenant_ids=[TENANT],
            admins=[RH.email], quiet_hours_text="off",
        )  # fmt: skip
        runtime = Runtime(
            settings=settings, database=Database(database_url), mode="serve", clock=fixed_clock(),
            secret_key="matching-test-calendar-key",
        )  # fmt: skip
        runner = web.AppRunner(create_app(runtime, clock=False))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        running = Server(runner, f"http://127.0.0.1:{runner.addresses[0][1]}", slack)
        try:
            await seed(runtime.database)
            yield running, connector
            assert slack.violations == [] and connector.violations == []
        finally:
            await running.http.close()
            await runner.cleanup()


async def seed(database: Database) -> None:
    """The HRIS import and the enrollments: two young mentors, one leader."""
    async with database.unit_of_work() as session:
        stages = {s.key: s.id for s in (await session.scalars(select(CareerStage))).all()}
        program = Program(slug="rm-2027", name="Mentorat inversé 2027", timezone="Europe/Paris",
                          starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31), status="open")  # fmt: skip
        session.add(program)
        people = {
            "rh": Person(email=RH.email, first_name="Rose", last_name="Hamel"),
            "lea": Person(email=LEA.email, first_name="Léa", last_name="Martin",
                          department="Marketing", career_stage_id=stages["junior"]),
            "tom": Person(email=TOM.email, first_name="Tom", last_name="Baker",
                          department="IT", career_stage_id=stages["junior"]),
            "marc": Person(email=MARC_EMAIL, first_name="Marc", last_name="Durand",
                           department="Finance", career_stage_id=stages["director"],
                           title="CFO"),
        }  # fmt: skip
        session.add_all(people.values())
        await session.flush()
        for key, role, offers, wants in (
            ("lea", "mentor", ["seo", "social_ads"], []),
            ("tom", "mentor", ["seo"], []),
            ("marc", "mentee", [], ["seo", "social_ads"]),
        ):
            session.add(
                Enrollment(
                    program_id=program.id, person_id=people[key].id, role=role, status="active",
                    skills_offered=[{"skill": k, "level": 4} for k in offers],
                    skills_wanted=[{"skill": k, "level": 1} for k in wants],
                    languages=["fr", "en"], capacity=1, goals="Lead our digital shift",
                )
            )  # fmt: skip


async def admin_sends(server: Server) -> None:
    await server.command(RH, "admin match")
    [report] = server.posted_to(RH, "Simulation")[-1:]
    await server.slack_post(
        interactivity_request(SECRET, click_on(server.slack, RH.id, report, "Envoyer 1 proposition"))
    )  # fmt: skip
    await server.due()


async def proposals_sent(
    server: tuple[Server, FakeBotConnector],
) -> tuple[Server, TeamsPerson]:
    """Everyone has talked to Tandem once (each platform knows them); the admin sends."""
    srv, connector = server
    marc = TeamsPerson(srv, connector)
    for person in (RH, LEA, TOM):
        await srv.command(person, "help")
    await marc.says("help")
    await admin_sends(srv)
    return srv, marc


async def test_dry_run_send_decline_next_round_accept_and_intro(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, connector = server
    marc = TeamsPerson(srv, connector)
    for person in (RH, LEA, TOM):  # they have talked to Tandem once: Slack knows them
        await srv.command(person, "help")
    await marc.says("help")

    # Round 1: Léa (both of Marc's skills) is proposed to Marc.
    await srv.command(RH, "admin match")
    report = json.dumps(srv.posted_to(RH, "Simulation")[-1].args, ensure_ascii=False)
    assert "1 mentoré sur 1 a un binôme" in report and "Léa Martin → Marc Durand" in report
    assert srv.posted_to(LEA, "binôme de mentorat inversé pour vous") == []  # a dry run only
    await admin_sends(srv)
    [lea_card] = srv.posted_to(LEA, "Un binôme de mentorat inversé pour vous")
    [marc_card] = marc.cards("A reverse-mentoring partner for you")
    assert "Léa Martin" in texts(marc_card) and "Why this pair:" in texts(marc_card)

    # Marc declines in Teams, with a reason only the program team may read.
    form = await marc.clicks(marc_card, "Decline")
    assert "reason" in inputs(form)
    done = await marc.clicks(form, "Decline", {"reason": "We already work together"})
    assert "you declined the proposal" in texts(done)
    await srv.due()
    told = srv.posted_to(LEA, "ne se fera pas")
    assert len(told) == 1 and "already work" not in json.dumps(told[0].args)
    closed = [c for c in srv.slack.calls_to("chat.update")
              if c.args.get("ts") == lea_card.answer["ts"]]  # fmt: skip
    assert closed and "Accepter" not in json.dumps(closed[-1].args, ensure_ascii=False)

    # Round 2: Léa and Marc are never proposed again; Tom is.
    await srv.command(RH, "admin match")
    report = json.dumps(srv.posted_to(RH, "Simulation")[-1].args, ensure_ascii=False)
    assert "Tom Baker → Marc Durand" in report and "Léa Martin → Marc" not in report
    await admin_sends(srv)
    [tom_card] = srv.posted_to(TOM, "A reverse-mentoring partner for you")
    [marc_card] = [c for c in marc.cards("A reverse-mentoring partner for you")
                   if "Tom Baker" in texts(c)]  # fmt: skip
    await srv.slack_post(
        interactivity_request(SECRET, click_on(srv.slack, TOM.id, tom_card, "Accept"))
    )
    answered = await marc.clicks(marc_card, "Accept")
    assert "You both accepted" in texts(answered)
    await srv.due()

    async with srv.runtime.database.unit_of_work() as session:
        pairing = (await session.scalars(select(Pairing))).one()
        names = {p.id: p.first_name for p in (await session.scalars(select(Person))).all()}
        assert (names[pairing.mentor_id], names[pairing.mentee_id], pairing.status) == (
            "Tom", "Marc", "active")  # fmt: skip
        declined = (await session.scalars(select(Proposal).where(
            Proposal.status == "declined"))).one()  # fmt: skip
        assert declined.decline_reason == "We already work together"
    # The introduction: Tom in Slack, Marc in Teams, each naming the other.
    intro_tom = srv.posted_to(TOM, "Meet your reverse-mentoring partner")
    assert intro_tom and "Marc Durand" in json.dumps(intro_tom[-1].args)
    [intro_marc] = marc.cards("Meet your reverse-mentoring partner") or [
        card_of(a) for a in connector.activities
        if a.get("attachments") and "Meet your reverse-mentoring partner" in texts(card_of(a))
    ]  # fmt: skip
    assert "Tom Baker" in texts(intro_marc)


async def test_unanswered_proposals_are_reminded_once_then_closed_on_both_platforms(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, marc = await proposals_sent(server)
    connector = marc.connector
    [lea_card] = srv.posted_to(LEA, "Un binôme de mentorat inversé pour vous")
    assert len(marc.cards("A reverse-mentoring partner for you")) == 1

    await srv.due(days=4)  # halfway: one reminder each, on their own platform
    assert len(srv.posted_to(LEA, "Rappel")) == 1
    assert len(marc.cards("Reminder: a reverse-mentoring partner for you")) == 1
    await srv.due(days=4)
    assert len(srv.posted_to(LEA, "Rappel")) == 1  # never twice

    await srv.due(days=8)  # expired: every card of the proposal loses its buttons
    updated = [c for c in srv.slack.calls_to("chat.update") if c.args.get("channel")]
    lea_ts = {lea_card.answer["ts"], *(c.answer["ts"] for c in srv.posted_to(LEA, "Rappel"))}
    closed = [c for c in updated if c.args.get("ts") in lea_ts]
    assert len(closed) == 2
    assert all("Accepter" not in json.dumps(c.args, ensure_ascii=False) for c in closed)
    teams_updates = [c for c in connector.calls if c.operation == "update"]
    assert len(teams_updates) == 2
    assert all("Accept" not in json.dumps(c.body) for c in teams_updates)
    assert srv.posted_to(LEA, "a expiré")
    assert marc.cards("expired") or any(
        "expired" in json.dumps(a) for a in connector.sent_to(marc.chat)
    )
    async with srv.runtime.database.unit_of_work() as session:
        assert [p.status for p in (await session.scalars(select(Proposal))).all()] == ["expired"]
