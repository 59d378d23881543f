"""Admin commands typed without their arguments open a form, or a picker card when the
choice is among a few programs, instead of answering with a usage line. Through the real
core, and ``/tandem admin skills add`` through Slack (``views.open``)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from dialogs.core.ui import Done, FieldErrors, Form
from storage.db import Database
from storage.models import Program, ProgramText, Skill
from tests.fakes.fixtures import fake_slack
from tests.fakes.slack_api import FakeSlack
from tests.fakes.slack_directory import FakeUser
from tests.fakes.slack_signing import slash_command_request
from tests.slack.conftest import SECRET, SlackServer, start_server
from tests.support.driver import CONFIG, Driver, admin, someone
from tests.support.enrollment import add_program
from tests.support.messages import buttons, words

__all__ = ["fake_slack"]


async def test_skills_forms_add_rename_and_retire(database: Database) -> None:
    driver = Driver(database)
    opened = await driver.say(admin(), "admin skills add")
    form = opened.form
    assert isinstance(form, Form) and form.title == "Ajouter une compétence"
    assert [f.name for f in form.fields] == ["key", "fr", "en"]

    wrong = await driver.submit(admin(), form, {"key": "No Code", "fr": "", "en": "No-code"})
    assert isinstance(wrong, FieldErrors) and set(wrong.errors) == {"key", "fr"}
    assert await driver.count(Skill, Skill.key == "no_code") == 0  # nothing saved
    done = await driver.submit(admin(), form, {"key": "no_code", "fr": "Sans code",
                                               "en": "No-code"})  # fmt: skip
    assert isinstance(done, Done) and "Compétence ajoutée" in words(done.message)

    renaming = (await driver.say(admin(), "admin skills renommer no_code")).form
    assert isinstance(renaming, Form)
    assert renaming.fields[0].initial == ("no_code",)  # what was typed is kept
    done = await driver.submit(admin(), renaming, {"skill": "no_code", "locale": "en",
                                                   "name": "No-code tools"})  # fmt: skip
    assert "no_code (en) → No-code tools" in words(done.message)

    retiring = (await driver.say(admin(), "admin skills retire")).form
    assert isinstance(retiring, Form)
    done = await driver.submit(admin(), retiring, {"skill": "no_code"})
    assert "Compétence retirée" in words(done.message)
    async with database.unit_of_work() as session:
        skill = await session.scalar(select(Skill).where(Skill.key == "no_code"))
        assert skill is not None and skill.retired_at is not None
        assert skill.name("en") == "No-code tools"


async def test_program_commands_without_a_program_offer_one_button_each(
    database: Database,
) -> None:
    await add_program(database, "mi-paris")
    await add_program(database, "mi-lyon", status="draft")
    driver = Driver(database)
    asked = await driver.say(admin(), "admin program close")
    assert "Quel programme ?" in words(asked)
    choices = {b.value: b for b in buttons(asked)}
    assert set(choices) == {"close:mi-paris", "close:mi-lyon"}
    closed = await driver.click(admin(), choices["close:mi-paris"])
    assert "Le programme est fermé" in words(closed) and closed.close_source
    async with database.unit_of_work() as session:
        status = await session.scalar(select(Program.status).where(Program.slug == "mi-paris"))
    assert status == "closed"

    editing = await driver.click(
        admin(), buttons(await driver.say(admin(), "admin program edit"))[0]
    )
    assert isinstance(editing.form, Form)  # the button opens the program's form

    # A forwarded picker clicked by someone else changes nothing.
    refused = await driver.click(someone(), choices["close:mi-paris"])
    assert "réservée aux administrateurs du programme" in words(refused)


async def test_texts_without_a_program_pick_the_text_then_act(database: Database) -> None:
    await add_program(database, "mi-paris")
    driver = Driver(database)
    asked = await driver.say(admin(), "admin texts edit")
    assert "Quel texte voulez-vous modifier ?" in words(asked)
    [charter, privacy] = buttons(asked)
    assert charter.value == "edit:mi-paris:charter" and charter.opens_form
    opened = await driver.click(admin(), privacy)
    assert isinstance(opened.form, Form) and opened.form.title == "Modifier un texte"
    done = await driver.submit(admin(), opened.form, {"body": "Nouvelle notice."})
    assert isinstance(done, Done)
    async with database.unit_of_work() as session:
        drafts = list(await session.scalars(select(ProgramText.body).where(
            ProgramText.published_at.is_(None))))  # fmt: skip
    assert drafts == ["Nouvelle notice."]

    read = await driver.say(admin(), "admin texts")
    shown = await driver.click(admin(), buttons(read)[0])
    assert "Charte" in words(shown) and "Confiance et confidentialité" in words(shown)


# -- through Slack: the slash command opens the modal ---------------------------------------

ROSE = FakeUser("U0ROSE001", "rose", "rh@acme.example", "Europe/Paris", "fr-FR", "Rose RH")


@pytest.fixture
async def slack_server(database: Database, fake_slack: FakeSlack) -> AsyncIterator[SlackServer]:
    fake_slack.add_user(ROSE)
    async for running in start_server(database, fake_slack, admins=CONFIG.admins):
        yield running


async def test_a_slash_command_without_arguments_opens_the_modal(
    slack_server: SlackServer,
) -> None:
    answer = await slack_server.post(
        slash_command_request(SECRET, text="admin skills add", user_id=ROSE.id)
    )
    assert answer.status == 200
    await slack_server.settle()
    [opened] = slack_server.slack.calls_to("views.open")
    view = opened.args["view"]
    view = view if isinstance(view, dict) else json.loads(view)
    assert view["title"]["text"] == "Ajouter une compétence"
    assert [b.get("block_id") for b in view["blocks"] if b["type"] == "input"] == [
        "key", "fr", "en",
    ]  # fmt: skip
    assert slack_server.slack.violations == []
