"""The demo organisation: a realistic bilingual company, seeded once into an empty database."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from storage.db import Database
from storage.demo import DemoDatabaseNotEmpty, seed_demo
from storage.models import (
    CareerStage,
    Consent,
    Enrollment,
    Person,
    PlatformIdentity,
    Program,
    ProgramAdmin,
    ProgramText,
    Skill,
)
from tests.support.clock import T0


async def test_the_demo_is_a_bilingual_company_with_a_management_tree(database: Database) -> None:
    summary = await seed_demo(database, T0)

    assert summary.created
    assert 35 <= summary.people <= 45
    assert summary.time_zones == ("America/Montreal", "Asia/Singapore", "Europe/Paris")
    async with database.unit_of_work() as session:
        people = (await session.execute(select(Person))).scalars().all()
        result = await session.execute(select(CareerStage.id, CareerStage.key))
        stage_of = {stage_id: key for stage_id, key in result}
        identities = (await session.execute(select(PlatformIdentity))).scalars().all()

    by_id = {p.id: p for p in people}
    roots = [p for p in people if p.manager_id is None]
    assert [p.title for p in roots] == ["Présidente-directrice générale"]

    def depth(person: Person) -> int:
        steps = 0
        while person.manager_id is not None:
            person = by_id[person.manager_id]  # a KeyError would be a dangling manager
            steps += 1
            assert steps < len(people), "management cycle"
        return steps

    assert Counter(depth(p) for p in people).keys() == {0, 1, 2, 3}
    departments = {p.department for p in people}
    assert {"Direction générale", "Marketing", "Finance", "RH", "Ventes", "IT"} <= departments
    assert {p.locale for p in people} == {"fr", "en"}
    stages = Counter(stage_of[p.career_stage_id] for p in people if p.career_stage_id)
    assert sum(stages.values()) == len(people)
    assert set(stages) == {
        "apprentice",
        "junior",
        "confirmed",
        "senior",
        "manager",
        "director",
        "executive",
    }
    assert all(p.email and p.email.endswith("@tandem-demo.example") for p in people)
    assert len({p.email for p in people}) == len(people)
    # Everyone can be played in the local console.
    assert sorted((i.platform, i.tenant_id, i.user_id) for i in identities) == sorted(
        ("console", "demo", p.id) for p in people
    )


async def test_the_demo_program_is_open_with_published_texts_and_enrollments(
    database: Database,
) -> None:
    summary = await seed_demo(database, T0)
    async with database.unit_of_work() as session:
        program = (await session.execute(select(Program))).scalar_one()
        texts = (await session.execute(select(ProgramText))).scalars().all()
        admin = (await session.execute(select(ProgramAdmin))).scalar_one()
        admin_person = await session.get(Person, admin.person_id)
        enrollments = (await session.execute(select(Enrollment))).scalars().all()
        skill_keys = set((await session.execute(select(Skill.key))).scalars())
        consents = (await session.execute(select(func.count(Consent.id)))).scalar_one()

    assert (program.slug, program.status) == ("mentorat-inverse", "open")
    assert program.name == f"Mentorat inversé {program.starts_on.year}"
    # Dated from today: a newcomer always finds enrollment open, sessions starting soon.
    assert program.enrollment_closes_on is not None
    assert T0.date() < program.enrollment_closes_on < program.starts_on
    assert (program.timezone, program.cadence, program.session_minutes) == (
        "Europe/Paris",
        "biweekly",
        45,
    )
    assert program.rules["cross_department"] and program.rules["reverse_career_order"]
    assert (program.ends_on - program.starts_on).days in range(175, 185)
    assert sorted((t.kind, t.locale, t.version) for t in texts) == [
        ("charter", "en", 1),
        ("charter", "fr", 1),
        ("privacy", "en", 1),
        ("privacy", "fr", 1),
    ]
    assert all(t.published_at is not None for t in texts)
    charter_fr = next(t.body for t in texts if (t.kind, t.locale) == ("charter", "fr"))
    for word in ("confiance", "confidentialité", "jugement", "engagement"):
        assert word in charter_fr.lower()
    assert (program.charter_version, program.privacy_version) == (1, 1)
    assert admin_person is not None and admin_person.email == summary.admin_email
    assert admin_person.department == "RH"

    roles = Counter(e.role for e in enrollments)
    assert roles["mentor"] >= 3 and roles["mentee"] >= 3
    assert summary.enrollments == len(enrollments)
    for enrollment in enrollments:
        offered = {s["skill"] for s in enrollment.skills_offered}
        wanted = {s["skill"] for s in enrollment.skills_wanted}
        assert (offered | wanted | set(enrollment.offers_back)) <= skill_keys
        assert offered if enrollment.role == "mentor" else wanted and enrollment.offers_back
        assert enrollment.availability
    assert consents == 2 * len(enrollments)


async def test_seeding_again_changes_nothing(database: Database) -> None:
    first = await seed_demo(database, T0)
    second = await seed_demo(database, T0)
    assert not second.created
    assert (second.people, second.enrollments, second.time_zones) == (
        first.people,
        first.enrollments,
        first.time_zones,
    )
    async with database.unit_of_work() as session:
        assert await session.scalar(select(func.count(Person.id))) == first.people
        assert await session.scalar(select(func.count(Program.id))) == 1


async def test_a_database_with_real_people_is_left_alone(database: Database) -> None:
    async with database.unit_of_work() as session:
        session.add(Person(email="real.person@acme.example"))
    with pytest.raises(DemoDatabaseNotEmpty):
        await seed_demo(database, T0)
    async with database.unit_of_work() as session:
        assert await session.scalar(select(func.count(Person.id))) == 1
