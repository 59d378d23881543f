"""Help lists what works; announced commands answer "not available yet: planned for …"
consistently, in both languages (issue 10 item 17)."""

from __future__ import annotations

import pytest

from dialogs.core.commands import ADMIN_COMMANDS, PEOPLE_COMMANDS, available
from storage.db import Database
from tests.support.driver import Driver, admin, someone
from tests.support.messages import words


@pytest.mark.parametrize(
    ("typed", "locale", "expected"),
    [
        ("feedback", "en-US", "Nothing to answer right now. Thank you for keeping up!"),
        ("avis", "fr-FR", "Rien à répondre pour l’instant. Merci de suivre le rythme\u202f!"),
        ("retour", "fr-FR", "Rien à répondre pour l’instant."),
    ],
)
async def test_feedback_is_no_longer_planned(
    database: Database, typed: str, locale: str, expected: str
) -> None:
    # Issue 14 made it real: with nothing pending, a kind answer in the person's language.
    answer = words(await Driver(database).say(someone(locale=locale), typed))
    assert expected in answer
    assert "pas encore disponible" not in answer and "not available yet" not in answer


async def test_planned_commands_in_french(database: Database) -> None:
    driver = Driver(database)
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
    assert {s.name for s in PEOPLE_COMMANDS} == {s.name for s in available(PEOPLE_COMMANDS)}
    assert {s.name for s in ADMIN_COMMANDS if s.planned} == {"export", "forget"}
