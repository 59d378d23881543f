"""``admin retention`` through the real core: what each program will erase and when, the
period changed with ``admin retention set``, and every bad input answered in the reader's
language with nothing changed. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from dialogs.core.ui import Done, FieldErrors, Form
from storage.db import Database
from storage.models import AuditEvent, DueAction, Program, ProgramAdmin
from tests.dialogs.test_admin_only import snapshot
from tests.retention.texts import Seeded, seed, words, written
from tests.support.driver import Driver, admin, someone
from tests.support.messages import words as said

# The test clock stands on 1 December 2026: "past" ended in March 2026 (12 months: erased
# from 1 April 2027), "next" ends in June 2027.
ENDS = {"past": date(2026, 3, 31), "next": date(2027, 6, 30)}


async def ready(database: Database) -> tuple[Driver, Seeded]:
    return Driver(database), await seed(database, ENDS)


async def months(database: Database, slug: str) -> int:
    async with database.unit_of_work() as session:
        program = await session.scalar(select(Program).where(Program.slug == slug))
        assert program is not None
        return program.retention_months


async def test_the_report_says_when_each_program_erases_and_how_much_waits(
    database: Database,
) -> None:
    driver, _ = await ready(database)
    fr = said(await driver.say(admin(), "admin conservation"))
    assert "Conservation des textes libres" in fr
    assert "Mentorat « past » (past)" in fr and "Mentorat « next » (next)" in fr
    assert fr.index("(past)") < fr.index("(next)")  # soonest first
    assert "Conservés 12 mois après la fin du programme le 2026-03-31." in fr
    assert "Effacés le 2027-03-31 — 12 textes en attente" in fr  # 1 April, midnight in Paris
    assert "témoignages 2 (dont 1 avec accord pour être cités)" in fr
    assert "commentaires de baromètre 2" in fr and "motifs de refus 1" in fr
    assert "même ceux que leurs auteurs ont accepté de voir cités" in fr
    en = said(await driver.say(admin("en-US"), "admin retention next"))
    assert "Free text retention" in en and "(past)" not in en
    assert "Kept 12 months after the end of the program on 2027-06-30." in en
    assert "Erased on 2028-06-30 — 12 texts waiting" in en
    assert "testimonials 2 (1 agreed to be quoted)" in en
    assert "admin retention set next MONTHS" in en


async def test_an_admin_changes_the_period(database: Database) -> None:
    driver, seeded = await ready(database)
    answer = said(await driver.say(admin("en-US"), "admin retention set next 6"))
    assert "Done: Mentorat « next » keeps free text 6 months after its end" in answer
    assert "erased on 2027-12-31" in answer  # midnight on 1 January 2028 in Paris
    assert await months(database, "next") == 6
    async with database.unit_of_work() as session:
        [event] = await session.scalars(
            select(AuditEvent).where(AuditEvent.action == "retention.set")
        )
        assert event.details == {"before": 12, "months": 6}
        assert await session.scalar(select(DueAction.id)) is None  # not due yet
    again = said(await driver.say(admin(), "admin retention regler next 6"))
    assert "Rien n’a changé\u202f: c’était déjà 6 mois." in again

    # Shorter, to a date already past: the erasure is queued at once (the queue runs it).
    answer = said(await driver.say(admin("en-US"), "admin retention set past 3"))
    assert "That date has passed: the texts waiting are being erased now." in answer
    async with database.unit_of_work() as session:
        [action] = await session.scalars(select(DueAction))
        assert action.kind == "retention.erase"
        assert action.payload["program_id"] == seeded.program_ids["past"]
    assert written(await words(database), seeded.program_ids["past"]) == 12  # not yet run


@pytest.mark.parametrize(
    ("typed", "answer"),
    [
        (
            "admin retention set next",
            "Usage\u202f: admin retention set NOM-COURT MOIS (de 1 à 120)",
        ),
        ("admin retention set next 6 7", "Usage\u202f: admin retention set"),
        ("admin retention set next six", "La durée est un nombre entier de mois"),
        ("admin retention set next 12.5", "La durée est un nombre entier de mois"),
        ("admin retention set next -3", "La durée est un nombre entier de mois"),
        ("admin retention set next ١٢", "La durée est un nombre entier de mois"),
        ("admin retention set next 0", "La durée va de 1 à 120 mois\u202f: 0"),
        ("admin retention set next 121", "La durée va de 1 à 120 mois\u202f: 121"),
        ("admin retention set nope 6", "Je ne connais pas de programme"),
        ("admin retention nope", "Je ne connais pas de programme"),
    ],
)
async def test_bad_input_is_answered_and_changes_nothing(
    database: Database, typed: str, answer: str
) -> None:
    driver, _ = await ready(database)
    await driver.say(admin(), "aide")  # the admin is known: the first contact records them
    before = await snapshot(database)
    assert answer in said(await driver.say(admin(), typed))
    assert await snapshot(database) == before


async def test_a_program_admin_sees_and_changes_only_their_programs(database: Database) -> None:
    driver, seeded = await ready(database)
    async with database.unit_of_work() as session:
        session.add(ProgramAdmin(program_id=seeded.program_ids["next"],
                                 person_id=seeded.people["marc"]))  # fmt: skip
    marc = someone("U0MARC", "en-US", email="marc@acme.example")
    shown = said(await driver.say(marc, "admin retention"))  # known from here on
    assert "(next)" in shown and "(past)" not in shown
    before = await snapshot(database)
    refused = said(await driver.say(marc, "admin retention set past 1"))
    assert "You are not an admin of this program: past" in refused
    assert "You are not an admin of this program: past" in said(
        await driver.say(marc, "admin retention past")
    )
    assert await snapshot(database) == before
    assert "Done:" in said(await driver.say(marc, "admin retention set next 24"))
    assert await months(database, "next") == 24 and await months(database, "past") == 12


async def test_set_alone_opens_a_form_whose_errors_stay_next_to_the_field(
    database: Database,
) -> None:
    driver, _ = await ready(database)
    await driver.say(admin("en-US"), "help")
    opened = await driver.say(admin("en-US"), "admin retention set")
    assert isinstance(opened.form, Form) and opened.form.title == "Retention period"
    assert [f.name for f in opened.form.fields] == ["program", "months"]
    before = await snapshot(database)
    for values, field, error in (
        ({"program": "next", "months": "douze"}, "months", "whole number of months"),
        ({"program": "next", "months": "0"}, "months", "from 1 to 120 months: 0"),
        ({"program": "nope", "months": "6"}, "program", "Choose a program in the list."),
    ):
        answer = await driver.submit(admin("en-US"), opened.form, values)
        assert isinstance(answer, FieldErrors) and error in answer.errors[field], answer
    assert await snapshot(database) == before
    done = await driver.submit(admin("en-US"), opened.form, {"program": "next", "months": "18"})
    assert isinstance(done, Done) and "keeps free text 18 months" in said(done.message)
    assert await months(database, "next") == 18
