"""Help lists what works; announced commands answer "not available yet: planned for …"
consistently, in both languages (issue 10 item 17)."""

from __future__ import annotations

import pytest

from dialogs.core.commands import ADMIN_COMMANDS, PEOPLE_COMMANDS, available
from storage.db import Database
from tests.support.driver import Driver, admin, someone
from tests.support.messages import words


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("feedback", "The feedback command is not available yet: it is planned for the next "
                     "version, with session feedback."),
        ("avis", "The feedback command is not available yet: it is planned for"),
    ],
)  # fmt: skip
async def test_planned_people_commands_say_when(
    database: Database, typed: str, expected: str
) -> None:
    answer = await Driver(database).say(someone(locale="en-US"), typed)
    assert expected in words(answer)
    assert "I don't know the command" not in words(answer)


async def test_planned_commands_in_french(database: Database) -> None:
    driver = Driver(database)
    answer = words(await driver.say(someone(), "avis"))
    assert answer == (
        "La commande feedback n’est pas encore disponible\u202f: elle est prévue pour la "
        "prochaine version, avec les avis sur les séances."
    )
    export = words(await driver.say(admin(), "admin exporter"))
    assert "La commande admin export n’est pas encore disponible\u202f: elle est prévue" in export


async def test_planned_admin_commands_still_refuse_non_admins(database: Database) -> None:
    driver = Driver(database)
    answer = words(await driver.say(someone(), "admin export"))
    assert "réservée aux administrateurs" in answer
    # Typed without "admin": unknown to a non-admin, planned for an admin.
    assert "Je ne connais pas la commande" in words(await driver.say(someone(), "export"))
    assert "admin export n’est pas encore disponible" in words(
        await driver.say(admin(), "exporter")
    )


async def test_help_lists_only_what_works(database: Database) -> None:
    driver = Driver(database)
    text = words(await driver.say(admin(locale="en-US"), "help"))
    for spec in (*PEOPLE_COMMANDS, *ADMIN_COMMANDS):
        shown = f" {spec.name}: " in text or f"\n{spec.name}: " in text
        assert shown == (spec.planned is None), spec.name
    assert {s.name for s in PEOPLE_COMMANDS} - {s.name for s in available(PEOPLE_COMMANDS)} == {
        "feedback",
    }
    assert {s.name for s in ADMIN_COMMANDS if s.planned} == {"export", "forget"}
