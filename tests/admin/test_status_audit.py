"""``admin status`` (enrolled, pending, invited, the skills gap) and ``admin audit``
(names resolved at display time; erased people shown as —)."""

from __future__ import annotations

from bot.domain.programs import ProgramRules, may_take, settings_problems, skills_gap
from storage.audit import record_audit
from storage.db import Database
from storage.models import Enrollment, Person
from storage.types import utcnow
from tests.support.driver import Driver, admin
from tests.support.enrollment import add_person, add_program
from tests.support.messages import words


def enrollment(program_id: int, person_id: str, role: str, status: str, **kw: object) -> Enrollment:
    return Enrollment(program_id=program_id, person_id=person_id, role=role, status=status, **kw)


async def test_status_counts_people_and_the_skills_gap(database: Database) -> None:
    driver = Driver(database)
    program_id = await add_program(database)
    await add_program(database, "closed-one", status="closed")
    ids = [await add_person(database, f"p{n}@acme.example", "junior") for n in range(6)]
    ai = [{"skill": "generative_ai", "level": 1}]
    async with database.unit_of_work() as session:
        session.add_all([
            enrollment(program_id, ids[0], "mentor", "active",
                       skills_offered=[{"skill": "seo", "level": 4}]),
            enrollment(program_id, ids[1], "both", "paused"),
            enrollment(program_id, ids[2], "mentee", "active", skills_wanted=ai),
            enrollment(program_id, ids[3], "mentee", "pending", skills_wanted=ai),
            enrollment(program_id, ids[4], "mentee", "left", skills_wanted=ai),
        ])  # fmt: skip
        for invited in (ids[3], ids[5]):  # ids[3] answered since; ids[5] has not
            record_audit(session, "invitation.sent", subject_id=invited, program_id=program_id)
    shown = words(await driver.say(admin("en-US"), "admin status"))
    assert "Mentorat <b>mi-2027</b> · open for enrollment" in shown
    assert "closed-one" not in shown
    assert "Mentors: 1 active, 1 paused" in shown
    assert "Mentees: 1 active, 1 paused" in shown
    assert "Waiting for approval: 1" in shown and "Invited, no answer yet: 1" in shown
    assert (
        "Most wanted skills (wanted/offered): Generative AI tools (2/0), "
        "Search engine optimisation (SEO) (0/1)"
    ) in shown  # the left mentee no longer counts; the pending one does


async def test_audit_lists_events_with_names_resolved_now(database: Database) -> None:
    driver = Driver(database)
    await add_program(database, status="draft")
    kept = await add_person(database, "kept@acme.example", "junior")
    erased = await add_person(database, "gone@acme.example", "junior")
    async with database.unit_of_work() as session:
        record_audit(session, "enrollment.approved", actor_id=kept, subject_id=erased)
        person = await session.get(Person, erased)
        assert person is not None
        person.first_name = person.last_name = person.email = None
        person.erased_at = utcnow()
    await driver.say(admin("en-US"), "admin program open mi-2027")
    listed = await driver.say(admin("en-US"), "admin audit --since 2000-01-01")
    said = words(listed)
    assert "Kept Test · enrollment.approved → —" in said
    assert "Rose RH · program.opened" in said
    assert "Gone" not in said
    future = words(await driver.say(admin("en-US"), "admin audit --since 2999-01-01"))
    assert "Nothing was recorded" in future
    bad = words(await driver.say(admin("en-US"), "admin audit --since yesterday"))
    assert "A date like 2027-01-31" in bad and "yesterday" in bad


def test_program_rules_are_checked_purely() -> None:
    raw = {"name": "P", "slug": "p-1", "timezone": "Europe/Paris", "starts_on": "2027-01-01",
           "ends_on": "2027-01-01", "enrollment_closes_on": "2027-02-01", "cadence": "yearly",
           "session_minutes": "5", "capacity_default": "4", "approval_required": "maybe"}  # fmt: skip
    settings, problems = settings_problems(raw, {"Europe/Paris"})
    assert settings is None
    assert {k: p.code for k, p in problems.items()} == {
        "ends_on": "end_before_start", "cadence": "unknown_choice",
        "enrollment_closes_on": "closes_after_end",
        "session_minutes": "minutes_range", "capacity_default": "capacity_range",
        "approval_required": "unknown_choice",
    }  # fmt: skip
    good = raw | {"ends_on": "2027-06-30", "cadence": "weekly", "session_minutes": "45",
                  "capacity_default": "3", "approval_required": "no"}  # fmt: skip
    settings, problems = settings_problems(good, {"Europe/Paris"})
    assert problems == {} and settings is not None and settings.capacity_default == 3
    late = good | {"enrollment_closes_on": "2027-07-01"}
    assert settings_problems(late, {"Europe/Paris"})[1]["enrollment_closes_on"].code == (
        "closes_after_end"
    )
    rules = ProgramRules(("junior",), ("executive",), True, False).as_json({"extra": 1})
    assert rules["extra"] == 1 and ProgramRules.from_json(rules).mentor_stages == ("junior",)
    assert may_take(rules, "junior", "mentor") and not may_take(rules, "junior", "mentee")
    assert not may_take(rules, "executive", "both") and may_take(rules, None, "both")
    gaps = skills_gap(["ai", "ai", "seo"], ["seo", "seo", "data"])
    assert [(g.skill, g.gap) for g in gaps] == [("ai", 2), ("seo", -1), ("data", -1)]
