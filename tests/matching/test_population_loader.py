"""The database loader: a small program built with storage helpers, read back as arrays."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import numpy as np
from sqlalchemy import select

from bot.matching import propose_pairings
from bot.matching.population import SLOT_MINUTES, Population
from storage.db import Database
from storage.enrollment.enrollments import EnrollmentAnswers, save_enrollment
from storage.erasure import forget_person
from storage.matching.population import ProgramPopulation, load_program_population
from storage.models import (
    AdminBlock,
    AdminPin,
    CareerStage,
    MatchRun,
    Pairing,
    Person,
    Program,
    Proposal,
)
from tests.support.clock import T0

WINTER = datetime(2027, 1, 15, 12, tzinfo=UTC)  # Paris UTC+1, New York UTC-5
SUMMER = datetime(2027, 7, 15, 12, tzinfo=UTC)  # Paris UTC+2, New York UTC-4


async def program(database: Database, **rules: Any) -> int:
    async with database.unit_of_work() as session:
        row = Program(slug="rm", name="RM", timezone="Europe/Paris", starts_on=date(2027, 1, 1),
                      ends_on=date(2027, 12, 31), status="open", rules=rules,
                      capacity_default=2,
                      matching_weights={"skills": 5.0, "reach": 0.5, "unknown": 9.0})  # fmt: skip
        session.add(row)
        await session.flush()
        return row.id


async def person(
    database: Database,
    email: str,
    *,
    manager: str | None = None,
    stage: str | None = None,
    department: str | None = "sales",
    languages: tuple[str, ...] = ("fr",),
    location: str | None = "paris",
) -> str:
    async with database.unit_of_work() as session:
        stage_id = (
            await session.scalar(select(CareerStage.id).where(CareerStage.key == stage))
            if stage
            else None
        )
        row = Person(email=email, first_name=email.split("@")[0].title(), last_name="Test",
                     department=department, manager_id=manager, career_stage_id=stage_id,
                     languages=list(languages), location=location)  # fmt: skip
        session.add(row)
        await session.flush()
        return row.id


async def enroll(
    database: Database,
    program_id: int,
    person_id: str,
    role: str,
    *,
    offered: dict[str, int] | None = None,
    wanted: dict[str, int] | None = None,
    back: tuple[str, ...] = (),
    windows: tuple[tuple[int, time, time], ...] = (),
    zone: str = "Europe/Paris",
    capacity: int = 0,
    status: str = "active",
    languages: tuple[str, ...] = (),
    fmt: str = "remote",
) -> None:
    answers = EnrollmentAnswers(
        role=role,
        skills_offered=[{"skill": k, "level": v} for k, v in (offered or {}).items()],
        skills_wanted=[{"skill": k, "level": v} for k, v in (wanted or {}).items()],
        offers_back=list(back),
        languages=list(languages),
        format=fmt,
        capacity=capacity,
        windows=windows,
        timezone=zone,
    )
    async with database.unit_of_work() as session:
        await save_enrollment(session, program_id, person_id, answers, status)


async def load(database: Database, program_id: int, now: datetime = WINTER) -> ProgramPopulation:
    async with database.unit_of_work() as session:
        return await load_program_population(session, program_id, now=now)


def row_of(pop: Population, side: str, person_id: str) -> int:
    people = getattr(pop, side).person.tolist()
    return people.index(pop.org.person_ids.index(person_id))


def slots(pop: Population, side: str, row: int) -> list[int]:
    return np.flatnonzero(getattr(pop, side).availability[row]).tolist()


async def test_a_small_program_loads_person_by_person(database: Database) -> None:
    pid = await program(database, cross_department=True, reverse_career_order=True)
    boss = await person(database, "boss@acme.example", stage="executive")
    marc = await person(database, "marc@acme.example", manager=boss, stage="director",
                        languages=("fr", "en"))  # fmt: skip
    lea = await person(database, "lea@acme.example", manager=boss, stage="junior",
                       department="marketing", location="lyon")  # fmt: skip
    sam = await person(database, "sam@acme.example", manager=marc, stage="confirmed")
    drafted = await person(database, "draft@acme.example", manager=boss)
    await enroll(database, pid, marc, "mentee", wanted={"seo": 2, "social_ads": 1},
                 back=("leadership", "strategy"), fmt="either",
                 windows=((0, time(9), time(12)),))  # fmt: skip
    await enroll(database, pid, lea, "mentor", offered={"seo": 4, "social_ads": 5},
                 wanted={"leadership": 1}, capacity=3, languages=("fr", "en"),
                 windows=((0, time(10), time(11, 30)),))  # fmt: skip
    await enroll(database, pid, sam, "both", offered={"generative_ai": 3},
                 wanted={"data_analysis": 2})  # fmt: skip
    await enroll(database, pid, drafted, "mentee", wanted={"seo": 1}, status="draft")

    loaded = await load(database, pid)
    pop = loaded.population
    ids = pop.org.person_ids
    # the whole tree, managers by index, the top declared (people report to the boss)
    assert set(ids) == {boss, marc, lea, sam, drafted}
    assert ids[int(pop.org.manager[ids.index(sam)])] == marc
    assert ids[int(pop.org.manager[ids.index(marc)])] == boss
    assert pop.org.manager[ids.index(boss)] == -1 and pop.org.reporting_known[ids.index(boss)]
    assert pop.org.reporting_known.all()
    # sides: sam is on both, the draft enrollment nowhere
    assert sorted(ids[p] for p in pop.mentors.person.tolist()) == sorted([lea, sam])
    assert sorted(ids[p] for p in pop.mentees.person.tolist()) == sorted([marc, sam])
    assert pop.stages[:2] == ("apprentice", "junior") and len(pop.stages) == 7

    m, li = row_of(pop, "mentees", marc), row_of(pop, "mentors", lea)
    skill = pop.skills.index
    assert (
        pop.mentees.skills[m, skill("seo")] == 2 and pop.mentees.skills[m, skill("social_ads")] == 1
    )
    assert int((pop.mentees.skills[m] > 0).sum()) == 2
    assert pop.mentors.skills[li, skill("seo")] == 4
    topic = pop.back_topics.index
    assert pop.mentees.back[m, topic("leadership")] and pop.mentees.back[m, topic("strategy")]
    assert pop.mentors.back[li].tolist() == [t == "leadership" for t in pop.back_topics]
    # a back topic the mentor wants is not a skill column anyone teaches or wants
    assert "leadership" not in pop.skills
    assert pop.departments[int(pop.mentees.department[m])] == "sales"
    assert pop.departments[int(pop.mentors.department[li])] == "marketing"
    assert pop.stages[int(pop.mentees.stage[m])] == "director"
    assert pop.stages[int(pop.mentors.stage[li])] == "junior"
    # languages from the enrollment, else from the person
    assert {pop.languages[b] for b in range(64) if int(pop.mentees.languages[m]) >> b & 1} == {
        "fr",
        "en",
    }
    assert pop.locations[int(pop.mentors.location[li])] == "lyon"
    assert pop.mentees.format[m] == 2 and pop.mentors.format[li] == 0
    assert pop.mentors.capacity[li] == 3
    assert pop.mentors.capacity[row_of(pop, "mentors", sam)] == 2  # the program's default
    assert pop.mentees.active.all()
    # Monday 09:00-12:00 Paris in January is 08:00-11:00 UTC
    assert slots(pop, "mentees", m) == list(range(16, 22))
    assert slots(pop, "mentors", li) == [18, 19, 20]
    # rules and weights from the program; the unknown weight key is ignored
    assert loaded.rules.cross_department_only and loaded.rules.reverse_order_required
    assert loaded.weights.skills == 5.0 and loaded.weights.reach == 0.5
    assert loaded.weights.time_overlap == 2.0
    assert loaded.emails[lea] == "lea@acme.example" and loaded.emails[boss] == "boss@acme.example"
    assert drafted not in loaded.emails
    assert loaded.names[marc] == "Marc Test"
    assert loaded.skill_labels["seo"]["fr"] == "Référencement naturel (SEO)"
    assert loaded.skill_labels["leadership"]["en"] == "Leadership"
    assert loaded.stage_labels["director"] == {"fr": "Directeur·rice", "en": "Director"}

    result = propose_pairings(pop, loaded.rules, loaded.weights)
    # sam (confirmed, sales) is senior to lea too; sam cannot mentor the director marc
    assert {(p.mentor_id, p.mentee_id) for p in result.pairs} == {(lea, marc), (lea, sam)}
    (with_marc,) = [p for p in result.pairs if p.mentee_id == marc]
    reasons = {r["code"]: r for r in with_marc.reasons}
    assert reasons["teaches_wanted_skills"]["skills"] == ["social_ads", "seo"]
    assert reasons["learns_back"]["topics"] == ["leadership"]


async def test_paired_and_pending_people_wait_declined_pairs_never_repeat(
    database: Database,
) -> None:
    pid = await program(database)
    people = {n: await person(database, f"{n}@acme.example") for n in "abcdefg"}
    mentors, mentees = "abc", "defg"
    for n in mentors:
        await enroll(database, pid, people[n], "mentor", offered={"seo": 3}, capacity=2)
    for n in mentees:
        await enroll(database, pid, people[n], "mentee", wanted={"seo": 1})
    async with database.unit_of_work() as session:
        run = MatchRun(program_id=pid, dry_run=False, status="sent")
        session.add(run)
        await session.flush()

        def proposal(mentor: str, mentee: str, status: str) -> Proposal:
            return Proposal(match_run_id=run.id, program_id=pid, mentor_id=people[mentor],
                            mentee_id=people[mentee], score=1.0, status=status)  # fmt: skip

        session.add_all(
            [
                Pairing(program_id=pid, mentor_id=people["a"], mentee_id=people["d"]),
                Pairing(
                    program_id=pid, mentor_id=people["b"], mentee_id=people["g"], status="ended"
                ),
                proposal("a", "e", "sent"),
                proposal("b", "f", "declined"),
                proposal("c", "f", "expired"),
                proposal("c", "g", "draft"),
                AdminBlock(program_id=pid, person_a=people["c"], person_b=people["e"]),
                AdminPin(program_id=pid, mentor_id=people["b"], mentee_id=people["g"]),
            ]
        )
    pop = (await load(database, pid)).population
    active = {n: bool(pop.mentees.active[row_of(pop, "mentees", people[n])]) for n in mentees}
    assert active == {"d": False, "e": False, "f": True, "g": True}
    capacity = {n: int(pop.mentors.capacity[row_of(pop, "mentors", people[n])]) for n in mentors}
    assert capacity == {"a": 0, "b": 2, "c": 2}  # a: one pairing + one awaiting answer
    p = people
    assert set(pop.past_pairs) == {(p["a"], p["d"]), (p["b"], p["g"]), (p["b"], p["f"]),
                                   (p["c"], p["f"])}  # fmt: skip
    assert pop.blocks == ((p["c"], p["e"]),)
    assert pop.pins == ((p["b"], p["g"]),)

    result = propose_pairings(pop)
    got = {(x.mentor_id, x.mentee_id) for x in result.pairs}
    # f declined b and let c's proposal expire: nobody is left for f this round; the pin of
    # b with g, who were paired before, is a preference that cannot override that rule
    assert got == {(p["c"], p["g"])}
    assert [u.mentee_id for u in result.unmatched] == [p["f"]]
    assert result.warnings == [
        {"code": "pin_dropped", "mentor": p["b"], "mentee": p["g"], "rules": ["past_pair"]}
    ]


async def test_a_tombstoned_manager_still_blocks(database: Database) -> None:
    pid = await program(database)
    head = await person(database, "head@acme.example", stage="director")
    gone = await person(database, "gone@acme.example", manager=head, stage="manager")
    young = await person(database, "young@acme.example", manager=gone, stage="junior")
    other = await person(database, "other@acme.example", stage="junior")
    await forget_person(database, "gone@acme.example", now=T0)
    await enroll(database, pid, head, "mentee", wanted={"seo": 2})
    await enroll(database, pid, young, "mentor", offered={"seo": 5}, capacity=1)
    loaded = await load(database, pid)
    pop = loaded.population
    ids = pop.org.person_ids
    assert ids[int(pop.org.manager[ids.index(young)])] == gone
    assert ids[int(pop.org.manager[ids.index(gone)])] == head
    result = propose_pairings(pop, loaded.rules, loaded.weights)
    assert result.pairs == []
    (unmatched,) = result.unmatched
    assert unmatched.reasons[-1] == {
        "code": "no_eligible_mentor",
        "excluded": {"management_chain": 1},
    }
    # someone outside the chain is paired with the head
    await enroll(database, pid, other, "mentor", offered={"seo": 3}, capacity=1)
    again = propose_pairings((await load(database, pid)).population)
    assert [(x.mentor_id, x.mentee_id) for x in again.pairs] == [(other, head)]


async def test_availability_across_zones_in_utc_slots(database: Database) -> None:
    pid = await program(database)
    paris = await person(database, "paris@acme.example", languages=("en",))
    york = await person(database, "york@acme.example", languages=("en",), location="new_york")
    monday_9_to_11 = ((0, time(9), time(11)),)
    await enroll(database, pid, paris, "mentee", wanted={"seo": 1}, windows=monday_9_to_11)
    await enroll(database, pid, york, "mentor", offered={"seo": 4}, capacity=1,
                 windows=(*monday_9_to_11, (6, time(22), time(0))), zone="America/New_York")  # fmt: skip

    def hour(h: float) -> int:
        return int(h * 60 // SLOT_MINUTES)

    winter = (await load(database, pid, WINTER)).population
    assert slots(winter, "mentees", 0) == list(range(hour(8), hour(10)))  # 08:00-10:00 UTC
    york_winter = slots(winter, "mentors", 0)
    # Monday 14:00-16:00 UTC; Sunday 22:00-24:00 New York wraps to Monday 03:00-05:00 UTC
    assert york_winter == [*range(hour(3), hour(5)), *range(hour(14), hour(16))]

    summer = (await load(database, pid, SUMMER)).population
    assert slots(summer, "mentees", 0) == list(range(hour(7), hour(9)))
    assert slots(summer, "mentors", 0) == [*range(hour(2), hour(4)), *range(hour(13), hour(15))]

    # no shared working time: the pair is still possible, without a "shared hours" reason
    result = propose_pairings(winter)
    (pair,) = result.pairs
    assert "shared_hours" not in {r["code"] for r in pair.reasons}
