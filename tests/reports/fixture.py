"""A program of 27 people written out by hand, with the report it must give typed in below
(worked out on paper, not by the code under test).

Departments: Finance 4 (F1-F4), IT 5 (I1-I5), Marketing 6 (M1-M6), Sales 12 (S1-S12).
Everyone is in Paris but S10-S12 (Lyon); S10-S12 enrolled at day 5, the others at day -10.
Pairs (all started at T0): 1 S1-F1, 2 S2-F2, 3 S3-F3, 4 S4-F4, 5 S5-I1, 6 S6-I2, 7 S7-I3
(ended), 8 S8-M1, 9 S9-M2, 10 S10-M3, 11 M4-M5: 22 people matched.

- Sessions: first held at day 7, 10, 14, 14, 21, 30 (pairs 1-6: median 14.0 days); pair 1
  held again at 21, pair 2 skipped at 24, pair 7 missed at 10, pair 10 planned at 15 (past),
  pair 8 planned at 200 (future), pair 9 cancelled at 5. Due: 10; held: 7.
- Proposals: 13 sent (11 accepted, 1 declined, 1 expired) and 1 draft.
- Session ratings, one each, in this order from day 10: F1-F4 5 4 4 3, I1-I3 4 4 5,
  M1-M5 3 4 4 5 5, S1-S10 5 3 4 4 4 4 4 4 4 4. Batches of 5 close at I1, M3, S3, S8: S9 and
  S10 wait. Counted: 20 raters, 82/20 = 4.1. A department's cell stands on its own batches
  (of 5 new people of that department): Finance (4) and IT (3) have none; Marketing 21/5 =
  4.2, Sales (S1-S5, S6-S10) 40/10 = 4.0.
- Closing reviews from day 60, in order F1-F4, I1, M1-M5, S1-S5 (15, all counted for NPS and
  skills): NPS 10 9 7 3 | 8 | 10 10 9 6 8 | 9 9 10 5 7: 8 promoters, 3 detractors: +33;
  Marketing and Sales +40 each. SEO at enrollment 2 for all; now 4 (S1-S5: 3); looking
  back 1: before 2.0, after 55/15 = 3.7, looking back 1.0; Marketing 4.0, Sales 3.0.
- Feedback response rate: 24 session requests (the 22 answered, M1 and M2 twice unanswered)
  and 18 closing requests (15 answered, S6-S8 not). All non-pulse answers in one stream:
  session batches as above, then S9, S10, F1c, F2c, F3c | F4c, I1c, M1c, M2c, M3c |
  M4c, M5c, S1c, S2c, S3c close; S4c and S5c wait. Counted: 35 of 42 = 83%. By department,
  each on its own batches: Finance (4 people) and IT (3) none: hidden (what the total
  holds of them, 4 + 3, is enough for Marketing and Sales to show); Marketing M1-M5 and
  M1c-M5c: 10/12 = 83%; Sales S1-S5, S6-S10, S1c-S5c: 15/18 = 83%.
- Goals (one per pair, g1-g11) checked from day 40: S1 on track, M1 M2 M3 M4 (batch) M5,
  S1 done, S2 S3 S4 (batch) S5 S6 S7 S8 S9 (batch): latest per person and goal: M 3 of 5
  done, S 7 of 9: 10/14 = 71%. Sales on its own: S1 S1 S2 S3 S4 S5 (batch: 5 people)
  S6 S7 S8 S9 (4 new people: wait): S1 S2 S4 done of S1-S5: 60%; Marketing hidden
  (secondary: Finance and IT have nobody who answered, 0 + 0 < 5).
- Testimonials agreed to be quoted: 9 (< 10), one more written without consent, one
  withdrawn.
- Pair 10 (active) and pair 7 (ended) had at-risk alerts: 1 active pair at risk.
- I4 has only an unreachable Slack identity: 1 person unreachable.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    CheckIn,
    Enrollment,
    Feedback,
    FeedbackRequest,
    Goal,
    GoalCheck,
    MatchRun,
    Nudge,
    Pairing,
    Person,
    PlatformIdentity,
    Program,
    Proposal,
)
from tests.support.clock import T0

SLUG = "bilan-2027"
NOW = T0 + timedelta(days=100)
DEPARTMENTS = {"F": ("Finance", 4), "I": ("IT", 5), "M": ("Marketing", 6), "S": ("Sales", 12)}
PAIRS = [("S1", "F1"), ("S2", "F2"), ("S3", "F3"), ("S4", "F4"), ("S5", "I1"), ("S6", "I2"),
         ("S7", "I3"), ("S8", "M1"), ("S9", "M2"), ("S10", "M3"), ("M4", "M5")]  # fmt: skip
RATINGS = [("F1", 5), ("F2", 4), ("F3", 4), ("F4", 3), ("I1", 4), ("I2", 4), ("I3", 5),
           ("M1", 3), ("M2", 4), ("M3", 4), ("M4", 5), ("M5", 5), ("S1", 5), ("S2", 3),
           ("S3", 4), ("S4", 4), ("S5", 4), ("S6", 4), ("S7", 4), ("S8", 4), ("S9", 4),
           ("S10", 4)]  # fmt: skip
NPS = [("F1", 10), ("F2", 9), ("F3", 7), ("F4", 3), ("I1", 8), ("M1", 10), ("M2", 10),
       ("M3", 9), ("M4", 6), ("M5", 8), ("S1", 9), ("S2", 9), ("S3", 10), ("S4", 5),
       ("S5", 7)]  # fmt: skip
GOAL_CHECKS = [("S1", 1, "on_track"), ("M1", 8, "done"), ("M2", 9, "done"), ("M3", 10, "stuck"),
               ("M4", 11, "done"), ("M5", 11, "on_track"), ("S1", 1, "done"), ("S2", 2, "done"),
               ("S3", 3, "on_track"), ("S4", 4, "done"), ("S5", 5, "stuck"), ("S6", 6, "done"),
               ("S7", 7, "done"), ("S8", 8, "done"), ("S9", 9, "done")]  # fmt: skip
QUOTED = ["F1", "F2", "F3", "I1", "M1", "M2", "M3", "S1", "S2"]  # 9: fewer than 10


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


async def seed_report_program(session: AsyncSession, admin_id: str | None = None) -> Program:
    """The program above; ``admin_id`` (if given) becomes one of its program admins."""
    program = Program(slug=SLUG, name="Bilan <Mentorat> *2027*", timezone="Europe/Paris",
                      starts_on=date(2026, 12, 1), ends_on=date(2027, 6, 30), status="running")  # fmt: skip
    session.add(program)
    people: dict[str, Person] = {}
    for letter, (department, size) in DEPARTMENTS.items():
        for n in range(1, size + 1):
            key = f"{letter}{n}"
            people[key] = Person(
                email=f"{key.lower()}@bilan.example", first_name=key, last_name="Test",
                department=department, location="Lyon" if key in ("S10", "S11", "S12") else "Paris",
            )  # fmt: skip
    session.add_all(people.values())
    await session.flush()
    if admin_id is not None:
        from storage.models import ProgramAdmin

        session.add(ProgramAdmin(program_id=program.id, person_id=admin_id))
    late = {"S10", "S11", "S12"}
    for key, person in people.items():
        session.add(Enrollment(
            program_id=program.id, person_id=person.id, status="active",
            role="mentor" if key.startswith("S") else "mentee",
            skills_wanted=[{"skill": "seo", "level": 2}],
            created_at=day(5) if key in late else day(-10),
        ))  # fmt: skip
    session.add(PlatformIdentity(person_id=people["I4"].id, platform="slack", tenant_id="T0BILAN",
                                 user_id="U0I4", reachable=False))  # fmt: skip
    session.add(PlatformIdentity(person_id=people["S12"].id, platform="slack",
                                 tenant_id="T0BILAN", user_id="U0S12"))  # fmt: skip
    run = MatchRun(program_id=program.id, dry_run=False, status="done")
    session.add(run)
    await session.flush()
    pairings: list[Pairing] = []
    for n, (mentor, mentee) in enumerate(PAIRS, start=1):
        proposal = Proposal(match_run_id=run.id, program_id=program.id, score=1.0,
                            mentor_id=people[mentor].id, mentee_id=people[mentee].id,
                            status="accepted", sent_at=day(-2))  # fmt: skip
        session.add(proposal)
        pairing = Pairing(program_id=program.id, mentor_id=people[mentor].id,
                          mentee_id=people[mentee].id, started_at=T0,
                          status="ended" if n == 7 else "active")  # fmt: skip
        session.add(pairing)
        pairings.append(pairing)
    for status, sent in (("declined", day(-3)), ("expired", day(-3)), ("draft", None)):
        session.add(Proposal(match_run_id=run.id, program_id=program.id, score=1.0,
                             mentor_id=people["S11"].id, mentee_id=people["I5"].id,
                             status=status, sent_at=sent))  # fmt: skip
    await session.flush()

    def pair_of(key: str) -> Pairing:
        pid = people[key].id
        return next(p for p in pairings if pid in (p.mentor_id, p.mentee_id))

    for n, (status, at) in enumerate(
        [("held", 7), ("held", 10), ("held", 14), ("held", 14), ("held", 21), ("held", 30)]
    ):
        session.add(CheckIn(pairing_id=pairings[n].id, status=status, scheduled_at=day(at)))
    for pair, status, at in ((1, "held", 21), (2, "skipped", 24), (7, "missed", 10),
                             (10, "planned", 15), (8, "planned", 200), (9, "cancelled", 5)):  # fmt: skip
        session.add(CheckIn(pairing_id=pairings[pair - 1].id, status=status, ordinal=2,
                            scheduled_at=day(at)))  # fmt: skip
    for pair in (7, 10):
        session.add(Nudge(pairing_id=pairings[pair - 1].id, person_id=people["S7"].id,
                          kind="at_risk", sent_at=day(50)))  # fmt: skip
    for n, (key, rating) in enumerate(RATINGS):
        await answer(session, people[key], pair_of(key), "session", day(10 + n / 24),
                     asked=day(9), rating=rating)  # fmt: skip
    for key in ("M1", "M2"):
        session.add(FeedbackRequest(key=f"s2:{key}", kind="session", pairing_id=pair_of(key).id,
                                    person_id=people[key].id, role="mentee", status="expired",
                                    asked_at=day(30)))  # fmt: skip
    closing: dict[str, Feedback] = {}
    for n, (key, nps) in enumerate(NPS):
        quote = f"{key} <!channel> a appris *beaucoup*" if key in QUOTED else None
        closing[people[key].id] = await answer(
            session, people[key], pair_of(key), "closing", day(60 + n / 24), asked=day(59),
            nps=nps, skill_levels={"seo": 3 if key[0] == "S" else 4}, retrospective={"seo": 1},
            testimonial=quote, quote_consent_at=day(61) if quote else None,
        )  # fmt: skip
    closing[people["S4"].id].testimonial = "no consent given"
    closing[people["S5"].id].testimonial = "withdrawn"
    closing[people["S5"].id].quote_consent_at = day(61)
    closing[people["S5"].id].quote_withdrawn_at = day(62)
    for key in ("S6", "S7", "S8"):
        session.add(FeedbackRequest(key=f"c:{key}", kind="closing", pairing_id=pair_of(key).id,
                                    person_id=people[key].id, role="mentor", status="expired",
                                    asked_at=day(59)))  # fmt: skip
    goals = []
    for pairing in pairings:
        goal = Goal(pairing_id=pairing.id, text="Publish a post")
        session.add(goal)
        goals.append(goal)
    await session.flush()
    for n, (key, which, status) in enumerate(GOAL_CHECKS):
        session.add(GoalCheck(goal_id=goals[which - 1].id, person_id=people[key].id,
                              stage="update", status=status, checked_at=day(40 + n / 24)))  # fmt: skip
    await session.flush()
    return program


async def answer(session: AsyncSession, person: Person, pairing: Pairing, kind: str, at: datetime,
                 *, asked: datetime, **values: object) -> Feedback:  # fmt: skip
    """A request asked of ``person`` and their answer to it at ``at``."""
    request = FeedbackRequest(
        key=f"{kind}:{person.id}:{at}", kind=kind, pairing_id=pairing.id, person_id=person.id,
        role="mentee", status="answered", asked_at=asked, answered_at=at,
    )  # fmt: skip
    session.add(request)
    await session.flush()
    row = Feedback(pairing_id=pairing.id, request_id=request.id, person_id=person.id, kind=kind,
                   submitted_at=at, **values)  # fmt: skip
    session.add(row)
    await session.flush()
    return row


async def person_named(session: AsyncSession, key: str) -> Person:
    from sqlalchemy import select

    found = await session.scalar(
        select(Person).where(Person.email == f"{key.lower()}@bilan.example")
    )
    assert found is not None
    return found
