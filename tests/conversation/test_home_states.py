"""The home view's next step in the states App Home's HTTP test does not reach: waiting for
approval, paused, enrolled without a partner yet (issue 10 item 14)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from dialogs.core.events import Inbound
from storage.db import Database
from storage.models import Enrollment, PlatformIdentity
from tests.support.driver import Driver, someone
from tests.support.enrollment import add_program
from tests.support.messages import words


async def home(driver: Driver) -> str:
    outcome = await driver.conversation.handle(Inbound(someone(locale="en-US"), "home_opened"))
    return words(outcome.home)


async def test_next_steps_while_waiting(database: Database) -> None:
    driver = Driver(database)
    assert "You are not enrolled in a program yet." in await home(driver)
    async with database.unit_of_work() as session:
        person = await session.scalar(select(PlatformIdentity.person_id))
    assert person is not None
    first, second = await add_program(database), await add_program(database, "mi-uk")
    back = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
    async with database.unit_of_work() as session:
        session.add_all([
            Enrollment(program_id=first, person_id=person, role="mentee", status="pending"),
            Enrollment(program_id=second, person_id=person, role="mentee", status="paused",
                       paused_until=back),
        ])  # fmt: skip
    shown = await home(driver)
    assert "not enrolled" not in shown
    assert "Next step: the program team reviews your enrollment; I will tell you." in shown
    assert "Next step: your pause ends on 2027-03-01. Type resume to come back earlier." in shown
    async with database.unit_of_work() as session:
        for enrollment in await session.scalars(select(Enrollment)):
            enrollment.status = "active"
    shown = await home(driver)
    assert shown.count("I will tell you as soon as a partner is proposed.") == 2
