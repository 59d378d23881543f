"""The core keeps who was talking for a few seconds (``dialogs.core.known_people``), and it
never shows: admins are looked up every time, so an admin revoked by another replica is
refused at once there, and a person's own change is seen by their next message."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from storage.db import Database
from storage.models import ProgramAdmin
from tests.support.driver import Driver, someone
from tests.support.enrollment import add_person, add_program
from tests.support.messages import words

LEA = "lea@acme.example"
NOT_ADMIN_FR = "Cette commande est réservée aux administrateurs du programme"


@pytest.fixture
async def replicas(database: Database) -> tuple[Driver, Driver]:
    await add_person(database, LEA, "manager")
    await add_program(database, "mi-paris", admin_email=LEA)
    return Driver(database), Driver(database)  # two processes' cores on one database


async def test_an_admin_revoked_elsewhere_is_refused_at_once(
    replicas: tuple[Driver, Driver], database: Database
) -> None:
    first, second = replicas
    lea = someone("ULEA", "fr-FR", email=LEA)
    for _ in range(3):  # a busy admin: the lookups would be kept if anything were kept
        assert "mi-paris" in words(await second.say(lea, "admin status"))
        await second.say(lea, "help")
    # Another replica removes her from the program's admins.
    async with database.unit_of_work() as session:
        await session.execute(delete(ProgramAdmin))
    refused = words(await second.say(lea, "admin status"))
    assert NOT_ADMIN_FR in refused and "mi-paris" not in refused
    assert NOT_ADMIN_FR in words(await first.say(lea, "admin status"))


async def test_a_persons_new_language_answers_their_very_next_message(
    replicas: tuple[Driver, Driver],
) -> None:
    driver, _ = replicas
    bob = someone("UBOB", "fr-FR")
    for _ in range(3):  # known by now
        assert "Ce que je sais faire" in words(await driver.say(bob, "help"))
    await driver.say(bob, "language en")
    assert "What I can do" in words(await driver.say(bob, "help"))
