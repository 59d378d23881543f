"""A program opens for enrollment only with its charter and privacy notice published; a
new program starts from default bilingual drafts; joining shows both texts and records one
acceptance per text with its version. Through the real core, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.domain.program_texts import DEFAULT_TEXTS
from dialogs.core.conversation import Conversation
from dialogs.core.ui import CheckboxesField, NextForm
from storage.db import Database
from storage.demo_data import write_demo_program
from storage.enrollment.enrollments import current_text
from storage.models import AuditEvent, Consent, Enrollment, Program, ProgramText
from tests.admin.test_programs import create
from tests.support.clock import T0, fixed_clock
from tests.support.driver import CONFIG, Driver, admin
from tests.support.enrollment import Driver as Person
from tests.support.enrollment import actor, add_person, add_program, form_words
from tests.support.messages import done_message, words


async def _program(database: Database, slug: str) -> Program:
    async with database.unit_of_work() as session:
        program = await session.scalar(select(Program).where(Program.slug == slug))
        assert program is not None
        return program


async def test_a_new_program_starts_from_default_drafts_and_opens_once_both_are_published(
    database: Database,
) -> None:
    driver = Driver(database)
    created = words((await create(driver)).message)  # admin program new: "mi-2028"
    assert "Sa charte et sa notice d’information attendent en brouillon" in created
    async with database.unit_of_work() as session:
        rows = await session.execute(
            select(ProgramText.kind, ProgramText.locale, ProgramText.version, ProgramText.body)
            .where(ProgramText.published_at.is_(None))
            .order_by(ProgramText.kind, ProgramText.locale)
        )
        drafts = {(kind, locale): (version, body) for kind, locale, version, body in rows}
    assert drafts == {
        (kind, locale): (1, body)
        for kind, bodies in DEFAULT_TEXTS.items()
        for locale, body in bodies.items()
    }  # both texts, in French and English, waiting for the program team

    refused = words(await driver.say(admin("en-US"), "admin program open mi-2028"))
    assert "Enrollment cannot open yet for Mentorat <b>2028</b>." in refused
    assert "Its charter is not published yet." in refused
    assert "Its privacy notice is not published yet." in refused
    assert "admin texts publish mi-2028 charter · admin texts publish mi-2028 privacy" in refused
    assert (await _program(database, "mi-2028")).status == "draft"

    await driver.say(admin(), "admin texts publish mi-2028 charter")
    french = words(await driver.say(admin(), "admin program open mi-2028"))
    assert "Sa notice d’information n’est pas encore publiée." in french
    assert "Sa charte" not in french
    assert (await _program(database, "mi-2028")).status == "draft"

    await driver.say(admin(), "admin texts publish mi-2028 privacy")
    opened = words(await driver.say(admin(), "admin program open mi-2028"))
    assert "Les inscriptions sont ouvertes" in opened
    program = await _program(database, "mi-2028")
    assert (program.status, program.charter_version, program.privacy_version) == ("open", 1, 1)
    async with database.unit_of_work() as session:
        actions = list(await session.scalars(select(AuditEvent.action)))
    assert actions.count("program.opened") == 1


async def test_joining_shows_both_texts_and_records_each_acceptance_with_its_version(
    database: Database,
) -> None:
    driver = Driver(database)
    await create(driver)
    for kind in ("charter", "privacy"):
        await driver.say(admin(), f"admin texts publish mi-2028 {kind}")
    await driver.say(admin(), "admin program open mi-2028")
    await add_person(database, "jun@acme.example", "junior", locale="en")
    person = Person(
        Conversation(database, CONFIG, clock=fixed_clock()),
        actor("U2", "jun@acme.example", "en-US"),
    )
    opened = await person.join()
    assert opened.form is not None
    answers = [
        {"role": "mentor"},
        {"offered": ("seo",)},
        {"offered.seo": "4"},
        {"days": ("0",), "start": "17:00", "end": "18:00", "cadence": "monthly",
         "languages": ("en",), "format": "remote", "location": "", "capacity": "1",
         "motivation": "I like explaining."},
    ]  # fmt: skip
    form = opened.form
    for values in answers:
        answer = (await person.submit(form, values)).form_answer
        assert isinstance(answer, NextForm), answer
        form = answer.form
    shown = form_words(form)
    assert "Charter · Version 1" in shown and "Privacy notice · Version 1" in shown
    assert "Program charter" in shown and "Privacy notice" in shown  # the English drafts
    accept = [f for f in form.fields if isinstance(f, CheckboxesField)]
    assert [(f.name, f.label, f.required) for f in accept] == [
        ("charter", "I accept the charter", True),
        ("privacy", "I have read the privacy notice", True),
    ]
    one = (await person.submit(form, {"charter": ("accept",)})).form_answer
    assert not isinstance(one, NextForm)  # the privacy notice is accepted on its own
    summary = await person.submit(form, {"charter": ("accept",), "privacy": ("accept",)})
    assert isinstance(summary.form_answer, NextForm)
    done = done_message(await person.confirm(summary.form_answer.form))
    assert "The program team will review your enrollment" in words(done)
    async with database.unit_of_work() as session:
        consents = await session.execute(
            select(Consent.text_kind, Consent.text_version, Consent.locale).order_by(
                Consent.text_kind
            )
        )
        assert list(consents) == [("charter", 1, "en"), ("privacy", 1, "en")]


async def test_an_open_program_without_published_texts_cannot_be_joined(
    database: Database,
) -> None:
    """A program an older version opened without texts: nothing to read, nobody joins."""
    program_id = await add_program(database, "bare")
    async with database.unit_of_work() as session:
        for text in await session.scalars(
            select(ProgramText).where(ProgramText.program_id == program_id)
        ):
            await session.delete(text)
    await add_person(database, "jun@acme.example", "junior", locale="en")
    person = Person(
        Conversation(database, CONFIG, clock=fixed_clock()),
        actor("U2", "jun@acme.example", "en-US"),
    )
    refused = await person.join()
    assert refused.form is None
    assert words(refused.messages[0]) == (
        "You cannot join Mentorat <b>bare</b> yet: its charter and privacy notice are not "
        "published. The program team can tell you when."
    )
    async with database.unit_of_work() as session:
        assert await session.scalar(select(func.count()).select_from(Enrollment)) == 0


async def test_a_program_made_by_demo_data_opens_with_published_texts(
    database: Database,
) -> None:
    await write_demo_program(database, "try", 12, seed=3, now=T0)
    program = await _program(database, "try")
    assert program.status == "open"
    async with database.unit_of_work() as session:
        for kind in ("charter", "privacy"):
            for locale in ("fr", "en"):
                text = await current_text(session, program, kind, locale)
                assert text is not None and text.locale == locale and text.version == 1
                assert text.body == DEFAULT_TEXTS[kind][locale]
