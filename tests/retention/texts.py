"""Two programs with every kind of free text and every number the report reads, written
straight into the tables (the feedback flows are built elsewhere), and what to compare
before and after an erasure: the words, per column and program, and the aggregates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import (
    Feedback,
    FeedbackRequest,
    Goal,
    GoalCheck,
    MatchRun,
    Pairing,
    Person,
    Program,
    Proposal,
    Recognition,
)
from tests.support.clock import T0

# Every column a person writes freely about a program: (model, column).
TEXT_COLUMNS = (
    (Feedback, "learned"),
    (Feedback, "comment"),
    (Feedback, "changed"),
    (Feedback, "testimonial"),
    (Recognition, "text"),
    (Proposal, "decline_reason"),
    (Pairing, "end_reason"),
)


@dataclass(frozen=True)
class Seeded:
    program_ids: dict[str, int]  # slug -> id
    people: dict[str, str]  # first name -> person id


async def seed_program(
    session: AsyncSession, slug: str, ends_on: date, people: dict[str, str], n: int
) -> int:
    """A program that ended on ``ends_on``: a declined proposal with its reason, an ended
    pairing with its reason, a completed one with sessions' answers, a pulse, a closing
    review with a testimonial its author let be quoted, goals and a thank-you."""
    program = Program(slug=slug, name=f"Mentorat « {slug} »", timezone="Europe/Paris",
                      starts_on=ends_on - timedelta(days=180), ends_on=ends_on,
                      status="closed")  # fmt: skip
    session.add(program)
    await session.flush()
    run = MatchRun(program_id=program.id, dry_run=False, status="done")
    session.add(run)
    await session.flush()
    mentor, mentee, other = people["lea"], people["marc"], people["tom"]
    session.add(Proposal(match_run_id=run.id, program_id=program.id, mentor_id=other,
                         mentee_id=mentee, score=5.0, status="declined", declined_by=mentee,
                         decline_reason=f"<!channel> pas le bon moment {n}"))  # fmt: skip
    ended = Pairing(program_id=program.id, mentor_id=other, mentee_id=mentee, status="ended",
                    ended_by=other, end_reason=f"Trop de déplacements {n}")  # fmt: skip
    done = Pairing(program_id=program.id, mentor_id=mentor, mentee_id=mentee, status="completed")
    session.add_all([ended, done])
    await session.flush()
    for k, (who, role) in enumerate(((mentor, "mentor"), (mentee, "mentee"))):
        for kind, key in (("session", "s"), ("pulse", "p"), ("closing", "c")):
            request = FeedbackRequest(key=f"{slug}:{kind}:{who}", kind=kind, pairing_id=done.id,
                                      person_id=who, role=role, status="answered")  # fmt: skip
            session.add(request)
            await session.flush()
            answer = Feedback(pairing_id=done.id, request_id=request.id, person_id=who,
                              kind=kind, role=role, submitted_at=T0)  # fmt: skip
            if kind == "session":
                answer.happened, answer.rating = True, 3 + k + n % 2
                answer.skills = ["seo", "social_ads"]
                answer.learned = f"Le SEO *local* {key}{n}{k}"
                answer.comment = f"Très utile {n}{k}" if k == 0 else None
            elif kind == "pulse":
                answer.pulse = "concern" if k else "fine"
                answer.comment = f"Mon manager ne suit pas {n}{k}"
            else:
                answer.nps = 7 + k + n % 3
                answer.skill_levels = {"seo": 3 + k, "social_ads": 2}
                answer.retrospective = {"seo": 1, "social_ads": 1}
                answer.changed = f"J’ose publier {n}{k}"
                answer.testimonial = f"Une belle rencontre, {n}{k} @here"
                answer.quote_consent_at = T0 if k == 0 else None
            session.add(answer)
    for position, status in enumerate(("done", "open", "stuck"), start=1):
        goal = Goal(pairing_id=done.id, position=position, text=f"Objectif {position}",
                    status=status, created_by=mentee)  # fmt: skip
        session.add(goal)
        await session.flush()
        session.add(GoalCheck(goal_id=goal.id, person_id=mentee, stage="closing",
                              status="done" if status == "done" else "on_track"))  # fmt: skip
    session.add(Recognition(pairing_id=done.id, kind="thanks", from_id=mentee, to_id=mentor,
                            text=f"Merci Léa, {n} 🎉"))  # fmt: skip
    session.add(Recognition(pairing_id=done.id, kind="certificate", to_id=mentor))
    return program.id


async def seed(database: Database, ends: dict[str, date]) -> Seeded:
    async with database.unit_of_work() as session:
        people = {}
        for first in ("lea", "marc", "tom"):
            person = Person(email=f"{first}@acme.example", first_name=first.title(),
                            last_name="Test")  # fmt: skip
            session.add(person)
            await session.flush()
            people[first] = person.id
        ids = {}
        for n, (slug, ends_on) in enumerate(ends.items()):
            ids[slug] = await seed_program(session, slug, ends_on, people, n)
    return Seeded(ids, people)


async def words(database: Database) -> dict[tuple[str, str, int], list[str | None]]:
    """Every free-text value, by (table, column, program id), in a stable order."""
    found: dict[tuple[str, str, int], list[str | None]] = {}
    async with database.unit_of_work() as session:
        for model, column in TEXT_COLUMNS:
            field = getattr(model, column)
            if model is Feedback or model is Recognition:
                query = select(Pairing.program_id, field).join(
                    Pairing, Pairing.id == model.pairing_id
                )
            else:
                query = select(model.program_id, field)
            for program_id, value in await session.execute(query.order_by(model.id)):
                found.setdefault((model.__tablename__, column, program_id), []).append(value)
    return found


def written(found: dict[tuple[str, str, int], list[str | None]], program_id: int) -> int:
    return sum(v is not None for (_, _, p), values in found.items() if p == program_id
               for v in values)  # fmt: skip


async def aggregates(database: Database) -> dict[str, Any]:
    """What the report computes from the numbers: counts, averages, levels, statuses."""
    async with database.unit_of_work() as session:
        by_program = (
            select(Pairing.program_id, Feedback.kind, func.count(Feedback.id),
                   func.avg(Feedback.rating), func.avg(Feedback.nps),
                   func.count(Feedback.happened))
            .join(Pairing, Pairing.id == Feedback.pairing_id)
            .group_by(Pairing.program_id, Feedback.kind)
            .order_by(Pairing.program_id, Feedback.kind)
        )  # fmt: skip
        feedback = [tuple(map(_plain, row)) for row in await session.execute(by_program)]
        levels = [
            (f.person_id, f.kind, f.skill_levels, f.retrospective, f.skills, f.pulse,
             f.quote_consent_at, f.rating, f.nps)
            for f in await session.scalars(select(Feedback).order_by(Feedback.id))
        ]  # fmt: skip
        goals = list(await session.execute(select(Goal.id, Goal.status).order_by(Goal.id)))
        checks = list(
            await session.execute(
                select(GoalCheck.goal_id, GoalCheck.status).order_by(GoalCheck.id)
            )
        )
        pairings = list(await session.execute(select(Pairing.id, Pairing.status)))
        proposals = list(await session.execute(select(Proposal.id, Proposal.status)))
        recognitions = list(await session.execute(select(Recognition.id, Recognition.kind)))
        requests = list(await session.execute(select(FeedbackRequest.id, FeedbackRequest.status)))
    return {
        "feedback": feedback, "levels": levels, "goals": sorted(goals), "checks": checks,
        "pairings": sorted(pairings), "proposals": sorted(proposals),
        "recognitions": sorted(recognitions), "requests": sorted(requests),
    }  # fmt: skip


def _plain(value: Any) -> Any:
    return (
        round(float(value), 6) if value is not None and not isinstance(value, (int, str)) else value
    )
