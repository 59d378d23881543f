"""A pair's whole cycle through the server on loopback, driven as the platforms would.

Léa mentors in Slack from Paris (signed requests through the real endpoint); Marc, the
leader, is in Teams in Montréal (activities through the real Teams endpoint, replies through
the fake Bot Connector). Once with Léa in French and Marc in English, once the other way
round. The injected clock moves forward and the due queue is drained as the scheduler
would: each person notices things in their own words, at their own local hours.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from aiohttp import web
from babel.dates import format_datetime
from icalendar import Calendar, Event
from sqlalchemy import select, update

from bot.domain.sessions.busy import Busy
from bot.domain.sessions.nudges import NUDGES_ROUTINE
from bot.domain.sessions.series import instant
from bot.server import Runtime, create_app
from bot.settings import load_settings
from dialogs.core.i18n import Translator
from storage.db import Database
from storage.models import CheckIn, Pairing, Person
from storage.queue import DueQueue
from storage.routines import enqueue_fire
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.calendars import FakeGraph, serving
from tests.fakes.slack_api import FakeSlack, SlackCall
from tests.fakes.slack_directory import FakeUser
from tests.fakes.slack_signing import interactivity_request
from tests.slack.test_cards import click_on
from tests.support.clock import fixed_clock
from tests.support.waiting import within
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
    graph: bool = False  # Microsoft 365 free/busy configured (a fake Graph on loopback)

    @property
    def id(self) -> str:
        return f"lea-{self.lea}-marc-{self.marc}" + ("-graph" if self.graph else "")


LANGUAGES = (Languages("fr", "en"), Languages("en", "fr"), Languages("fr", "en", graph=True))
# With Graph: Léa is busy 14:00-16:00 every day in Paris; both calendars say they work
# 08:00-17:00 (Paris; Montréal): the only shared free hour starts at 16:00 in Paris.
LEA_BUSY = (time(14), time(16))


def lea_busy_days(start: datetime) -> list[tuple[datetime, datetime]]:
    days = [start.astimezone(PARIS).date() + timedelta(days=d) for d in range(40)]
    return [
        (datetime.combine(d, LEA_BUSY[0], PARIS), datetime.combine(d, LEA_BUSY[1], PARIS))
        for d in days
    ]


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

    def __init__(
        self, srv: Server, marc: Marc, lea: FakeUser, languages: Languages, graph: FakeGraph
    ) -> None:
        self.srv, self.marc, self.lea, self.graph = srv, marc, lea, graph
        self.for_lea, self.for_marc = Translator(languages.lea), Translator(languages.marc)
        self.languages = languages

    def lea_got(self, english: str) -> list[SlackCall]:
        """Léa's Slack messages holding these words, in her language."""
        return self.srv.posted_to(self.lea, self.for_lea(english))

    def marc_got(self, english: str) -> list[dict[str, Any]]:
        return self.marc.cards(self.for_marc(english))

    def marc_nudged(self) -> list[dict[str, Any]]:
        """Marc's nudges and digests: the cards he may snooze."""
        label = self.for_marc("Snooze 1 day")
        return [c for c in self.marc.cards("") if label in (b["title"] for b in buttons(c))]

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

    async def daily_round(self, moment: datetime) -> None:
        """The clock stands at ``moment``, where the scheduler fires the daily look at
        every pair (nudges, alerts); what falls due runs."""
        runtime = self.srv.runtime
        runtime.clock.set(moment)  # type: ignore[attr-defined]
        [routine] = [r for r in runtime.all_routines() if r.name == NUDGES_ROUTINE]
        if routine.kind not in runtime.handlers:  # the Ticker registers it; none runs here
            runtime.handlers.register(routine.kind)(routine.fn)
        await enqueue_fire(DueQueue(runtime.database), routine, moment)
        await self.srv.due()

    async def feed(self, url: str) -> dict[str, Event]:
        """A private calendar feed, as the person's calendar application reads it: events
        by UID."""
        async with aiohttp.ClientSession() as http, http.get(url) as got:
            assert got.status == 200
            assert got.content_type == "text/calendar"
            body = await within(got.read(), "the calendar feed")
        return {str(e["uid"]): e for e in Calendar.from_ical(body).walk("VEVENT")}


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
    graph = FakeGraph()
    async with (
        FakeSlack(users=(RH, lea, TOM)) as slack,
        FakeBotConnector() as connector,
        serving(graph),
    ):
        calendars: dict[str, str] = {}
        if languages.graph:
            calendars = {
                "graph_tenant_id": graph.tenant, "graph_client_id": graph.client_id,
                "graph_client_secret": graph.secret, "graph_login_url": graph.url,
                "graph_url": f"{graph.url}/v1.0",
            }  # fmt: skip
            graph.busy[lea.email] = lea_busy_days(fixed_clock().now())
            graph.working_zone[MARC_EMAIL] = "Eastern Standard Time"
        settings = load_settings(
            database_url=database_url, slack_bot_token=slack.bot_token,
            slack_signing_secret=SECRET, slack_api_url=slack.base_url,
            slack_team_ids=[slack.team_id], teams_tenant_ids=[TENANT],
            admins=[RH.email], quiet_hours_text="off", public_url=url, **calendars,
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
            yield Cycle(srv, marc, lea, languages, graph)
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
    if cycle.languages.graph:  # Léa's busy afternoons are never offered
        busy = [Busy(s, e) for s, e in cycle.graph.busy[cycle.lea.email]]
        assert not any(b.overlaps(at, at + timedelta(minutes=45)) for b in busy for at in offered)
        assert {at.astimezone(PARIS).time() for at in offered} == {LEA_BUSY[1]}
        asked = {e for call in cycle.graph.calls for e in call["schedules"]}
        assert asked == {cycle.lea.email, MARC_EMAIL}

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


def feed_link(said: str) -> str:
    """The private feed a message links (not the session's one-off file)."""
    [url] = set(re.findall(r"https?://[^\s|<>()\[\]]+/calendar/[A-Za-z0-9_-]+\.ics", said))
    return url


async def calendars_show(cycle: Cycle, start: datetime) -> list[str]:
    """Each person follows the feed link of their confirmation: it holds the session at
    the right UTC instant, the same event in both calendars."""
    [lea_told] = cycle.lea_got("Your first session is planned")
    marc_told = [
        c for c in cycle.marc_got("Your first session is planned") if "Outlook" in texts(c)
    ]
    links = [feed_link(json.dumps(lea_told.args)), feed_link(texts(marc_told[0]))]
    assert links[0] != links[1]  # each their own, private
    feeds = [await cycle.feed(url) for url in links]
    for events in feeds:
        [event] = events.values()
        assert event.decoded("dtstart").astimezone(UTC) == start
        assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=45)
    assert feeds[0].keys() == feeds[1].keys()  # the same session in both calendars
    return links


