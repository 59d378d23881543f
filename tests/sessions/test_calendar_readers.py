"""Free/busy readers against fake Graph and Google servers on loopback: busy times read,
nothing else kept, the providers' limits respected, and every failure a fallback."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import aiohttp
import pytest
from structlog.testing import capture_logs

from bot.domain.sessions.busy import Busy, FreeBusy, Unreadable
from handlers.calendars.google import GoogleCalendar, GoogleConfig
from handlers.calendars.graph import GraphCalendar, GraphConfig, iana, schedule_of
from handlers.calendars.reader import CalendarReader
from tests.fakes.calendars import ATTENDEE, LOCATION, SUBJECT, FakeGoogle, FakeGraph, serving

pytestmark = pytest.mark.timeout(60)

SPECS = Path(__file__).parents[1] / "specs" / "calendars"
MONDAY = datetime(2027, 3, 8, tzinfo=UTC)  # any date: the fakes answer what they are told
WEEK = (MONDAY, MONDAY + timedelta(days=7))
LEA, MARC = "lea@acme.example", "marc@acme.example"


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraph]:
    fake = FakeGraph()
    async with serving(fake):
        yield fake


@pytest.fixture
async def google() -> AsyncIterator[FakeGoogle]:
    fake = FakeGoogle()
    async with serving(fake):
        yield fake


def graph_reader(http: aiohttp.ClientSession, fake: FakeGraph) -> GraphCalendar:
    config = GraphConfig(
        fake.tenant, fake.client_id, fake.secret, login_url=fake.url, graph_url=f"{fake.url}/v1.0"
    )
    return GraphCalendar(http, config)


def google_reader(http: aiohttp.ClientSession, fake: FakeGoogle) -> GoogleCalendar:
    return GoogleCalendar(http, GoogleConfig(fake.credentials(), fake.delegate, fake.url))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return MONDAY + timedelta(days=day, hours=hour, minutes=minute)


async def test_graph_busy_times_are_read_and_nothing_else_is_kept(
    http: aiohttp.ClientSession, graph: FakeGraph
) -> None:
    graph.busy[LEA] = [(at(1, 9), at(1, 10)), (at(2, 14), at(2, 15, 30))]
    reader = CalendarReader([graph_reader(http, graph)])
    with capture_logs() as logs:
        answers = await reader.read([LEA, MARC], *WEEK)
    lea = answers[LEA]
    assert isinstance(lea, FreeBusy) and lea.provider == "graph"
    assert lea.busy == (Busy(at(1, 9), at(1, 10)), Busy(at(2, 14), at(2, 15, 30)))
    assert not lea.is_free(at(1, 9, 30), at(1, 10, 15)) and lea.is_free(at(1, 10), at(1, 11))
    assert isinstance(answers[MARC], FreeBusy) and answers[MARC].busy == ()
    # Graph sent a subject, a location and an attendee with each item: none went further.
    kept = repr(answers) + json.dumps(logs, default=str)
    for secret in (SUBJECT, LOCATION, ATTENDEE):
        assert secret not in kept
    assert lea.working_hours is not None and lea.working_hours.zone == "Europe/Paris"


def test_the_documented_graph_answer_parses_in_its_windows_zone() -> None:
    answer = json.loads((SPECS / "graph_getschedule_response.json").read_text())
    adele, megan = (schedule_of(item) for item in answer["value"])
    assert isinstance(adele, FreeBusy) and isinstance(megan, FreeBusy)
    # 12:00-14:00 Pacific Standard Time on 2019-03-15 (daylight time: UTC-7).
    assert adele.busy == (
        Busy(datetime(2019, 3, 15, 19, tzinfo=UTC), datetime(2019, 3, 15, 21, tzinfo=UTC)),
    )
    assert "Let's go for lunch" not in repr(adele) and "Harry's Bar" not in repr(adele)
    assert [b.start.hour for b in megan.busy] == [15, 19]  # busy and tentative both count
    hours = adele.working_hours
    assert hours is not None and hours.zone == "America/Los_Angeles"
    assert (hours.start, hours.end, hours.days) == (time(8), time(17), frozenset(range(5)))


def test_windows_zone_names_map_to_iana() -> None:
    assert iana("Romance Standard Time") == "Europe/Paris"
    assert iana("Eastern Standard Time") == "America/New_York"
    assert iana("Singapore Standard Time") == "Asia/Singapore"
    assert iana("America/Toronto") == "America/Toronto"
    assert iana("UTC") == "UTC"
    assert iana("Customized Time Zone") is None


async def test_graph_asks_twenty_people_at_most_and_windows_under_62_days(
    http: aiohttp.ClientSession, graph: FakeGraph
) -> None:
    people = [f"p{i}@acme.example" for i in range(45)]
    reader = CalendarReader([graph_reader(http, graph)])
    answers = await reader.read(people, MONDAY, MONDAY + timedelta(days=100))
    assert all(isinstance(answers[p], FreeBusy) for p in people)
    sizes = sorted(len(call["schedules"]) for call in graph.calls)
    assert sizes == [5, 5, 20, 20, 20, 20]  # three batches, two windows each


async def test_google_asks_fifty_calendars_at_most_with_the_freebusy_scope(
    http: aiohttp.ClientSession, google: FakeGoogle
) -> None:
    people = [f"p{i}@acme.example" for i in range(120)]
    google.busy["p7@acme.example"] = [(at(0, 13), at(0, 14))]
    answers = await CalendarReader([google_reader(http, google)]).read(people, *WEEK)
    assert sorted(len(call["items"]) for call in google.calls) == [20, 50, 50]
    seven = answers["p7@acme.example"]
    assert isinstance(seven, FreeBusy) and seven.busy == (Busy(at(0, 13), at(0, 14)),)
    assert google.token_requests == 1  # the signed assertion was accepted once, then reused


async def test_a_429_is_retried_after_its_retry_after_within_the_deadline(
    http: aiohttp.ClientSession, graph: FakeGraph
) -> None:
    graph.busy[LEA] = [(at(1, 9), at(1, 10))]
    graph.throttle(1, retry_after="1")
    answers = await CalendarReader([graph_reader(http, graph)]).read([LEA], *WEEK)
    assert isinstance(answers[LEA], FreeBusy) and answers[LEA].busy


async def test_a_retry_after_beyond_the_deadline_falls_back(
    http: aiohttp.ClientSession, graph: FakeGraph
) -> None:
    graph.throttle(5, retry_after="30")
    seen: list[tuple[str, str]] = []
    reader = CalendarReader([graph_reader(http, graph)], observe=lambda p, o: seen.append((p, o)))
    answers = await reader.read([LEA], *WEEK)
    assert answers[LEA] == Unreadable(LEA, "graph", "throttled")
    assert seen == [("graph", "throttled")]


async def test_an_expired_token_is_refreshed(http: aiohttp.ClientSession, graph: FakeGraph) -> None:
    reader = CalendarReader([graph_reader(http, graph)])
    assert isinstance((await reader.read([LEA], *WEEK))[LEA], FreeBusy)
    graph.expire_tokens()
    graph.busy[LEA] = [(at(3, 9), at(3, 10))]
    answers = await reader.read([LEA], MONDAY, MONDAY + timedelta(days=8))  # not the cached one
    assert isinstance(answers[LEA], FreeBusy) and answers[LEA].busy == (Busy(at(3, 9), at(3, 10)),)
    assert graph.token_requests == 2


async def test_wrong_app_credentials_fall_back_for_everyone(
    http: aiohttp.ClientSession, graph: FakeGraph
) -> None:
    config = GraphConfig(graph.tenant, graph.client_id, "wrong", login_url=graph.url,
                         graph_url=f"{graph.url}/v1.0")  # fmt: skip
    answers = await CalendarReader([GraphCalendar(http, config)]).read([LEA, MARC], *WEEK)
    assert answers == {
        LEA: Unreadable(LEA, "graph", "denied"),
        MARC: Unreadable(MARC, "graph", "denied"),
    }


async def test_a_denied_person_falls_back_and_the_others_are_read(
    http: aiohttp.ClientSession, graph: FakeGraph
) -> None:
    graph.denied.add(MARC)
    answers = await CalendarReader([graph_reader(http, graph)]).read([LEA, MARC], *WEEK)
    assert isinstance(answers[LEA], FreeBusy)
    assert answers[MARC] == Unreadable(MARC, "graph", "denied")


async def test_a_provider_that_times_out_falls_back(
    http: aiohttp.ClientSession, graph: FakeGraph
) -> None:
    graph.delay = 3
    seen: list[tuple[str, str]] = []
    reader = CalendarReader(
        [graph_reader(http, graph)], timeout=0.3, observe=lambda p, o: seen.append((p, o))
    )
    answers = await reader.read([LEA], *WEEK)
    assert answers[LEA] == Unreadable(LEA, "graph", "timeout")
    assert seen == [("graph", "timeout")]


async def test_someone_graph_does_not_know_is_asked_of_google(
    http: aiohttp.ClientSession, graph: FakeGraph, google: FakeGoogle
) -> None:
    graph.unknown.add(MARC)
    google.busy[MARC] = [(at(4, 16), at(4, 17))]
    reader = CalendarReader([graph_reader(http, graph), google_reader(http, google)])
    answers = await reader.read([LEA, MARC], *WEEK)
    assert answers[LEA].provider == "graph"
    marc = answers[MARC]
    assert isinstance(marc, FreeBusy) and marc.provider == "google"
    assert marc.busy == (Busy(at(4, 16), at(4, 17)),)
    assert [i["id"] for call in google.calls for i in call["items"]] == [MARC]


async def test_answers_are_cached_briefly_and_failures_are_not(
    http: aiohttp.ClientSession, graph: FakeGraph
) -> None:
    graph.denied.add(MARC)
    reader = CalendarReader([graph_reader(http, graph)])
    await reader.read([LEA, MARC], *WEEK)
    await reader.read([LEA, MARC], *WEEK)
    asked = [call["schedules"] for call in graph.calls]
    assert asked == [[LEA, MARC], [MARC]]  # Léa from the cache, Marc asked again
