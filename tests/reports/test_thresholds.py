"""``admin report privacy``: a program's thresholds shown, raised (the report then hides
more), never lowered; bad numbers and unknown options answered clearly, nothing changed;
people who run no program refused."""

from __future__ import annotations

from sqlalchemy import select

from dialogs.core.conversation import Conversation
from storage.db import Database
from storage.models import AuditEvent, Program
from tests.reports.fixture import NOW, seed_report_program
from tests.support.clock import fixed_clock
from tests.support.driver import CONFIG, Driver, admin, someone
from tests.support.messages import words


async def driver_at_now(database: Database) -> Driver:
    async with database.unit_of_work() as session:
        await seed_report_program(session)
    driver = Driver(database)
    driver.conversation = Conversation(database, CONFIG, clock=fixed_clock(NOW))
    return driver


async def rules(database: Database) -> dict[str, object]:
    async with database.unit_of_work() as session:
        program = (await session.scalars(select(Program).where(Program.slug == "bilan-2027"))).one()
        return dict(program.rules or {})


async def test_thresholds_are_raised_and_the_report_hides_more(database: Database) -> None:
    driver = await driver_at_now(database)
    shown = words(await driver.say(admin(), "admin report privacy bilan-2027"))
    assert "Personnes ayant répondu, pour un chiffre: 5" in shown
    assert "Personnes ayant écrit, pour les témoignages: 10" in shown

    raised = words(await driver.say(admin(), "admin rapport seuils bilan-2027 --answers 6"))
    assert "Personnes ayant répondu, pour un chiffre: 6" in raised
    assert await rules(database) == {"report_privacy": {"answers": 6}}
    assert await driver.count(AuditEvent, AuditEvent.action == "report.thresholds_raised") == 1

    # Batches of at least 6 new people, made of the cuts at 5 (never cut anew): after M3
    # (10 people) and after S8 (10 more): the same 20 raters, 82/20 = 4,1; Marketing's 5
    # are now too few; Sales' 8 give 32/8 = 4,0.
    report = words(await driver.say(admin(), "admin report bilan-2027 --by department"))
    assert "Note moyenne des séances (sur 5): 4,1" in report
    [marketing] = [x for x in report.splitlines() if x.startswith("Marketing — ")]
    assert "Note < 6 réponses" in marketing
    [sales] = [x for x in report.splitlines() if x.startswith("Sales — ")]
    assert "Note 4,0" in sales
    assert "Finance — Inscrits < 5 · En binôme < 5" in report  # people: still 5


async def test_thresholds_are_never_lowered_and_bad_input_changes_nothing(
    database: Database,
) -> None:
    driver = await driver_at_now(database)
    await driver.say(admin(), "admin report privacy bilan-2027 --comments 12")
    lower = words(await driver.say(admin("en-US"), "admin report privacy bilan-2027 --comments 11"))
    assert lower == "Thresholds can only be raised: --comments is 12 for this program."
    word = words(await driver.say(admin(), "admin report privacy bilan-2027 --answers six"))
    assert word == "Écrivez un nombre entier de 1 à 1000, pas\u202f: six"
    zero = words(await driver.say(admin(), "admin report privacy bilan-2027 --people 0"))
    assert zero.startswith("Écrivez un nombre entier")
    other = words(await driver.say(admin(), "admin report privacy bilan-2027 --colour 7"))
    assert other == "Relevez --answers, --comments ou --people, pas\u202f: --colour"
    nameless = words(await driver.say(admin(), "admin report privacy --answers 7"))
    assert nameless.startswith("Nommez le programme")
    assert await rules(database) == {"report_privacy": {"comments": 12}}
    refused = words(await driver.say(someone(), "admin report privacy bilan-2027 --answers 50"))
    assert "réservée aux administrateurs" in refused
    assert await rules(database) == {"report_privacy": {"comments": 12}}
    assert await driver.count(AuditEvent, AuditEvent.action == "report.thresholds_raised") == 1
