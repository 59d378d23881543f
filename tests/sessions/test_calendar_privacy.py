"""``privacy``: a person says whether Tandem may read their busy times, in their language;
someone who never answered follows their program's setting."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dialogs.sessions.privacy import CALENDAR_OFF, CALENDAR_ON
from storage.db import Database
from storage.models import Enrollment, Person, Program
from tests.support.driver import Driver, someone
from tests.support.enrollment import add_person, add_program
from tests.support.messages import buttons_by_action, words

pytestmark = pytest.mark.timeout(60)

LEA = "lea@acme.example"


async def reads_calendar(database: Database) -> bool | None:
    async with database.unit_of_work() as session:
        return await session.scalar(select(Person.reads_calendar).where(Person.email == LEA))


async def test_a_person_stops_and_resumes_calendar_reading_in_french(database: Database) -> None:
    await add_person(database, LEA, "manager")
    driver = Driver(database)
    lea = someone("ULEA", "fr-FR", email=LEA)
    card = await driver.say(lea, "confidentialite")
    assert "jamais les titres, les personnes ni les lieux" in words(card)
    assert "Pour l’instant, je peux lire vos créneaux occupés." in words(card)
    off = await driver.click(lea, buttons_by_action(card)[CALENDAR_OFF])
    assert "je ne lirai pas votre agenda" in words(off)
    assert await reads_calendar(database) is False
    card = await driver.say(lea, "privacy")
    assert "je ne lis pas votre agenda" in words(card)
    await driver.click(lea, buttons_by_action(card)[CALENDAR_ON])
    assert await reads_calendar(database) is True


async def test_a_program_that_reads_no_calendars_by_default_says_so(database: Database) -> None:
    await add_person(database, LEA, "manager", locale="en")
    program_id = await add_program(database, "mi-2027")
    async with database.unit_of_work() as session:
        person_id = await session.scalar(select(Person.id).where(Person.email == LEA))
        session.add(Enrollment(program_id=program_id, person_id=person_id, role="mentee",
                               status="active"))  # fmt: skip
        program = await session.get(Program, program_id)
        assert program is not None
        program.session_settings = {"read_calendars": False}
    card = await Driver(database).say(someone("ULEA", "en-US", email=LEA), "privacy")
    assert "Right now I do not read your calendar" in words(card)
    assert await reads_calendar(database) is None  # looking changes nothing
