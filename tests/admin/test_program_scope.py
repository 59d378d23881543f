"""Program admins run admin commands on their own programs only; deployment admins
(TANDEM_ADMINS) on all. A refusal is said in the admin's language, audited, and changes
nothing. Through the real core, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dialogs.core.events import Actor
from dialogs.core.ui import Button, Form
from dialogs.notify.presenters import APPROVE_ACTION
from storage.db import Database
from storage.models import AuditEvent, DueAction, Enrollment, Program, Skill
from tests.support.driver import Driver, admin, someone
from tests.support.enrollment import add_person, add_program
from tests.support.messages import words

LEA = "lea@acme.example"  # runs mi-paris only


@pytest.fixture
async def driver(database: Database) -> Driver:
    await add_person(database, LEA, "manager")
    await add_program(database, "mi-paris", admin_email=LEA)
    await add_program(database, "mi-lyon")
    return Driver(database)


def lea() -> Actor:
    """Léa's language is French (from the HR import), whatever her client says."""
    return someone("ULEA", "en-US", email=LEA)


async def refusals(database: Database) -> list[tuple[int | None, str]]:
    async with database.unit_of_work() as session:
        rows = await session.execute(
            select(AuditEvent.program_id, AuditEvent.details).where(
                AuditEvent.action == "admin.refused"
            )
        )
        return [(program_id, str(details.get("command"))) for program_id, details in rows]


async def program_id(database: Database, slug: str) -> int:
    async with database.unit_of_work() as session:
        found = await session.scalar(select(Program.id).where(Program.slug == slug))
        assert found is not None
        return found


async def test_a_program_admin_sees_and_changes_only_their_program(
    driver: Driver, database: Database
) -> None:
    listed = words(await driver.say(lea(), "admin program list"))
    assert "mi-paris" in listed and "mi-lyon" not in listed
    status = words(await driver.say(lea(), "admin status"))
    assert "mi-paris" in status and "mi-lyon" not in status

    lyon = await program_id(database, "mi-lyon")
    for command in ("admin program show mi-lyon", "admin program close mi-lyon",
                    "admin program edit mi-lyon", "admin texts publish mi-lyon charter",
                    "admin texts edit mi-lyon privacy",
                    "admin program admins add mi-lyon lea@acme.example"):  # fmt: skip
        answer = await driver.say(lea(), command)
        assert "Vous n’êtes pas admin de ce programme : mi-lyon" in words(answer), command
        assert answer.form is None
    assert await refusals(database) == [
        (lyon, "program"), (lyon, "program"), (lyon, "program"), (lyon, "texts"),
        (lyon, "texts"), (lyon, "program"),
    ]  # fmt: skip
    async with database.unit_of_work() as session:
        program = await session.get(Program, lyon)
        assert program is not None and program.status == "open"

    closed = await driver.say(lea(), "admin program close mi-paris")
    assert "Le programme est fermé" in words(closed)
    refused = await driver.say(lea(), "admin program open mi-lyon")
    assert "Vous n’êtes pas admin de ce programme : mi-lyon" in words(refused)


async def test_audit_shows_a_program_admin_their_programs_trail_only(
    driver: Driver, database: Database
) -> None:
    await driver.say(admin(), "admin program close mi-lyon")
    await driver.say(lea(), "admin program close mi-paris")
    theirs = words(await driver.say(lea(), "admin audit"))
    assert theirs.count("program.closed") == 1
    everything = words(await driver.say(admin(), "admin audit"))
    assert everything.count("program.closed") == 2


async def test_announce_invite_and_approve_are_limited_to_their_programs(
    driver: Driver, database: Database
) -> None:
    answer = await driver.say(lea(), "admin announce C0GENERAL1 mi-lyon")
    assert "Vous n’êtes pas admin de ce programme" in words(answer)
    # Both programs are open, but only one is hers: no question, that one is announced.
    answer = await driver.say(lea(), "admin announce C0GENERAL1")
    assert "mi-paris" in words(answer) and "Plusieurs programmes" not in words(answer)
    async with database.unit_of_work() as session:
        posts = list(await session.scalars(select(DueAction.payload).where(
            DueAction.kind == "announce.post")))  # fmt: skip
    assert [p["program_id"] for p in posts] == [await program_id(database, "mi-paris")]

    answer = await driver.say(lea(), "admin invite x@acme.example --program mi-lyon")
    assert "Indiquez un programme ouvert" in words(answer)
    opened = await driver.say(lea(), "admin invite")
    assert isinstance(opened.form, Form)
    [program_field] = [f for f in opened.form.fields if f.name == "program"]
    assert [o.value for o in getattr(program_field, "options", ())] == ["mi-paris"]

    applicant = await add_person(database, "zoe@acme.example", "junior")
    lyon = await program_id(database, "mi-lyon")
    async with database.unit_of_work() as session:
        pending = Enrollment(program_id=lyon, person_id=applicant, role="mentor",
                             status="pending")  # fmt: skip
        session.add(pending)
        await session.flush()
        enrollment_id = pending.id
    refused = await driver.click(lea(), Button("Approuver", APPROVE_ACTION,
                                               value=str(enrollment_id)))  # fmt: skip
    assert "équipe du programme" in words(refused)
    async with database.unit_of_work() as session:
        still = await session.get(Enrollment, enrollment_id)
        assert still is not None and still.status == "pending"
    approved = await driver.click(admin(), Button("Approuver", APPROVE_ACTION,
                                                  value=str(enrollment_id)))  # fmt: skip
    assert "Approuvé" in words(approved)


async def test_the_shared_skills_taxonomy_is_changed_by_deployment_admins_only(
    driver: Driver, database: Database
) -> None:
    answer = await driver.say(lea(), 'admin skills add no_code "No-code" "No-code"')
    assert "demandez à un administrateur du déploiement" in words(answer)
    assert await driver.count(Skill, Skill.key == "no_code") == 0
    assert (None, "skills") in await refusals(database)
    listed = await driver.say(lea(), "admin skills")
    assert "generative_ai" in words(listed)  # reading it is fine
    added = await driver.say(admin("en-US"), 'admin skills add no_code "No-code" "No-code"')
    assert "Skill added" in words(added)
