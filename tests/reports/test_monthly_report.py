"""The optional monthly report: off until a program's admin turns it on; then, on the first
of the month, each admin of the program (and each deployment admin) gets one notice in
their language, whose button shows last month's report; typed wrong, or by someone who
runs no program, nothing changes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.reports.monthly import ROUTINE
from storage.db import Database
from storage.models import Person, Program, ProgramAdmin
from storage.routines import enqueue_fire
from tests.support.messages import buttons, words
from tests.support.people import add_person, add_program
from tests.support.world import World, admin, world

pytestmark = pytest.mark.timeout(120)

FIRST_OF_JANUARY = datetime(2027, 1, 1, 7, 30, tzinfo=UTC)  # 08:30 in Paris
FIRST_OF_FEBRUARY = datetime(2027, 2, 1, 7, 30, tzinfo=UTC)
FIRST_OF_MARCH = datetime(2027, 3, 1, 7, 30, tzinfo=UTC)


async def first_of_the_month(w: World, at: datetime) -> None:
    assert w.ticker is not None
    [routine] = [r for r in w.ticker.routines if r.name == ROUTINE]
    if routine.kind not in w.runner.handlers:
        w.runner.handlers.register(routine.kind)(routine.fn)
    await enqueue_fire(w.runner.queue, routine, at)
    await w.drain(at)


async def monthly_rule(database: Database, program_id: int) -> object:
    async with database.unit_of_work() as session:
        program = await session.get(Program, program_id)
        assert program is not None
        return (program.rules or {}).get("monthly_report")


async def test_the_monthly_report_reaches_each_admin_once_in_their_language(
    database: Database,
) -> None:
    w = await world(database, every_feature=True)
    program = await add_program(database)
    rh = await admin(w)  # a deployment admin, English
    chloe = await add_person(database, "UCHLOE", "chloe@acme.example", first="Chloé")
    lea = await add_person(database, "ULEA", "lea@acme.example", first="Léa")
    async with database.unit_of_work() as session:
        session.add(ProgramAdmin(program_id=program, person_id=chloe))
        person = await session.get(Person, chloe)
        assert person is not None
        person.locale = "fr"

    shown = words(await w.say("UADMIN", "admin report monthly rm-2027"))
    assert "No monthly report for Program rm-2027" in shown
    typed = words(await w.say("UADMIN", "admin report monthly rm-2027 <!channel>"))
    assert "Write on or off, not: <!channel>" in typed
    refused = words(await w.say("ULEA", "admin report monthly rm-2027 on"))
    assert "for program admins" in refused
    assert await monthly_rule(database, program) is None
    await first_of_the_month(w, FIRST_OF_JANUARY)
    assert not w.channel.to(rh) and not w.channel.to(chloe)  # off by default

    turned_on = words(await w.say("UADMIN", "admin report monthly rm-2027 on"))
    assert "get a report on the first of each month" in turned_on
    await first_of_the_month(w, FIRST_OF_FEBRUARY)
    await first_of_the_month(w, FIRST_OF_FEBRUARY)  # a replayed fire sends nothing more
    [notice] = w.channel.to(rh)
    assert "Monthly report: Program rm-2027" in words(notice)
    assert "The figures of January 2027 are ready" in words(notice)
    [avis] = w.channel.to(chloe)
    assert "Rapport mensuel\u202f: Program rm-2027" in words(avis)
    assert "Les chiffres de janvier 2027 sont prêts" in words(avis)
    assert not w.channel.to(lea)

    [show] = buttons(notice)
    report = await w.click("UADMIN", show)
    assert "Program rm-2027" in words(report) and "Enrolled" in words(report)
    assert "Enrolled" not in words(await w.click("ULEA", show))  # not hers to read

    await w.say("UCHLOE", "admin rapport mensuel rm-2027 off")
    assert await monthly_rule(database, program) is False
    await first_of_the_month(w, FIRST_OF_MARCH)
    assert len(w.channel.to(rh)) == 1 and len(w.channel.to(chloe)) == 1
