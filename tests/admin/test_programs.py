"""``admin program``: the form (two steps), list, show, open, close, edit, admins; through
the real core on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from dialogs.core.ui import Done, FieldErrors, FieldValue, Form, NextForm
from storage.db import Database
from storage.models import AuditEvent, Program, ProgramAdmin
from tests.support.driver import SETTINGS, Driver, admin, someone
from tests.support.messages import words


async def create(driver: Driver, settings: dict[str, FieldValue] | None = None) -> Done:
    opened = await driver.say(admin(), "admin program new")
    assert isinstance(opened.form, Form) and opened.form.title == "Nouveau programme"
    step = await driver.submit(admin(), opened.form, dict(settings or SETTINGS))
    assert isinstance(step, NextForm), step
    done = await driver.submit(
        admin(), step.form,
        {"mentor_stages": ("junior", "apprentice"), "mentee_stages": ("executive",),
         "rules": ("cross_department",)},
    )  # fmt: skip
    assert isinstance(done, Done), done
    return done


async def test_new_program_through_the_two_step_form(database: Database) -> None:
    driver = Driver(database)
    done = await create(driver)
    assert "Programme créé" in words(done.message)
    async with database.unit_of_work() as session:
        program = await session.scalar(select(Program).where(Program.slug == "mi-2028"))
        assert program is not None
        admins = list(await session.scalars(select(ProgramAdmin.person_id)))
        events = list(await session.scalars(select(AuditEvent.action)))
    assert program.name == "Mentorat <b>2028</b>" and program.status == "draft"
    assert (program.starts_on, program.ends_on) == (date(2028, 1, 10), date(2028, 7, 7))
    assert (program.cadence, program.session_minutes, program.capacity_default) == (
        "monthly",
        60,
        2,
    )
    assert program.approval_required and program.enrollment_closes_on is None
    # Kept in career order whatever order they were picked in.
    assert program.rules == {
        "eligibility": {"mentor": ["apprentice", "junior"], "mentee": ["executive"]},
        "cross_department": True, "reverse_career_order": False,
    }  # fmt: skip
    assert len(admins) == 1 and "program.created" in events


async def test_end_before_start_and_capacity_zero_are_refused_next_to_the_field(
    database: Database,
) -> None:
    driver = Driver(database)
    opened = await driver.say(admin("en-US"), "admin program new")
    assert isinstance(opened.form, Form)
    bad = SETTINGS | {"ends_on": "2027-12-31", "capacity_default": "0", "slug": "Mi 2028!"}
    answer = await driver.submit(admin("en-US"), opened.form, bad)
    assert isinstance(answer, FieldErrors)
    assert answer.errors == {
        "ends_on": "The end must come after the start.",
        "capacity_default": "A number from 1 to 3.",
        "slug": "Lowercase letters, digits and dashes only (for example mi-2027).",
    }
    assert answer.form is not None  # what was typed is kept
    typed = {f.name: f.initial for f in answer.form.fields}
    assert typed["capacity_default"] == "0" and typed["name"] == "Mentorat <b>2028</b>"
    missing = await driver.submit(admin("en-US"), opened.form, SETTINGS | {"name": ""})
    assert isinstance(missing, FieldErrors) and set(missing.errors) == {"name"}
    assert await driver.count(Program) == 0


async def test_a_slug_in_use_is_refused(database: Database) -> None:
    driver = Driver(database)
    await create(driver)
    opened = await driver.say(admin(), "admin program new")
    assert isinstance(opened.form, Form) and opened.form.fields[1].initial == ""  # a fresh form
    answer = await driver.submit(admin(), opened.form, SETTINGS)
    assert isinstance(answer, FieldErrors)
    assert answer.errors == {"slug": "Un autre programme utilise déjà ce nom court."}


async def test_list_show_open_close_and_several_programs(database: Database) -> None:
    driver = Driver(database)
    await create(driver)
    await create(driver, SETTINGS | {"slug": "mi-uk", "name": "Reverse mentoring UK"})
    listed = words(await driver.say(admin(), "admin program list"))
    assert "mi-2028: Mentorat <b>2028</b> · brouillon" in listed
    assert "mi-uk: Reverse mentoring UK" in listed
    for kind in ("charter", "privacy"):  # the default drafts, published as they are
        await driver.say(admin(), f"admin texts publish mi-uk {kind}")
    opened = words(await driver.say(admin(), "admin programme ouvrir mi-uk"))
    assert "ouvertes" in opened
    again = words(await driver.say(admin(), "admin program open mi-uk"))
    assert "déjà" in again
    shown = words(await driver.say(admin(), "admin program show mi-uk"))
    assert "Statut: ouvert aux inscriptions" in shown and "Rose RH" in shown
    closed = words(await driver.say(admin(), "admin program close mi-2028"))
    assert "fermé" in closed
    async with database.unit_of_work() as session:
        statuses = dict((await session.execute(select(Program.slug, Program.status))).all())
        actions = list(await session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert statuses == {"mi-2028": "closed", "mi-uk": "open"}
    assert actions.count("program.opened") == 1 and "program.closed" in actions


async def test_unknown_slug_is_answered_politely(database: Database) -> None:
    driver = Driver(database)
    await create(driver)
    for text in ("admin program show nope", "admin program open <!channel>",
                 "admin program edit nope", "admin texts show nope"):  # fmt: skip
        answer = await driver.say(admin("en-US"), text)
        said = words(answer)
        assert "I do not know a program called" in said and "Programs: mi-2028" in said
    which = words(await driver.say(admin("en-US"), "admin program show"))
    assert "Which program?" in which


async def test_edit_keeps_the_slug_and_prefills(database: Database) -> None:
    driver = Driver(database)
    await create(driver)
    opened = await driver.say(admin(), "admin program edit mi-2028")
    assert isinstance(opened.form, Form) and opened.form.title == "Modifier le programme"
    initial = {f.name: f.initial for f in opened.form.fields}
    assert "slug" not in initial and initial["capacity_default"] == "2"
    assert initial["starts_on"] == date(2028, 1, 10)
    step = await driver.submit(admin(), opened.form, SETTINGS | {"capacity_default": "3"})
    assert isinstance(step, NextForm)
    prefilled = {f.name: f.initial for f in step.form.fields}
    assert prefilled["mentor_stages"] == ("apprentice", "junior")
    done = await driver.submit(admin(), step.form, {"mentor_stages": (), "mentee_stages": (),
                                                    "rules": ("reverse_career_order",)})  # fmt: skip
    assert isinstance(done, Done) and "Programme enregistré" in words(done.message)
    async with database.unit_of_work() as session:
        program = await session.scalar(select(Program))
        edited = await session.scalar(
            select(AuditEvent).where(AuditEvent.action == "program.edited")
        )
    assert program is not None and program.capacity_default == 3
    assert program.rules["eligibility"] == {} and program.rules["reverse_career_order"]
    assert edited is not None and edited.details["changed"] == ["capacity_default", "rules"]
    # A late second submission of the last step changes nothing.
    late = await driver.submit(admin(), step.form, {"rules": ()})
    assert isinstance(late, Done) and "déjà" in words(late.message)


async def test_program_admins_become_admins_and_non_admins_are_refused(
    database: Database,
) -> None:
    driver = Driver(database)
    await create(driver)
    # Léo is known (has written once) but is not an admin yet: refused and audited.
    refused = await driver.say(someone(email="leo@acme.example"), "admin program new")
    assert "réservée aux administrateurs" in words(refused) and refused.form is None
    for text in ("admin status", "admin audit", "admin texts show mi-2028",
                 "admin skills add x y z", "admin program open mi-2028"):  # fmt: skip
        answer = await driver.say(someone("U8", "en-US"), text)
        assert "This command is for program admins" in words(answer)
    async with database.unit_of_work() as session:
        refusals = list(await session.scalars(
            select(AuditEvent).where(AuditEvent.action == "admin.refused")
        ))  # fmt: skip
        program = await session.scalar(select(Program))
    assert [e.details["command"] for e in refusals] == [
        "program",
        "status",
        "audit",
        "texts",
        "skills",
        "program",
    ]
    assert program is not None and program.status == "draft"  # nothing changed
    # Léo has written once, so an admin can name him by his email (any case).
    added = words(await driver.say(admin(), "admin program admins add mi-2028 LEO@acme.example"))
    assert "Léo Dupont est maintenant" in added
    twice = words(await driver.say(admin(), "admin program admins add mi-2028 leo@acme.example"))
    assert "déjà" in twice
    unknown = words(await driver.say(admin(), "admin program admins add mi-2028 x@acme.example"))
    assert "x@acme.example" in unknown
    now_admin = await driver.say(someone(email="leo@acme.example"), "admin program list")
    assert "mi-2028" in words(now_admin)


async def test_adding_a_program_admin_without_arguments_opens_a_form(
    database: Database,
) -> None:
    driver = Driver(database)
    await create(driver)
    await driver.say(someone(email="leo@acme.example"), "aide")  # Léo has written once
    before = await driver.count(ProgramAdmin)
    opened = await driver.say(admin(), "admin program admins add")
    assert isinstance(opened.form, Form)
    assert [f.name for f in opened.form.fields] == ["program", "email"]
    unknown = await driver.submit(admin(), opened.form, {"program": "mi-2028", "email": "x@y.z"})
    assert isinstance(unknown, FieldErrors) and "email" in unknown.errors
    wrong = await driver.submit(admin(), opened.form, {"program": "nope", "email": "leo"})
    assert isinstance(wrong, FieldErrors) and set(wrong.errors) == {"program", "email"}
    assert await driver.count(ProgramAdmin) == before  # nothing saved on an error
    done = await driver.submit(
        admin(), opened.form, {"program": "mi-2028", "email": "leo@acme.example"}
    )
    assert isinstance(done, Done) and "est maintenant" in words(done.message)
    assert await driver.count(ProgramAdmin) == before + 1


async def test_admins_set_how_long_people_have_to_answer_a_proposal(database: Database) -> None:
    driver = Driver(database)
    await create(driver)  # the field left out: 7 days
    opened = await driver.say(admin(), "admin program edit mi-2028")
    assert isinstance(opened.form, Form)
    assert {f.name: f.initial for f in opened.form.fields}["proposal_expiry_days"] == "7"
    refused = await driver.submit(admin(), opened.form, SETTINGS | {"proposal_expiry_days": "0"})
    assert isinstance(refused, FieldErrors) and "proposal_expiry_days" in refused.errors
    step = await driver.submit(admin(), opened.form, SETTINGS | {"proposal_expiry_days": "14"})
    assert isinstance(step, NextForm)
    await driver.submit(admin(), step.form, {"mentor_stages": (), "mentee_stages": (),
                                             "rules": ()})  # fmt: skip
    async with database.unit_of_work() as session:
        program = await session.scalar(select(Program))
    assert program is not None and program.proposal_expiry_days == 14
    shown = words(await driver.say(admin(), "admin program show mi-2028"))
    assert "14" in shown
