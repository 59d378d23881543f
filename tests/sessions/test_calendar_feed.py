"""Each person's calendar feed, fetched over real HTTP from the server and read by icalendar.

A pair across the Atlantic: Claire in Paris (French) meets Léa in Montréal (English); their
series is anchored in Paris at 10:00. The session falls in the week when Montréal already
keeps summer time and Paris does not yet, where a naive conversion would be an hour off.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from aiohttp import web
from icalendar import Calendar, Event
from sqlalchemy import update

from bot.domain.sessions.calendar_access import CalendarKeys
from bot.server import Runtime, create_app
from bot.settings import load_settings
from dialogs.sessions.calendar import calendar_links
from storage.db import Database
from storage.models import CheckIn, Pairing, Person, PlatformIdentity
from tests.support.clock import T0, fixed_clock
from tests.support.people import add_program, pair
from tests.support.waiting import within
from tests.test_server import free_port

pytestmark = pytest.mark.timeout(60)

SECRET = "calendar-test-secret-0123456789"
PARIS, MONTREAL = ZoneInfo("Europe/Paris"), ZoneInfo("America/Toronto")
# Tuesday 16 March 2027, 10:00 in Paris (CET, UTC+1) = 09:00 UTC = 05:00 in Montréal (EDT).
SESSION_AT = datetime(2027, 3, 16, 10, 0, tzinfo=PARIS)


@dataclass
class World:
    url: str
    keys: CalendarKeys
    database: Database
    claire: str  # Paris, French
    lea: str  # Montréal, English
    pairing_id: int
    check_in_id: int

    async def fetch(self, path: str) -> tuple[int, bytes, dict[str, str]]:
        async with aiohttp.ClientSession() as http, http.get(self.url + path) as response:
            body = await within(response.read(), f"GET {path}")
            return response.status, body, dict(response.headers)

    async def feed(self, person_id: str) -> tuple[Calendar, bytes, dict[str, str]]:
        path = self.keys.feed_url(person_id).removeprefix(self.url)
        status, body, headers = await self.fetch(path)
        assert status == 200, body
        return Calendar.from_ical(body), body, headers

    async def change(self, check_in_id: int | None = None, **values: object) -> None:
        async with self.database.unit_of_work() as session:
            await session.execute(
                update(CheckIn)
                .where(CheckIn.id == (check_in_id or self.check_in_id))
                .values(**values)
            )


async def _person(database: Database, first: str, last: str, **fields: object) -> str:
    async with database.unit_of_work() as session:
        person = Person(first_name=first, last_name=last, **fields)
        session.add(person)
        await session.flush()
        return person.id


async def add_check_in(database: Database, pairing_id: int, at: datetime, **fields: object) -> int:
    values: dict[str, object] = {
        "status": "planned", "duration_minutes": 45, "zone": "Europe/Paris",
        "local_start": time(10, 0), "confirmed_at": T0, "sequence": 0,
    }  # fmt: skip
    values.update(fields)
    async with database.unit_of_work() as session:
        check_in = CheckIn(pairing_id=pairing_id, scheduled_at=at.astimezone(UTC), **values)
        session.add(check_in)
        await session.flush()
        return check_in.id


@pytest.fixture
async def world(database_url: str, database: Database) -> AsyncIterator[World]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    program = await add_program(database)
    claire = await _person(
        database, "Claire", "Dubois", email="claire.dubois@example.com", locale="fr",
        timezone="Europe/Paris", title="Directrice financière", department="Finance",
        employee_id="E-CLAIRE-77",
    )  # fmt: skip
    lea = await _person(
        database, "Léa", "Martin", email="lea.martin@example.com", locale="en",
        timezone="America/Toronto", title="Data analyst", department="Marketing",
        employee_id="E-LEA-42",
    )  # fmt: skip
    pairing_id = await pair(database, program, mentor=lea, mentee=claire)
    check_in_id = await add_check_in(database, pairing_id, SESSION_AT)
    settings = load_settings(database_url=database_url, public_url=url)
    runtime = Runtime(
        settings=settings, database=Database(database_url), mode="serve",
        secret_key=SECRET, clock=fixed_clock(),
    )  # fmt: skip
    runner = web.AppRunner(create_app(runtime, clock=False), shutdown_timeout=5)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    keys = CalendarKeys(url, SECRET)
    yield World(url, keys, database, claire, lea, pairing_id, check_in_id)
    await runner.cleanup()


def events(cal: Calendar) -> list[Event]:
    return list(cal.walk("VEVENT"))


def only_event(cal: Calendar) -> Event:
    found = events(cal)
    assert len(found) == 1, found
    return found[0]


async def test_each_reader_sees_the_session_at_the_same_instant_in_their_language(
    world: World,
) -> None:
    claires, body, headers = await world.feed(world.claire)
    leas, _, _ = await world.feed(world.lea)

    assert headers["Content-Type"].startswith("text/calendar")
    assert headers["Cache-Control"] == "private, no-store"
    for cal, summary in (
        (claires, "Mentorat inversé avec Léa Martin"),
        (leas, "Reverse mentoring with Claire Dubois"),
    ):
        event = only_event(cal)
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert start.astimezone(UTC) == datetime(2027, 3, 16, 9, 0, tzinfo=UTC)
        assert start.astimezone(MONTREAL).hour == 5  # Léa's own clock that morning
        assert end - start == timedelta(minutes=45)
        assert event["dtstart"].params["TZID"] == "Europe/Paris"  # the series' wall time
        assert str(event["uid"]) == f"tandem-checkin-{world.check_in_id}@127.0.0.1"
        assert event["sequence"] == 0
        assert str(event["status"]) == "CONFIRMED"
        assert str(event["summary"]) == summary
        # The VTIMEZONE alone (not the reader's tz database) gives the same instant.
        (vtimezone,) = cal.walk("VTIMEZONE")
        assert str(vtimezone["tzid"]) == "Europe/Paris"
        own = vtimezone.to_tz(lookup_tzid=False)
        wall = start.replace(tzinfo=None).replace(tzinfo=own)
        assert wall.utcoffset() == timedelta(hours=1)
    assert b"BEGIN:VTIMEZONE" in body


async def test_a_rescheduled_session_keeps_its_uid_with_the_next_sequence(world: World) -> None:
    before = only_event((await world.feed(world.lea))[0])
    moved = SESSION_AT + timedelta(days=2, hours=4)  # Thursday 14:00 in Paris
    # What a reschedule does to the row: a new instant, the same row, SEQUENCE + 1.
    await world.change(scheduled_at=moved.astimezone(UTC), sequence=1, local_start=time(14, 0))

    after = only_event((await world.feed(world.lea))[0])

    assert str(after["uid"]) == str(before["uid"])
    assert after["sequence"] == before["sequence"] + 1
    assert after.decoded("dtstart").astimezone(UTC) == datetime(2027, 3, 18, 13, 0, tzinfo=UTC)
    assert str(after["status"]) == "CONFIRMED"


async def test_sessions_that_will_not_happen_stay_in_the_feed_as_cancelled(world: World) -> None:
    replaced = await add_check_in(
        world.database, world.pairing_id, SESSION_AT + timedelta(days=14), status="rescheduled",
        sequence=2,
    )  # fmt: skip
    proposed_only = await add_check_in(
        world.database, world.pairing_id, SESSION_AT + timedelta(days=28), status="proposed",
        confirmed_at=None,
    )  # fmt: skip
    await world.change(status="cancelled", sequence=1, cancelled_by=world.claire)

    cal, _, _ = await world.feed(world.claire)

    by_uid = {str(e["uid"]): e for e in events(cal)}
    uid = "tandem-checkin-{}@127.0.0.1".format
    assert set(by_uid) == {uid(world.check_in_id), uid(replaced)}  # never the proposed slots
    assert uid(proposed_only) not in by_uid
    assert str(by_uid[uid(world.check_in_id)]["status"]) == "CANCELLED"
    assert by_uid[uid(world.check_in_id)]["sequence"] == 1
    assert str(by_uid[uid(replaced)]["status"]) == "CANCELLED"


async def test_tokens_we_did_not_sign_or_whose_pairing_is_over_get_a_bare_404(
    world: World,
) -> None:
    good = world.keys.token(world.lea)
    tampered = good[:10] + ("A" if good[10] != "A" else "B") + good[11:]
    other_key = CalendarKeys(world.url, "another-deployment-secret").token(world.lea)
    nobody = world.keys.token("0" * 32)  # signed by us, but no such person
    refused = [
        f"/calendar/{tampered}.ics",
        f"/calendar/{other_key}.ics",
        f"/calendar/{nobody}.ics",
        f"/calendar/{world.lea}.ics",  # the bare person id is not a token
        f"/calendar/{'x' * 64}.ics",
        f"/calendar/{good}/{world.check_in_id + 1000}.ics",  # not one of her sessions
    ]
    answers = [await world.fetch(path) for path in refused]
    assert [status for status, _, _ in answers] == [404] * len(refused)
    assert len({body for _, body, _ in answers}) == 1  # the same answer whatever went wrong
    assert b"token" not in answers[0][1].lower()

    # Her pairing ended three days ago: the feed still shows its (cancelled) sessions.
    async with world.database.unit_of_work() as session:
        await session.execute(
            update(Pairing)
            .where(Pairing.id == world.pairing_id)
            .values(status="ended", ended_at=T0 - timedelta(days=3))
        )
    assert (await world.fetch(f"/calendar/{good}.ics"))[0] == 200
    # Fifteen days ago: past the grace period, the same link is dead.
    async with world.database.unit_of_work() as session:
        await session.execute(
            update(Pairing)
            .where(Pairing.id == world.pairing_id)
            .values(ended_at=T0 - timedelta(days=15))
        )
    assert (await world.fetch(f"/calendar/{good}.ics"))[0] == 404
    assert (await world.fetch(f"/calendar/{good}/{world.check_in_id}.ics"))[0] == 404


async def test_the_feed_names_the_partner_and_reveals_nothing_else(world: World) -> None:
    token = world.keys.token(world.claire)
    _, body, _ = await world.feed(world.claire)
    text = body.decode()

    assert token == world.keys.token(world.claire)  # one stable URL to subscribe to
    assert world.claire not in token and world.lea not in token
    assert "Léa Martin" in text
    for private in (
        world.claire, world.lea, "claire.dubois@example.com", "lea.martin@example.com",
        "Claire", "Dubois", "Finance", "Marketing", "Data analyst", "Directrice",
        "E-LEA-42", "E-CLAIRE-77", "America/Toronto", SECRET,
    ):  # fmt: skip
        assert private not in text, private


async def test_a_partner_without_a_name_is_never_shown_by_email(world: World) -> None:
    async with world.database.unit_of_work() as session:
        await session.execute(
            update(Person).where(Person.id == world.lea).values(first_name=None, last_name=None)
        )
    _, body, _ = await world.feed(world.claire)
    assert "lea.martin@example.com" not in body.decode()
    assert str(only_event(Calendar.from_ical(body))["summary"]) == "Séance de mentorat inversé"


async def test_a_session_alone_is_a_file_to_import(world: World) -> None:
    token = world.keys.token(world.lea)
    async with world.database.unit_of_work() as session:
        check_in = await session.get(CheckIn, world.check_in_id)
        assert check_in is not None
        links = calendar_links(world.keys, check_in, world.lea, "Claire Dubois", "en")
    status, body, headers = await world.fetch(links.ics.removeprefix(world.url))
    assert status == 200
    assert headers["Content-Disposition"].startswith("attachment")
    assert headers["Cache-Control"] == "private, no-store"
    event = only_event(Calendar.from_ical(body))
    assert event.decoded("dtstart").astimezone(UTC) == datetime(2027, 3, 16, 9, 0, tzinfo=UTC)

    proposed = await add_check_in(
        world.database, world.pairing_id, SESSION_AT + timedelta(days=7), status="proposed",
        confirmed_at=None,
    )  # fmt: skip
    assert (await world.fetch(f"/calendar/{token}/{proposed}.ics"))[0] == 404


async def test_without_a_chosen_language_the_feed_speaks_the_platforms(world: World) -> None:
    async with world.database.unit_of_work() as session:
        await session.execute(update(Person).where(Person.id == world.lea).values(locale=None))
        session.add(PlatformIdentity(person_id=world.lea, platform="teams", tenant_id="tenant-1",
                                     user_id="aad-lea", locale="fr-CA"))  # fmt: skip
    cal, _, _ = await world.feed(world.lea)
    assert str(only_event(cal)["summary"]) == "Mentorat inversé avec Claire Dubois"
    assert str(cal["x-wr-calname"]) == "Mentorat inversé"
