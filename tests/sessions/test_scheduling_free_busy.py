"""Slot offers with Microsoft Graph's free/busy (a fake Graph on loopback): the busy times
of both people are never offered, their calendar's working hours replace the default ones,
and someone who said "don't read my calendar" is not read."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bot.domain.sessions.busy import Busy
from dialogs.core.i18n import Translator
from dialogs.sessions.admin_sessions import sessions_report
from dialogs.sessions.free_busy import FREE_BUSY
from dialogs.sessions.offering import compute_offer
from dialogs.sessions.scheduling_cards import OTHER_ACTION, PICK_ACTION
from handlers.calendars.graph import GraphCalendar, GraphConfig
from handlers.calendars.reader import CalendarReader
from storage.db import Database
from storage.models import Pairing, Program
from tests.fakes.calendars import ATTENDEE, LOCATION, SUBJECT, FakeGraph, serving
from tests.sessions.scheduling_world import a_pair, backfill, check_ins, set_person, slot_cards
from tests.support.messages import buttons, words
from tests.test_forget_scan import scan_tables

pytestmark = pytest.mark.timeout(120)

PARIS, MONTREAL = ZoneInfo("Europe/Paris"), ZoneInfo("America/Montreal")
LEA, MARC = "lea@acme.example", "marc0@acme.example"


@pytest.fixture
async def graph() -> AsyncIterator[FakeGraph]:
    fake = FakeGraph()
    async with serving(fake), aiohttp.ClientSession() as http:
        config = GraphConfig(fake.tenant, fake.client_id, fake.secret, login_url=fake.url,
                             graph_url=f"{fake.url}/v1.0")  # fmt: skip
        FREE_BUSY.reader = CalendarReader([GraphCalendar(http, config)])
        try:
            yield fake
        finally:
            FREE_BUSY.reader = None


def busy_days(start: datetime, zone: ZoneInfo, hours: tuple[time, time]) -> list[Busy]:
    """The same hours every day for five weeks, in ``zone``."""
    days = [start.astimezone(zone).date() + timedelta(days=d) for d in range(36)]
    return [
        Busy(datetime.combine(d, hours[0], zone), datetime.combine(d, hours[1], zone)) for d in days
    ]


def overlaps(at: datetime, minutes: int, busy: list[Busy]) -> bool:
    return any(b.overlaps(at, at + timedelta(minutes=minutes)) for b in busy)


async def test_offered_slots_avoid_both_peoples_busy_times(
    database: Database, graph: FakeGraph
) -> None:
    p = await a_pair(database)
    now = p.w.clock.now()
    # Their calendars' working hours (08:00-17:00 each) meet from 14:00 to 17:00 in Paris;
    # Léa is busy every day 14:00-15:00 Paris, Marc 10:00-10:30 Montréal (16:00 Paris):
    # the only free 45 minutes they share start at 15:00 Paris.
    lea_busy = busy_days(now, PARIS, (time(14), time(15)))
    marc_busy = busy_days(now, MONTREAL, (time(10), time(10, 30)))
    graph.busy[LEA] = [(b.start, b.end) for b in lea_busy]
    graph.busy[MARC] = [(b.start, b.end) for b in marc_busy]
    graph.working_zone[MARC] = "Eastern Standard Time"
    async with database.unit_of_work() as session:
        pairing = await session.get(Pairing, p.pairing_id)
        assert pairing is not None
        without, *_ = await compute_offer(session, pairing, now, "Europe/Paris", [])
    assert any(overlaps(s.at, 45, lea_busy + marc_busy) for s in without.slots), (
        "the control offer (no calendars) should have hit a busy time"
    )

    await backfill(p.w)
    [card] = slot_cards(p.w, p.lea)
    offered = [datetime.fromisoformat(b.value.split("|", 1)[1]) for b in buttons(card)
               if b.action == PICK_ACTION]  # fmt: skip
    assert 3 <= len(offered) <= 5
    for at in offered:
        assert not overlaps(at, 45, lea_busy + marc_busy), at
        assert at.astimezone(PARIS).time() == time(15), at
    [check_in] = await check_ins(database)
    assert sorted(check_in.slots) == sorted(a.isoformat() for a in offered)
    assert {e for call in graph.calls for e in call["schedules"]} == {LEA, MARC}


async def test_someone_who_said_no_is_not_read(database: Database, graph: FakeGraph) -> None:
    p = await a_pair(database)
    await set_person(database, p.marc, reads_calendar=False)
    await backfill(p.w)
    assert slot_cards(p.w, p.lea)
    assert [call["schedules"] for call in graph.calls] == [[LEA]]


async def test_a_calendar_that_fails_falls_back_to_the_windows(
    database: Database, graph: FakeGraph
) -> None:
    p = await a_pair(database)
    graph.denied.update({LEA, MARC})
    await backfill(p.w)
    [card] = slot_cards(p.w, p.lea)
    assert len([b for b in buttons(card) if b.action == PICK_ACTION]) >= 3


async def test_admins_see_how_often_calendars_fell_back(
    database: Database, graph: FakeGraph
) -> None:
    p = await a_pair(database)
    graph.denied.add(MARC)
    await backfill(p.w)
    reader = FREE_BUSY.reader
    assert reader is not None and dict(reader.outcomes) == {"read": 1, "denied": 1}
    async with database.unit_of_work() as session:
        program = await session.get(Program, p.w.program_id)
    assert program is not None
    for locale, line in (
        ("en", "Calendars since this server started: 1 read, 1 fell back to the availability "
               "windows (refused 1)."),
        ("fr", "Agendas depuis le démarrage du serveur\u202f: 1 lus, 1 remplacés par les "
               "disponibilités données (refusé 1)."),
    ):  # fmt: skip
        report = sessions_report(Translator(locale), program, [], {}, [], dict(reader.outcomes))
        assert line in words(report)
    assert "Calendars" not in words(sessions_report(Translator("en"), program, [], {}, []))


async def test_no_subject_place_or_attendee_reaches_the_database(
    database: Database, graph: FakeGraph
) -> None:
    """Graph sends subjects, places and attendees with each busy item: after a whole
    offer, then "Other slots", no table holds any of them (every column scanned)."""
    p = await a_pair(database)
    now = p.w.clock.now()
    graph.busy[LEA] = [(b.start, b.end) for b in busy_days(now, PARIS, (time(14), time(15)))]
    await backfill(p.w)
    [card] = slot_cards(p.w, p.lea)
    await p.w.click("ULEA", next(b for b in buttons(card) if b.action == PICK_ACTION))
    await p.w.drain()
    [asked] = [
        m for m in p.w.channel.to(p.marc) if any(b.action == OTHER_ACTION for b in buttons(m))
    ]
    await p.w.click("UMARC", next(b for b in buttons(asked) if b.action == OTHER_ACTION))
    await p.w.drain()
    assert len(slot_cards(p.w, p.lea)) == 2  # the new times came, from what was read
    assert await scan_tables(database, [SUBJECT, LOCATION, ATTENDEE]) == []
