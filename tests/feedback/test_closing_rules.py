"""The closing review's rules, and what closes a pairing in storage: a program's end
completes its active pairings once; leaving the program asks for the review too."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.domain.feedback.closing import (
    AFTER_EARLY_END,
    ASK,
    MAX_SKILLS,
    level,
    nps,
    program_over,
    skills_to_assess,
)
from storage.db import Database
from storage.enrollment.participation import leave_enrollment
from storage.feedback.closing import complete_finished_programs
from storage.models import DueAction, Enrollment, Pairing, Program
from tests.support.people import add_person, add_program, enroll, pair


def test_a_program_is_over_once_its_last_day_has_passed_in_its_own_zone() -> None:
    late_evening = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)  # 00:30 on the 2nd in Paris
    assert program_over(date(2026, 12, 1), "Europe/Paris", late_evening)
    assert not program_over(date(2026, 12, 1), "America/Montreal", late_evening)
    assert not program_over(date(2026, 12, 1), "UTC", late_evening)
    assert program_over(date(2026, 12, 1), "Not/A_Zone", late_evening + timedelta(hours=1))


def test_the_mentee_rates_what_they_wanted_and_the_mentor_what_they_taught() -> None:
    wanted = [{"skill": "seo", "level": 1}, {"skill": "ai", "level": 9}, {"skill": ""}]
    offered = [{"skill": "seo", "level": 4}, {"skill": "design", "level": 5}]
    assert skills_to_assess("mentee", wanted, offered) == [("seo", 1), ("ai", None)]
    assert skills_to_assess("mentor", wanted, offered) == [("seo", 4)]
    # Nothing in common: the mentor rates all they offered.
    assert skills_to_assess("mentor", [{"skill": "ai"}], offered) == [("seo", 4), ("design", 5)]
    many = [{"skill": f"s{n}", "level": 2} for n in range(12)]
    assert len(skills_to_assess("mentee", many, [])) == MAX_SKILLS
    assert skills_to_assess("mentee", None, None) == []


def test_scores_and_levels_from_a_form_are_checked() -> None:
    assert [nps(v) for v in ("0", "10", "11", "-1", "7.5", "", "x")] == [
        0, 10, None, None, None, None, None,
    ]  # fmt: skip
    assert [level(v) for v in ("1", "5", "0", "6", "")] == [1, 5, None, None, None]


async def asks(database: Database) -> list[tuple[str, datetime]]:
    async with database.unit_of_work() as session:
        rows = await session.scalars(select(DueAction).where(DueAction.kind == ASK.name))
        return sorted((r.idempotency_key, r.due_at) for r in rows)


async def test_a_programs_end_completes_its_active_pairings_once(database: Database) -> None:
    over, running = await add_program(database, "over"), await add_program(database, "running")
    people = [await add_person(database, f"U{n}", f"p{n}@acme.example", first=f"P{n}")
              for n in range(6)]  # fmt: skip
    active = await pair(database, over, people[0], people[1])
    ended = await pair(database, over, people[2], people[3])
    elsewhere = await pair(database, running, people[4], people[5])
    async with database.unit_of_work() as session:
        program = await session.get(Program, over)
        assert program is not None
        program.ends_on = date(2026, 11, 30)
        gone = await session.get(Pairing, ended)
        assert gone is not None
        gone.status = "ended"
    now = datetime(2026, 12, 1, 9, tzinfo=UTC)
    for run in range(2):  # the routine runs again: nothing completes twice
        async with database.unit_of_work() as session:
            done = await complete_finished_programs(session, now)
        assert [p.id for p in done] == ([active] if run == 0 else [])
    async with database.unit_of_work() as session:
        statuses = {p.id: p.status for p in await session.scalars(select(Pairing))}
    assert statuses == {active: "completed", ended: "ended", elsewhere: "active"}
    assert await asks(database) == [(f"closing:ask:{active}", now)]


async def test_leaving_the_program_asks_for_the_closing_review(database: Database) -> None:
    program_id = await add_program(database)
    mentor = await add_person(database, "U1", "m@acme.example", first="Mia")
    mentee = await add_person(database, "U2", "l@acme.example", first="Leo")
    enrollment_id = await enroll(database, mentee, program_id, role="mentee")
    pairing_id = await pair(database, program_id, mentor, mentee)
    now = datetime(2027, 3, 1, 10, tzinfo=UTC)
    async with database.unit_of_work() as session:
        enrollment = await session.get(Enrollment, enrollment_id)
        assert enrollment is not None
        await leave_enrollment(session, enrollment, reason=None, now=now)
    assert await asks(database) == [(f"closing:ask:{pairing_id}", now + AFTER_EARLY_END)]
