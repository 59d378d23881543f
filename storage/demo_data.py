"""Write a synthetic organisation and program (``bot.matching.synthetic``) as real rows, so
admins can try matching at their own size: Person, Enrollment and AvailabilityWindow rows,
inserted in bulk (Core executemany, no ORM object per row).

Idempotent per seed: people are found again by their deterministic emails
(``p000123.s42@demo.tandem.example``) and enrollments by (program, person), so running the
same command twice adds nothing the second time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.matching.population import SLOT_MINUTES, SLOTS_PER_WEEK, Population
from bot.matching.synthetic import (
    DEPARTMENT_SHARE,
    OFFICES,
    STAGE_SHARE,
    synthetic_population,
)
from storage.audit import record_audit
from storage.db import Database
from storage.models import (
    AvailabilityWindow,
    CareerStage,
    Enrollment,
    Person,
    Program,
    Skill,
)
from storage.programs.texts import add_default_texts
from storage.types import new_opaque_id

DOMAIN = "demo.tandem.example"
BATCH = 2000
ZONES = {
    "paris": "Europe/Paris",
    "montreal": "America/Toronto",
    "singapore": "Asia/Singapore",
    "london": "Europe/London",
    "new_york": "America/New_York",
    "sao_paulo": "America/Sao_Paulo",
    "bangalore": "Asia/Kolkata",
    "sydney": "Australia/Sydney",
}
OFFSETS = {name: offset for name, _, offset, _ in OFFICES}
PLACES = {
    "paris": "Paris",
    "montreal": "Montréal",
    "singapore": "Singapore",
    "london": "London",
    "new_york": "New York",
    "sao_paulo": "São Paulo",
    "bangalore": "Bangalore",
    "sydney": "Sydney",
}
FORMATS = ("remote", "in_person", "either")
# Synthetic "what leaders offer back" topics, as the taxonomy's offer-back keys.
TOPICS = {"negotiation": "career_advice", "public_speaking": "leadership", "finance": "strategy"}
FIRST = (
    "Léa",
    "Marc",
    "Inès",
    "Hugo",
    "Chloé",
    "Karim",
    "Emma",
    "Louis",
    "Sofia",
    "Yanis",
    "Jade",
    "Noah",
    "Mei",
    "Arjun",
    "Ana",
    "Tom",
    "Zoé",
    "Omar",
    "Lina",
    "Jules",
)
LAST = (
    "Martin",
    "Bernard",
    "Dubois",
    "Tan",
    "Nguyen",
    "Silva",
    "Roy",
    "Garcia",
    "Lefèvre",
    "Moreau",
    "Singh",
    "Lambert",
    "Fontaine",
    "Chen",
    "Rossi",
    "Girard",
)


@dataclass(frozen=True)
class DemoDataReport:
    program_slug: str
    program_created: bool
    people_created: int
    people_existing: int
    enrollments_created: int
    mentors: int
    mentees: int


def demo_email(k: int, seed: int) -> str:
    return f"p{k:06d}.s{seed}@{DOMAIN}"


def local_windows(slots: np.ndarray[Any, Any], offset: int) -> list[tuple[int, time, time]]:
    """A UTC weekly slot row as local (weekday, start, end) windows, split at midnight."""
    on = np.flatnonzero(slots)
    if on.size == 0:
        return []
    out: list[tuple[int, time, time]] = []
    week = SLOTS_PER_WEEK * SLOT_MINUTES
    # runs of consecutive slots (the week wraps, but a run crossing it splits harmlessly)
    breaks = np.flatnonzero(np.diff(on) != 1)
    starts = np.r_[on[0], on[breaks + 1]]
    ends = np.r_[on[breaks], on[-1]] + 1
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        lo, hi = a * SLOT_MINUTES + offset, b * SLOT_MINUTES + offset
        while lo < hi:
            day, minute = divmod(lo % week, 1440)
            span = min(hi - lo, 1440 - minute)
            end = minute + span
            out.append((day, time(minute // 60, minute % 60), time((end // 60) % 24, end % 60)))
            lo += span
    return out


async def _program(
    session: AsyncSession, slug: str, timezone: str, now: datetime
) -> tuple[int, bool]:
    found = await session.scalar(select(Program.id).where(Program.slug == slug))
    if found is not None:
        return found, False
    today = now.astimezone(ZoneInfo(timezone)).date()
    program = Program(
        slug=slug,
        name=f"Demo {slug}",
        timezone=timezone,
        starts_on=today,
        ends_on=today + timedelta(days=182),
        status="open",
        capacity_default=1,
        rules={},
    )
    session.add(program)
    await session.flush()
    add_default_texts(session, program, None, published_at=now)  # open: people can join
    record_audit(
        session,
        "program.created",
        program_id=program.id,
        details={"slug": slug, "by": "tandem demo-data"},
    )
    return program.id, True


def _stage_keys(population: Population, ladder: Sequence[str]) -> list[str | None]:
    """Synthetic stages onto the database's ladder, by relative rank."""
    n, m = len(population.stages), len(ladder)
    if not m:
        return [None] * n
    return [ladder[round(r * (m - 1) / max(1, n - 1))] for r in range(n)]