async def reminders(cycle: Cycle, start: datetime) -> None:
    """24 h and 1 h before, each on their own platform, at the session's own local hour
    (Paris for Léa, Montréal for Marc) the day before, then an hour before."""
    await cycle.move_to(start - timedelta(hours=24, minutes=1))
    assert cycle.lea_got("Your session is coming up") == []
    assert cycle.marc_got("Your session is coming up") == []
    await cycle.move_to(start - timedelta(hours=24))
    [lea_first] = cycle.lea_got("Your session is coming up")
    [marc_first] = cycle.marc_got("Your session is coming up")
    assert slack_instant(lea_first, start) and teams_instant(marc_first, start)
    now = cycle.srv.runtime.clock.now()
    for zone in (PARIS, MONTREAL):  # same local hour as the session, the day before
        here, then = now.astimezone(zone), start.astimezone(zone)
        assert (here.date(), here.time()) == (then.date() - timedelta(days=1), then.time())
    said = json.dumps(lea_first.args, ensure_ascii=False)
    assert all(
        cycle.for_lea(w) in said for w in ("Reschedule", "Skip this one", "Cancel the session")
    )
    assert {cycle.for_marc(w) for w in ("Reschedule", "Skip this one", "Cancel the session")} <= {
        b["title"] for b in buttons(marc_first)
    }
    await cycle.move_to(start - timedelta(hours=1, minutes=1))
    assert len(cycle.lea_got("Your session is coming up")) == 1
    await cycle.move_to(start - timedelta(hours=1))
    assert len(cycle.lea_got("Your session is coming up")) == 2
    assert len(cycle.marc_got("Your session is coming up")) == 2


async def did_it_happen(cycle: Cycle, start: datetime) -> datetime:
    """An hour after the end both are asked; both say yes; the next session follows at
    the pair's cadence (every two weeks), at the same Montréal wall time (the leader's)."""
    end = start + timedelta(minutes=45)
    await cycle.move_to(end + timedelta(minutes=59))
    assert cycle.lea_got("Did your session happen?") == []
    await cycle.move_to(end + timedelta(hours=1))
    [lea_question] = cycle.lea_got("Did your session happen?")
    [marc_question] = cycle.marc_got("Did your session happen?")
    await cycle.lea_clicks(lea_question, "Yes")
    await cycle.marc_clicks(marc_question, "Yes")
    await cycle.srv.due()
    local = start.astimezone(MONTREAL)
    following = instant(local.date() + timedelta(days=14), local.time(), "America/Montreal")
    [lea_next] = cycle.lea_got("Your next session is planned")
    [marc_next] = cycle.marc_got("Your next session is planned")
    assert slack_instant(lea_next, following) and teams_instant(marc_next, following)
    return following


