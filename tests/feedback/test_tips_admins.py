"""The tips catalogue is every program's: a program admin reads it, only deployment admins
(TANDEM_ADMINS) change it; the refusal is audited and nothing changes (as for the ladder)."""

from __future__ import annotations

from sqlalchemy import select

from dialogs.core.ui import Form
from storage.db import Database
from storage.models import AuditEvent, Tip
from tests.admin.test_programs import create
from tests.support.driver import Driver, admin, someone
from tests.support.messages import words

LEO = "leo@acme.example"


async def catalogue(database: Database) -> list[tuple[int, bool]]:
    async with database.unit_of_work() as session:
        return [(t.id, t.active) for t in await session.scalars(select(Tip).order_by(Tip.id))]


async def test_only_deployment_admins_change_the_tips(database: Database) -> None:
    driver = Driver(database)
    await create(driver)
    await driver.say(someone(email=LEO), "aide")
    await driver.say(admin(), "admin program admins add mi-2028 leo@acme.example")
    before = await catalogue(database)

    reading = await driver.say(someone(email=LEO), "admin conseils")
    assert "Idées à essayer cette semaine" in words(reading)
    for typed in ("admin tips add seo", f"admin tips deactivate {before[0][0]}"):
        refused = await driver.say(someone(email=LEO), typed)
        assert "TANDEM_ADMINS" in words(refused) and refused.form is None
    assert await catalogue(database) == before
    async with database.unit_of_work() as session:
        refusals = list(await session.scalars(select(AuditEvent.details).where(
            AuditEvent.action == "admin.refused")))  # fmt: skip
    assert {"command": "tips", "reason": "not_deployment_admin"} in refusals

    # A deployment admin typing it opens the form (an unknown skill is not preselected).
    opened = await driver.say(admin(), "admin tips add nothing_such")
    assert isinstance(opened.form, Form) and opened.form.fields[0].name == "skill"
    assert opened.form.fields[0].initial == ()
