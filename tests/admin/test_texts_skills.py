"""``admin texts`` (versioned per language; a new version asks enrolled people again) and
``admin skills`` (retiring keeps history), through the real core on both engines."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from dialogs.core.ui import Done, FieldErrors, Form, TextField
from dialogs.notify.notifier import Notifier, NotifierConfig
from dialogs.programs.feature import PROGRAMS
from storage.db import Database
from storage.due_runner import DueHandlers, DueRunner
from storage.enrollment.enrollments import active_skills
from storage.models import AuditEvent, Consent, Enrollment, Program, ProgramText, Skill
from storage.programs.texts import stale_consents
from tests.support.channels import RecordingChannel
from tests.support.clock import fixed_clock
from tests.support.driver import Driver, admin, someone
from tests.support.enrollment import add_person, add_program
from tests.support.messages import buttons, words

LATER = datetime(2030, 1, 1, tzinfo=UTC)


async def enroll(database: Database, program_id: int, person_id: str, charter: int) -> None:
    async with database.unit_of_work() as session:
        session.add(
            Enrollment(
                program_id=program_id,
                person_id=person_id,
                role="mentor",
                status="active",
                skills_offered=[{"skill": "seo", "level": 4}],
            )
        )
        session.add(Consent(person_id=person_id, program_id=program_id, text_kind="charter",
                            text_version=charter, locale="en"))  # fmt: skip


async def test_edit_publish_and_enrolled_people_accept_again(database: Database) -> None:
    driver = Driver(database)
    program_id = await add_program(database)
    jun = await add_person(database, "jun@acme.example", "junior", locale="en")
    left = await add_person(database, "old@acme.example", "junior", locale="en")
    await enroll(database, program_id, jun, charter=1)
    await enroll(database, program_id, left, charter=1)
    async with database.unit_of_work() as session:
        gone = await session.scalar(select(Enrollment).where(Enrollment.person_id == left))
        assert gone is not None
        gone.status = "left"  # people who left are not asked again
    jun_on_slack = someone("U2", "en-US", email="jun@acme.example")
    await driver.say(jun_on_slack, "help")  # Jun can be reached on Slack

    shown = await driver.say(admin(), "admin texts show mi-2027 charter fr")
    assert "Version 1" in words(shown) and "Confiance et confidentialité." in words(shown)
    opened = await driver.click(admin(), buttons(shown)[0])  # Edit
    form = opened.form
    assert isinstance(form, Form)
    [body] = form.fields
    assert isinstance(body, TextField) and body.multiline
    assert body.initial == "Charte\n\nConfiance et confidentialité."  # prefilled
    empty = await driver.submit(admin(), form, {"body": "  "})
    assert isinstance(empty, FieldErrors) and set(empty.errors) == {"body"}
    saved = await driver.submit(admin(), form, {"body": "Charte v2 <@U1>\n\nConfiance."})
    assert isinstance(saved, Done) and "version 2" in words(saved.message)
    async with database.unit_of_work() as session:
        program = await session.get(Program, program_id)
        assert program is not None and program.charter_version == 1  # a draft changes nothing
        assert await stale_consents(session, program, "charter") == []

    published = words(await driver.say(admin(), "admin texts publish mi-2027 charter"))
    assert "version 2 est publiée" in published and "Inchangée en : anglais" in published
    nothing = words(await driver.say(admin(), "admin texts publish mi-2027 charter"))
    assert "pas de brouillon" in nothing
    async with database.unit_of_work() as session:
        program = await session.get(Program, program_id)
        assert program is not None and program.charter_version == 2
        texts = {(t.version, t.locale): t.body for t in await session.scalars(
            select(ProgramText).where(ProgramText.kind == "charter"))}  # fmt: skip
        stale = await stale_consents(session, program, "charter")
    assert texts[(2, "fr")].startswith("Charte v2") and texts[(2, "en")] == texts[(1, "en")]
    assert [e.person_id for e in stale] == [jun]

    slack = RecordingChannel("slack")
    notifier = Notifier(
        database, {"slack": slack}, NotifierConfig(quiet_hours=None), clock=fixed_clock()
    )  # type: ignore[dict-item]
    handlers = DueHandlers()
    notifier.register(handlers)
    PROGRAMS.register(handlers, database, notifier)
    runner = DueRunner(notifier.queue, handlers, clock=fixed_clock())
    for _ in range(3):
        await runner.drain(LATER)
    [(recipient, card)] = slack.sent
    assert recipient.user_id == "U2" and card.summary == "The program charter has changed"
    review = await driver.click(jun_on_slack, buttons_of(card)[0])
    assert "Charter\n\nTrust and confidentiality." in words(review)  # the English one, kept
    accepted = await driver.click(jun_on_slack, buttons(review)[0])
    assert "acceptance is recorded" in words(accepted) and accepted.close_source
    again = await driver.click(jun_on_slack, buttons(review)[0])  # a double click
    async with database.unit_of_work() as session:
        program = await session.get(Program, program_id)
        assert program is not None and await stale_consents(session, program, "charter") == []
        versions = list(await session.scalars(select(Consent.text_version).where(
            Consent.person_id == jun, Consent.text_kind == "charter")))  # fmt: skip
        actions = list(await session.scalars(select(AuditEvent.action)))
    assert sorted(versions) == [1, 2] and again.messages
    assert {"texts.edited", "texts.published", "consent.accepted"} <= set(actions)


def buttons_of(message: object) -> list:  # type: ignore[type-arg]
    return [b for block in message.blocks for b in getattr(block, "buttons", ())]  # type: ignore[attr-defined]


async def test_texts_bad_input_and_non_admin_edit_button(database: Database) -> None:
    driver = Driver(database)
    await add_program(database)
    usage = words(await driver.say(admin("en-US"), "admin texts edit mi-2027 poem"))
    assert usage.startswith("Usage: admin texts")
    asked = await driver.say(admin("en-US"), "admin texts show")  # which text: a picker
    assert words(asked) == "Which text do you want to read?"
    shown = await driver.say(admin(), "admin texts show mi-2027 privacy en")
    assert "v2 Notice" in words(shown)  # English falls back to the French notice
    edit = buttons(shown)[0]
    refused = await driver.click(someone("U8", "en-US"), edit)  # a forwarded card
    assert "for program admins" in words(refused) and refused.form is None


async def test_skills_add_rename_retire_keep_history(database: Database) -> None:
    driver = Driver(database)
    before = await driver.count(Skill)
    added = words(
        await driver.say(admin(), 'admin skills add prompt_craft "Art du prompt" "Prompting"')
    )
    assert "Compétence ajoutée" in added
    dup = words(await driver.say(admin(), 'admin skills add prompt_craft "A" "B"'))
    assert "existe déjà" in dup
    bad = words(await driver.say(admin(), 'admin skills add "Prompt Craft" "A" "B"'))
    assert "tirets bas" in bad
    renamed = words(
        await driver.say(admin(), 'admin skills renommer prompt_craft en "Prompt design"')
    )
    assert "prompt_craft (en) → Prompt design" in renamed
    retired = words(await driver.say(admin(), "admin skills retire prompt_craft"))
    assert "Compétence retirée" in retired
    assert "déjà retirée" in words(await driver.say(admin(), "admin skills retire prompt_craft"))
    assert "ne connais pas" in words(await driver.say(admin(), "admin skills retire nope"))
    partly = await driver.say(admin(), "admin skills add only_key")  # the form asks the rest
    assert partly.form is not None and partly.form.fields[0].initial == "only_key"
    listed = words(await driver.say(admin(), "admin skills list"))
    assert "prompt_craft: Art du prompt / Prompt design · retirée" in listed
    async with database.unit_of_work() as session:
        assert "prompt_craft" not in {s.key for s in await active_skills(session)}
        skill = await session.scalar(select(Skill).where(Skill.key == "prompt_craft"))
        assert skill is not None and skill.retired_at is not None
        assert skill.name("en") == "Prompt design"  # still readable where history names it
        actions = list(await session.scalars(select(AuditEvent.action)))
    assert await driver.count(Skill) == before + 1
    assert [a for a in actions if a.startswith("skill.")] == [
        "skill.added",
        "skill.renamed",
        "skill.retired",
    ]
