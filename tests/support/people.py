"""Seeding the database: programs, people with a Slack identity, enrollments and pairs."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from storage.db import Database
from storage.models import CareerStage, Enrollment, Pairing, Person, PlatformIdentity, Program


async def add_program(
    database: Database, slug: str = "rm-2027", status: str = "open", **rules: object
) -> int:
    """An open program through 2027; keyword arguments are its matching rules."""
    async with database.unit_of_work() as session:
        program = Program(
            slug=slug, name=f"Program {slug}", timezone="Europe/Paris",
            starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31), status=status,
            rules=dict(rules), proposal_expiry_days=7,
        )  # fmt: skip
        session.add(program)
        await session.flush()
        return program.id


async def add_person(
    database: Database, user: str, email: str, *, first: str, stage: str | None = None,
    department: str | None = None, slack: bool = True,
) -> str:  # fmt: skip
    async with database.unit_of_work() as session:
        stage_id = None
        if stage is not None:
            found = await session.scalar(select(CareerStage.id).where(CareerStage.key == stage))
            assert found is not None, f"no career stage {stage}"
            stage_id = found
        person = Person(email=email, first_name=first, last_name="Test", locale="en",
                        timezone="Europe/Paris", languages=["en"], department=department,
                        career_stage_id=stage_id)  # fmt: skip
        session.add(person)
        await session.flush()
        if slack:
            session.add(PlatformIdentity(person_id=person.id, platform="slack", tenant_id="T1",
                                         user_id=user))  # fmt: skip
        return person.id


async def enroll(database: Database, person_id: str, program_id: int, status: str = "active",
                 role: str = "mentor") -> int:  # fmt: skip
    async with database.unit_of_work() as session:
        enrollment = Enrollment(program_id=program_id, person_id=person_id, role=role,
                                status=status)  # fmt: skip
        session.add(enrollment)
        await session.flush()
        return enrollment.id


async def pair(database: Database, program_id: int, mentor: str, mentee: str) -> int:
    async with database.unit_of_work() as session:
        pairing = Pairing(program_id=program_id, mentor_id=mentor, mentee_id=mentee)
        session.add(pairing)
        await session.flush()
        return pairing.id