def weekday_after(day: date) -> date:
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


async def reschedule(cycle: Cycle, following: datetime, feeds: list[str]) -> datetime:
    """From his reminder, Marc moves the next session to the next working day, typed in
    his own time; Léa is told; both feeds show the same UID with SEQUENCE + 1."""
    await cycle.move_to(following - timedelta(hours=24))
    feed = await cycle.feed(feeds[0])
    [uid] = [u for u, e in feed.items() if e.decoded("dtstart").astimezone(UTC) == following]
    sequence = int(feed[uid]["sequence"])
    reminder = cycle.marc_got("Your session is coming up")[-1]
    assert teams_instant(reminder, following)
    form = await cycle.marc_clicks(reminder, "Reschedule")
    local = following.astimezone(MONTREAL)
    day = weekday_after(local.date())
    moved = instant(day, local.time(), "America/Montreal")
    typed = {"day": day.isoformat(), "time": local.strftime("%H:%M")}
    await cycle.marc_clicks(form, "Move it", typed)
    await cycle.srv.due()
    [told] = cycle.lea_got(" moved your session to ")
    assert slack_instant(told, moved)
    for url in feeds:
        event = (await cycle.feed(url))[uid]
        assert int(event["sequence"]) == sequence + 1
        assert event.decoded("dtstart").astimezone(UTC) == moved
    return moved


async def nudged_and_snoozed(cycle: Cycle, moved: datetime) -> datetime:
    """Nobody says whether the moved session happened: at the daily round after a day's
    grace Léa is nudged in her words (two nudges a week at most); she snoozes that one; it
    stays away while snoozed and while her week is full, and comes back the next week."""
    paris_day = (moved + timedelta(days=2)).astimezone(PARIS).date()
    morning = instant(paris_day, time(10), "Europe/Paris")
    await cycle.daily_round(morning)
    week = cycle.lea_got("Snooze 1 day")
    assert 1 <= len(week) <= 2
    [nudge] = cycle.lea_got("Your last session with ")
    assert "Marc Durand" in json.dumps(nudge.args, ensure_ascii=False)
    await cycle.lea_clicks(nudge, "Snooze 1 day")
    await cycle.daily_round(morning + timedelta(hours=2))  # again the same day: nothing new
    for days in (1, 2, 3):
        await cycle.daily_round(morning + timedelta(days=days))
        assert len(cycle.lea_got("Snooze 1 day")) == len(week)
    await cycle.daily_round(morning + timedelta(days=7))
    assert len(cycle.lea_got("Your last session with ")) == 2
    return morning


async def at_risk(cycle: Cycle, morning: datetime) -> None:
    """Marc ignores his nudges: two days after the second, the program admin (Rose, Slack,
    French) gets one alert naming the pair instead of a third nudge; nobody is removed."""
    alert = "Un binôme a peut-être besoin de vous"
    assert len(cycle.marc_nudged()) == 2
    await cycle.daily_round(morning + timedelta(days=8))
    assert cycle.srv.posted_to(RH, alert) == []
    await cycle.daily_round(morning + timedelta(days=9))
    [told] = cycle.srv.posted_to(RH, alert)
    said = json.dumps(told.args, ensure_ascii=False)
    assert "Léa Martin" in said and "Marc Durand" in said and "admin sessions" in said
    for days in (14, 21):
        await cycle.daily_round(morning + timedelta(days=days))
    assert len(cycle.marc_nudged()) == 2 and len(cycle.srv.posted_to(RH, alert)) == 1
    async with cycle.srv.runtime.database.unit_of_work() as session:
        assert (await session.scalars(select(Pairing.status))).all() == ["active"]


@pytest.mark.usefixtures("database_url")
async def test_a_pair_across_slack_and_teams_goes_through_the_whole_cycle(cycle: Cycle) -> None:
    await paired(cycle)
    start = await first_session(cycle)
    feeds = await calendars_show(cycle, start)
    await reminders(cycle, start)
    following = await did_it_happen(cycle, start)
    moved = await reschedule(cycle, following, feeds)
    morning = await nudged_and_snoozed(cycle, moved)
    await at_risk(cycle, morning)
