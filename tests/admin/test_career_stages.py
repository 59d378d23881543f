"""``admin stages``: the ordered career ladder that eligibility and matching read."""

from __future__ import annotations

from sqlalchemy import select

from dialogs.core.ui import Done, FieldErrors, Form
from storage.db import Database
from storage.models import AuditEvent, CareerStage
from tests.admin.test_programs import create
from tests.support.driver import Driver, admin, someone
from tests.support.messages import words


async def keys(database: Database) -> list[str]:
    async with database.unit_of_work() as session:
        return list(await session.scalars(select(CareerStage.key).order_by(CareerStage.rank)))


async def test_admins_add_move_and_rename_stages(database: Database) -> None:
    driver = Driver(database)
    listed = words(await driver.say(admin(), "admin stages"))
    assert listed.index("1. apprentice") < listed.index("7. executive")
    added = words(await driver.say(admin(), 'admin stages add lead_expert "Expert·e" Expert 5'))
    assert "5. lead_expert" in added
    assert (await keys(database))[3:6] == ["senior", "lead_expert", "manager"]
    moved = words(await driver.say(admin(), "admin etapes deplacer lead_expert 8"))
    assert "8. lead_expert" in moved and (await keys(database))[-1] == "lead_expert"
    await driver.say(admin("en-US"), "admin stages rename lead_expert en 'Principal expert'")
    async with database.unit_of_work() as session:
        stage = await session.scalar(select(CareerStage).where(CareerStage.key == "lead_expert"))
        assert stage is not None and stage.label_en == "Principal expert"
        audited = list(await session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("career_stage.%"))))  # fmt: skip
    assert audited == ["career_stage.added", "career_stage.moved", "career_stage.renamed"]


async def test_missing_arguments_open_a_form_and_errors_save_nothing(database: Database) -> None:
    driver = Driver(database)
    before = await keys(database)
    opened = await driver.say(admin(), "admin stages add")
    assert isinstance(opened.form, Form)
    assert [f.name for f in opened.form.fields] == ["key", "fr", "en", "position"]
    bad = await driver.submit(admin(), opened.form,
                              {"key": "Bad Key!", "fr": "", "en": "x", "position": "99"})  # fmt: skip
    assert isinstance(bad, FieldErrors) and set(bad.errors) == {"key", "fr", "position"}
    taken = await driver.submit(admin(), opened.form,
                                {"key": "junior", "fr": "a", "en": "b", "position": "1"})  # fmt: skip
    assert isinstance(taken, FieldErrors) and "key" in taken.errors
    assert await keys(database) == before
    done = await driver.submit(admin(), opened.form,
                               {"key": "trainee", "fr": "Stagiaire", "en": "Trainee",
                                "position": "1"})  # fmt: skip
    assert isinstance(done, Done) and (await keys(database))[0] == "trainee"
    moving = await driver.say(admin(), "admin stages move")
    assert isinstance(moving.form, Form) and moving.form.fields[0].name == "stage"


async def test_only_deployment_admins_change_the_ladder(database: Database) -> None:
    driver = Driver(database)
    await create(driver)
    await driver.say(someone(email="leo@acme.example"), "aide")
    await driver.say(admin(), "admin program admins add mi-2028 leo@acme.example")
    before = await keys(database)
    reading = await driver.say(someone(email="leo@acme.example"), "admin stages")
    assert "1. apprentice" in words(reading)
    refused = await driver.say(someone(email="leo@acme.example"), "admin stages move junior 1")
    assert "TANDEM_ADMINS" in words(refused)
    stranger = await driver.say(someone("U9", "en-US"), "admin stages add x y z")
    assert "for program admins" in words(stranger)
    assert await keys(database) == before
    async with database.unit_of_work() as session:
        refusals = list(await session.scalars(select(AuditEvent.details).where(
            AuditEvent.action == "admin.refused")))  # fmt: skip
    assert {"command": "stages", "reason": "not_deployment_admin"} in refusals
