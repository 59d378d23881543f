"""The first session scheduled end to end through the whole server on loopback: Léa in
Slack (French, Paris), Marc in Teams (English, Montréal). Both accept the proposal; each
gets the slot card on their own platform in their own time and words; Marc picks in Teams;
Léa confirms in Slack with a signed click; both are told, the session is planned in Marc's
(the leader's) zone."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from icalendar import Calendar
from sqlalchemy import select, update

from storage.models import CheckIn, Person
from tests.fakes.bot_connector import FakeBotConnector
from tests.fakes.slack_signing import interactivity_request
from tests.slack.test_cards import click_on
from tests.teams.cards import Json, buttons, texts
from tests.test_matching_over_platforms import (
    LEA,
    MARC_EMAIL,
    SECRET,
    Server,
    proposals_sent,
    server,
)

__all__ = ["server"]  # the fixture, shared with the matching test
MONTREAL = ZoneInfo("America/Montreal")


async def test_slots_pick_in_teams_confirm_in_slack(
    server: tuple[Server, FakeBotConnector],
) -> None:
    srv, marc = await proposals_sent(server)
    async with srv.runtime.database.unit_of_work() as session:
        await session.execute(
            update(Person).where(Person.email == MARC_EMAIL).values(timezone="America/Montreal")
        )
    [lea_card] = srv.posted_to(LEA, "Un binôme de mentorat inversé pour vous")
    [marc_card] = marc.cards("A reverse-mentoring partner for you")
    await srv.slack_post(
        interactivity_request(SECRET, click_on(srv.slack, LEA.id, lea_card, "Accepter"))
    )
    await marc.clicks(marc_card, "Accept")
    await srv.due(days=0.01)  # the introduction, then the slots a minute later

    [lea_slots] = srv.posted_to(LEA, "Choisissez un horaire pour votre première séance")
    [marc_slots] = marc.cards("Pick a time for your first session with")
    assert "Léa Martin" in texts(marc_slots)
    titles = [b["title"] for b in buttons(marc_slots)]
    assert "None of these" in titles and 5 <= len(titles) <= 6
    async with srv.runtime.database.unit_of_work() as session:
        check_in = (await session.scalars(select(CheckIn))).one()
        offered = [datetime.fromisoformat(s) for s in check_in.slots]
    # Marc reads each slot in Montréal time, in English
    expected = [format_datetime(at.astimezone(MONTREAL), "EEE d MMM, HH:mm", locale="en")
                for at in offered]  # fmt: skip
    assert titles[: len(offered)] == expected
    shown = json.dumps(lea_slots.args, ensure_ascii=False)
    assert "Aucun de ceux-ci" in shown

    answer = await marc.clicks(marc_slots, expected[1])
    assert "I asked **Léa Martin** to confirm" in texts(answer)
    await srv.due(days=0.01)
    [ask] = srv.posted_to(LEA, "Confirmez votre première séance")
    await srv.slack_post(
        interactivity_request(SECRET, click_on(srv.slack, LEA.id, ask, "Confirmer"))
    )
    await srv.due(days=0.01)

    async with srv.runtime.database.unit_of_work() as session:
        check_in = (await session.scalars(select(CheckIn))).one()
        assert check_in.status == "planned" and check_in.scheduled_at == offered[1]
        assert check_in.zone == "America/Montreal"
        assert check_in.local_start == offered[1].astimezone(MONTREAL).time()
    planned = marc.cards("Your first session is planned")  # the message, and his slot card
    assert planned and all("Léa Martin" in texts(c) and not buttons(c) for c in planned)
    # Léa's slot card lost its buttons once planned
    updates = [c for c in srv.slack.calls_to("chat.update")
               if c.args.get("ts") == lea_slots.answer["ts"]]  # fmt: skip
    assert updates and "Aucun de ceux-ci" not in json.dumps(updates[-1].args, ensure_ascii=False)
    assert timedelta(0) < offered[1] - srv.runtime.clock.now() < timedelta(days=15)
    await each_calendar_shows_it(srv, [c for c in planned if "Outlook" in texts(c)], offered[1])


async def each_calendar_shows_it(srv: Server, messages: list[Json], at: datetime) -> None:
    """Marc's message links his calendar (the session's file, his feed); Léa's feed agrees."""
    [message] = messages
    links = [urlsplit(url) for url in re.findall(r"\]\((https?://[^)]+)\)", texts(message))]
    public = urlsplit(srv.runtime.settings.public_url).netloc
    mine = [link.path for link in links if link.netloc == public]
    assert len(mine) == 2  # this session's .ics and the whole feed
    assert {link.netloc for link in links} == {public, "outlook.office.com", "calendar.google.com"}
    async with srv.runtime.database.unit_of_work() as session:
        lea = (await session.scalars(select(Person.id).where(Person.email == LEA.email))).one()
    keys = srv.runtime.calendar_keys
    assert keys is not None
    feeds = [*mine, urlsplit(keys.feed_url(lea)).path]
    for path, summary in zip(
        feeds,
        ["Reverse mentoring with Léa Martin"] * 2 + ["Mentorat inversé avec Marc Durand"],
        strict=True,
    ):
        async with srv.http.get(srv.url + path) as response:
            assert response.status == 200
            calendar = Calendar.from_ical(await response.read())
        [event] = calendar.walk("VEVENT")
        assert event.decoded("dtstart").astimezone(UTC) == at
        assert (
            str(event["summary"]) == summary
            and event["dtstart"].params["TZID"] == "America/Montreal"
        )