async def write_demo_program(
    database: Database,
    slug: str,
    people: int,
    seed: int,
    *,
    now: datetime,
    timezone: str = "Europe/Paris",
    progress: Callable[[int], None] | None = None,
) -> DemoDataReport:
    """Fill program ``slug`` (created, open, if missing) with ``people`` enrolled people:
    half mentees, half mentors, and the managers above them."""
    mentees = people // 2
    pop = synthetic_population(mentees, people - mentees, seed=seed)
    size = len(pop.org.person_ids)
    tick = progress or (lambda _n: None)
    async with database.unit_of_work(immediate=True) as session:
        program_id, created = await _program(session, slug, timezone, now)
        ladder = list(await session.scalars(select(CareerStage.key).order_by(CareerStage.rank)))
        stage_id = dict((await session.execute(select(CareerStage.key, CareerStage.id))).all())
        stage_of = _stage_keys(pop, ladder)
        emails = [demo_email(k, seed) for k in range(size)]
        existing = dict(
            (
                await session.execute(
                    select(Person.email, Person.id).where(Person.email.like(f"%.s{seed}@{DOMAIN}"))
                )
            ).all()
        )
        ids = [existing.get(e) or new_opaque_id() for e in emails]
        facts = _person_facts(pop, size, seed)
        # managers first: a report's manager row must exist when the report is inserted
        order = sorted(range(size), key=lambda k: (facts[k]["depth"], k))
        rows = []
        for k in order:
            if emails[k] in existing:
                continue
            f = facts[k]
            manager = int(pop.org.manager[k])
            rows.append(
                {
                    "id": ids[k],
                    "employee_id": f"DEMO-S{seed}-{k:06d}",
                    "email": emails[k],
                    "first_name": FIRST[k % len(FIRST)],
                    "last_name": LAST[(k // len(FIRST)) % len(LAST)],
                    "department": f["department"],
                    "manager_id": ids[manager] if manager >= 0 else None,
                    "career_stage_id": stage_id.get(stage_of[f["stage"]])
                    if f["stage"] >= 0
                    else None,
                    "location": PLACES.get(f["location"] or ""),
                    "timezone": ZONES.get(f["location"] or ""),
                    "locale": "fr" if "fr" in f["languages"] else "en",
                    "languages": f["languages"],
                    "active": True,
                }
            )
        await _insert(session, Person, rows, tick)
        enrolled = set(
            await session.scalars(
                select(Enrollment.person_id).where(Enrollment.program_id == program_id)
            )
        )
        topics = set(await session.scalars(select(Skill.key).where(Skill.category == "offer_back")))
        new_enrollments, windows = _enrollments(pop, ids, enrolled, topics, program_id, now)
        await _insert(session, Enrollment, new_enrollments, tick)
        if new_enrollments:
            enrollment_id = dict(
                (
                    await session.execute(
                        select(Enrollment.person_id, Enrollment.id).where(
                            Enrollment.program_id == program_id
                        )
                    )
                ).all()
            )
            window_rows = [
                {
                    "enrollment_id": enrollment_id[pid],
                    "weekday": d,
                    "start": a,
                    "end": b,
                    "timezone": zone,
                }
                for pid, zone, spans in windows
                for d, a, b in spans
            ]
            await _insert(session, AvailabilityWindow, window_rows, tick)
        total = await session.scalar(
            select(func.count(Enrollment.id)).where(Enrollment.program_id == program_id)
        )
        record_audit(
            session,
            "demo_data.loaded",
            program_id=program_id,
            details={
                "people": people,
                "seed": seed,
                "created": len(rows),
                "enrollments": len(new_enrollments),
                "total": total,
            },
        )
    return DemoDataReport(
        slug,
        created,
        len(rows),
        len(existing),
        len(new_enrollments),
        pop.mentors.size,
        pop.mentees.size,
    )


def _org_draws(pop: Population, seed: int) -> tuple[list[int], list[int]] | None:
    """Everyone's career stage and department, as the generator drew them first (only the
    enrolled carry them in the arrays); None if the generator no longer draws them so."""
    rng = np.random.default_rng(seed)
    size = len(pop.org.person_ids)
    stage = rng.choice(len(STAGE_SHARE), size=size, p=np.divide(STAGE_SHARE, sum(STAGE_SHARE)))
    stage[0] = len(STAGE_SHARE) - 1
    share = np.divide(DEPARTMENT_SHARE, sum(DEPARTMENT_SHARE))
    dept = rng.choice(len(DEPARTMENT_SHARE), size=size, p=share)
    for side in (pop.mentors, pop.mentees):
        if not (
            np.array_equal(stage[side.person], side.stage)
            and np.array_equal(dept[side.person], side.department)
        ):
            return None
    return stage.tolist(), dept.tolist()


def _person_facts(pop: Population, size: int, seed: int) -> list[dict[str, Any]]:
    """What the HRIS says of each person: enrolled people carry it in their side's arrays;
    the others (managers above them) their stage and department and place in the tree."""
    draws = _org_draws(pop, seed)
    facts: list[dict[str, Any]] = [
        {
            "department": pop.departments[draws[1][k]] if draws else None,
            "stage": draws[0][k] if draws else -1,
            "location": None,
            "languages": [],
            "depth": 0,
        }
        for k in range(size)
    ]
    for side in (pop.mentors, pop.mentees):
        for r, k in enumerate(side.person.tolist()):
            f = facts[k]
            dept, loc = int(side.department[r]), int(side.location[r])
            f["department"] = pop.departments[dept] if dept >= 0 else None
            f["stage"] = int(side.stage[r])
            f["location"] = pop.locations[loc] if loc >= 0 else None
            mask = int(side.languages[r])
            f["languages"] = [lang for b, lang in enumerate(pop.languages) if mask >> b & 1]
    manager = pop.org.manager
    for k in range(size):  # depth in the tree (the synthetic tree has no cycle)
        depth, p = 0, int(manager[k])
        while p >= 0 and depth <= size:
            depth, p = depth + 1, int(manager[p])
        facts[k]["depth"] = depth
    return facts


def _enrollments(
    pop: Population,
    ids: list[str],
    enrolled: set[str],
    topics: set[str],
    program_id: int,
    now: datetime,
) -> tuple[list[dict[str, Any]], list[tuple[str, str, list[tuple[int, time, time]]]]]:
    rows: list[dict[str, Any]] = []
    windows: list[tuple[str, str, list[tuple[int, time, time]]]] = []

    def skills(levels: np.ndarray[Any, Any]) -> list[dict[str, Any]]:
        return [{"skill": pop.skills[c], "level": int(levels[c])} for c in np.flatnonzero(levels)]

    def back(flags: np.ndarray[Any, Any]) -> list[str]:
        keys = [TOPICS.get(pop.back_topics[c], pop.back_topics[c]) for c in np.flatnonzero(flags)]
        return list(dict.fromkeys(k for k in keys if not topics or k in topics))

    for role, side in (("mentor", pop.mentors), ("mentee", pop.mentees)):
        for r, k in enumerate(side.person.tolist()):
            pid = ids[k]
            if pid in enrolled:
                continue
            enrolled.add(pid)
            loc = int(side.location[r])
            place = pop.locations[loc] if loc >= 0 else None
            mask = int(side.languages[r])
            teaching = role == "mentor"
            rows.append(
                {
                    "program_id": program_id,
                    "person_id": pid,
                    "role": role,
                    "status": "active",
                    "skills_offered": skills(side.skills[r]) if teaching else [],
                    # a mentor's "wants in return" are the offer-back topics they want to learn
                    "skills_wanted": (
                        [{"skill": t, "level": 1} for t in back(side.back[r])]
                        if teaching
                        else skills(side.skills[r])
                    ),
                    "offers_back": [] if teaching else back(side.back[r]),
                    "languages": [lang for b, lang in enumerate(pop.languages) if mask >> b & 1],
                    "format": FORMATS[int(side.format[r])],
                    "location": PLACES.get(place or ""),
                    "capacity": int(side.capacity[r]) if teaching else 0,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            office = place or ""
            spans = local_windows(side.availability[r], OFFSETS.get(office, 0))
            windows.append((pid, ZONES.get(office, "UTC"), spans))
    return rows, windows


async def _insert(
    session: AsyncSession, model: Any, rows: list[dict[str, Any]], tick: Callable[[int], None]
) -> None:
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        await session.execute(insert(model.__table__), chunk)
        tick(len(chunk))
