"""Load one program's matching input from the database into the engine's arrays.

Core queries only (columns, never ORM objects per person), one per table, so that 20,000
enrolled people load in a fraction of the matching time. Everything the engine needs is
here: the whole management tree (tombstones included, so an erased manager still blocks),
the active enrollments as mentor and mentee rows, weekly windows turned into UTC slots, who
is already paired or awaiting an answer (rounds only match the free), past pairs, blocks,
pins, rules and weights. Nothing here commits or writes.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import String, Text, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.programs import ProgramRules
from bot.matching.population import (
    WEIGHT_KEYS,
    Enrollee,
    OrgPerson,
    Population,
    Rules,
    Weights,
    build_population,
)
from storage.enrollment.enrollments import OFFER_BACK
from storage.models import (
    AdminBlock,
    AdminPin,
    AvailabilityWindow,
    CareerStage,
    Enrollment,
    Pairing,
    Person,
    Program,
    Proposal,
    Skill,
    SkillTranslation,
)

MENTOR_ROLES = ("mentor", "both")
MENTEE_ROLES = ("mentee", "both")
JSON_COLUMNS = ("skills_offered", "skills_wanted", "offers_back", "languages")
AWAITING = "sent"  # a proposal people have not answered yet keeps them out of the round
NEVER_AGAIN = ("declined", "expired")  # with every pairing: never proposed again
TARGET_OVERLAP = "target_overlap_minutes"  # optional key of Program.rules


class ProgramNotFound(LookupError):
    pass


@dataclass(frozen=True)
class ProgramPopulation:
    program_id: int
    population: Population
    rules: Rules
    weights: Weights
    emails: dict[str, str | None]  # person_id -> email (enrolled people and their managers)
    names: dict[str, str]  # person_id -> display name
    skill_labels: dict[str, dict[str, str]]  # skill or topic key -> {"fr": ..., "en": ...}
    stage_labels: dict[str, dict[str, str]] = field(default_factory=dict)  # same, per stage


@dataclass(frozen=True)
class _Rows:
    """Everything read from the database, before any of it is turned into arrays."""

    program: Any
    stages: Sequence[Any]
    taxonomy: tuple[list[str], list[str], dict[str, dict[str, str]]]
    people: Sequence[Any]
    enrollments: Sequence[Any]
    windows: Sequence[Any]
    pairings: Sequence[Any]
    proposals: Sequence[Any]
    blocks: list[tuple[str, str]]
    pins: list[tuple[str, str]]


async def load_program_population(
    session: AsyncSession, program_id: int, *, now: datetime
) -> ProgramPopulation:
    """The program's matching input. ``now`` picks each zone's UTC offset (default: now).

    The queries run on the caller's loop; turning rows into arrays (about a second of CPU at
    20,000 people) runs in a thread, so a server calling this keeps answering meanwhile.
    """
    rows = await _read(session, program_id)
    return await asyncio.to_thread(_assemble, program_id, rows, now)


async def _read(session: AsyncSession, program_id: int) -> _Rows:
    # Core rows on the session's connection: no ORM loading machinery per row
    conn = await session.connection()
    program = (
        await conn.execute(
            select(
                Program.rules, Program.matching_weights, Program.timezone, Program.capacity_default
            ).where(Program.id == program_id)
        )
    ).one_or_none()
    if program is None:
        raise ProgramNotFound(f"no program with id {program_id}")
    stages = (
        await conn.execute(
            select(
                CareerStage.id, CareerStage.key, CareerStage.label_fr, CareerStage.label_en
            ).order_by(CareerStage.rank)
        )
    ).all()
    people = (
        await conn.execute(
            select(
                Person.id,
                Person.manager_id,
                Person.department,
                Person.career_stage_id,
                Person.location,
                type_coerce(Person.languages, Text).label("languages"),
                Person.email,
                Person.first_name,
                Person.last_name,
            )
        )
    ).all()
    active = (Enrollment.program_id == program_id, Enrollment.status == "active")
    enrollments = (
        await conn.execute(
            select(
                Enrollment.id,
                Enrollment.person_id,
                Enrollment.role,
                *(type_coerce(getattr(Enrollment, c), Text).label(c) for c in JSON_COLUMNS),
                Enrollment.format,
                Enrollment.location,
                Enrollment.capacity,
            )
            .where(*active)
            .order_by(Enrollment.id)
        )
    ).all()
    windows = (
        await conn.execute(
            select(
                AvailabilityWindow.enrollment_id,
                AvailabilityWindow.weekday,
                # SQLite's "HH:MM:SS" text, parsed by hand: the TIME type's parser is slow
                type_coerce(AvailabilityWindow.start, String).label("start"),
                type_coerce(AvailabilityWindow.end, String).label("end"),
                AvailabilityWindow.timezone,
            )
            .join(Enrollment, Enrollment.id == AvailabilityWindow.enrollment_id)
            .where(*active)
        )
    ).all()
    pairings = (
        await conn.execute(
            select(Pairing.mentor_id, Pairing.mentee_id, Pairing.status)
            .where(Pairing.program_id == program_id)
            .order_by(Pairing.id)
        )
    ).all()
    proposals = (
        await conn.execute(
            select(Proposal.mentor_id, Proposal.mentee_id, Proposal.status)
            .where(
                Proposal.program_id == program_id,
                Proposal.status.in_((AWAITING, *NEVER_AGAIN)),
            )
            .order_by(Proposal.id)
        )
    ).all()
    return _Rows(
        program=program,
        stages=stages,
        taxonomy=await _taxonomy(session),
        people=people,
        enrollments=enrollments,
        windows=windows,
        pairings=pairings,
        proposals=proposals,
        blocks=await _id_pairs(session, AdminBlock, "person_a", "person_b", program_id),
        pins=await _id_pairs(session, AdminPin, "mentor_id", "mentee_id", program_id),
    )


def _assemble(program_id: int, rows: _Rows, now: datetime) -> ProgramPopulation:
    program, stages, people, enrollments = rows.program, rows.stages, rows.people, rows.enrollments
    skills, topics, labels = rows.taxonomy
    stage_key = {s.id: s.key for s in stages}
    person = {p.id: p for p in people}
    # JSON text decoded in one call per column: a decoder call per value costs more than
    # the whole query at 20,000 enrollments
    decoded = {c: _bulk_json([getattr(e, c) for e in enrollments]) for c in JSON_COLUMNS}
    windows = _windows(rows.windows, now, program.timezone)
    busy_mentees, mentor_load, past = _pairs_taken(rows.pairings, rows.proposals)
    topic_set = set(topics)

    mentors: list[Enrollee] = []
    mentees: list[Enrollee] = []
    for n, e in enumerate(enrollments):
        offered, wanted_json, offers_back, languages = (decoded[c][n] for c in JSON_COLUMNS)
        who = person.get(e.person_id)
        common: dict[str, Any] = {
            "person_id": e.person_id,
            "department": who.department if who else None,
            "stage": stage_key.get(who.career_stage_id) if who else None,
            "languages": tuple(languages or _bulk_json([who.languages if who else None])[0] or ()),
            "availability": tuple(windows.get(e.id, ())),
            "format": e.format or "remote",
            "location": e.location or (who.location if who else None),
        }
        if e.role in MENTOR_ROLES:
            wanted_back = [k for k in _keys(wanted_json) if k in topic_set]
            capacity = e.capacity or program.capacity_default or 1
            mentors.append(
                Enrollee(
                    **common,
                    skills=_levels(offered),
                    back=tuple(wanted_back),
                    capacity=max(0, capacity - mentor_load[e.person_id]),
                )
            )
        if e.role in MENTEE_ROLES:
            wanted = {k: v for k, v in _levels(wanted_json).items() if k not in topic_set}
            mentees.append(
                Enrollee(
                    **common,
                    skills=wanted,
                    back=tuple(k for k in offers_back or () if isinstance(k, str)),
                    capacity=1,
                    active=e.person_id not in busy_mentees,
                )
            )

    managers = {p.manager_id for p in people if p.manager_id is not None}
    org = [
        OrgPerson(
            p.id,
            p.manager_id,
            # No manager on record: a declared top of the tree when people report to them,
            # otherwise the reporting line is unknown (matched, and flagged for the admin).
            None if p.manager_id is not None else p.id in managers,
        )
        for p in people
    ]
    population = build_population(
        org,
        mentors,
        mentees,
        stages=[s.key for s in stages],
        skills=skills,
        back_topics=topics,
        blocks=rows.blocks,
        pins=rows.pins,
        past_pairs=past,
    )
    enrolled = {e.person_id for e in enrollments}
    shown = enrolled | {person[p].manager_id for p in enrolled if p in person} - {None}
    return ProgramPopulation(
        program_id=program_id,
        population=population,
        rules=_rules(program.rules),
        weights=_weights(program.matching_weights),
        emails={p: person[p].email if p in person else None for p in sorted(shown, key=str)},
        names={p: _name(person.get(p), p) for p in sorted(shown, key=str)},
        skill_labels=labels,
        stage_labels={s.key: {"fr": s.label_fr, "en": s.label_en} for s in stages},
    )


async def _id_pairs(
    session: AsyncSession, model: type[AdminBlock | AdminPin], a: str, b: str, program_id: int
) -> list[tuple[str, str]]:
    rows = await (await session.connection()).execute(
        select(getattr(model, a), getattr(model, b))
        .where(model.program_id == program_id)
        .order_by(model.id)
    )
    return [(x, y) for x, y in rows]


def _bulk_json(values: list[Any]) -> list[Any]:
    """JSON column values selected as text (the driver may also hand back decoded values)."""
    if all(v is None or isinstance(v, str) for v in values):
        return list(json.loads("[" + ",".join(v or "null" for v in values) + "]"))
    return [json.loads(v) if isinstance(v, str | bytes) else v for v in values]


def _keys(items: Iterable[Any] | None) -> list[str]:
    return [str(i["skill"]) for i in items or () if isinstance(i, Mapping) and i.get("skill")]


def _levels(items: Iterable[Any] | None) -> dict[str, int]:
    """``[{"skill": key, "level": 1..5}]`` (the Enrollment JSON) as {key: level}."""
    out: dict[str, int] = {}
    for item in items or ():
        if isinstance(item, Mapping) and item.get("skill"):
            try:
                level = int(item.get("level") or 1)
            except (TypeError, ValueError):
                level = 1
            out[str(item["skill"])] = max(1, min(5, level))
    return out


def _name(row: Any, person_id: str) -> str:
    if row is None:
        return person_id
    parts = [p for p in (row.first_name, row.last_name) if p]
    return " ".join(parts) if parts else (row.email or person_id)


def _rules(raw: Mapping[str, Any] | None) -> Rules:
    rules = ProgramRules.from_json(raw)
    target = (raw or {}).get(TARGET_OVERLAP)
    return Rules(
        cross_department_only=rules.cross_department,
        reverse_order_required=rules.reverse_career_order,
        **(
            {"target_overlap_minutes": int(target)}
            if isinstance(target, int) and target > 0
            else {}
        ),
    )


def _weights(raw: Mapping[str, Any] | None) -> Weights:
    """Known keys only, never negative: a stray key in the column must not stop matching."""
    values: dict[str, float] = {}
    for key, value in (raw or {}).items():
        if key in WEIGHT_KEYS and isinstance(value, int | float):
            values[key] = max(0.0, float(value))
    return Weights.from_mapping(values)


async def _taxonomy(
    session: AsyncSession,
) -> tuple[list[str], list[str], dict[str, dict[str, str]]]:
    """Skill keys, offer-back topic keys (retired ones too: enrollments may name them), labels."""
    conn = await session.connection()
    rows = (
        await conn.execute(select(Skill.id, Skill.key, Skill.category).order_by(Skill.id))
    ).all()
    names = (
        await conn.execute(
            select(SkillTranslation.skill_id, SkillTranslation.locale, SkillTranslation.name)
        )
    ).all()
    by_skill: dict[int, dict[str, str]] = defaultdict(dict)
    for skill_id, locale, name in names:
        by_skill[skill_id][locale] = name
    skills = [key for _, key, category in rows if category != OFFER_BACK]
    topics = [key for _, key, category in rows if category == OFFER_BACK]
    return skills, topics, {key: dict(by_skill.get(sid, {})) for sid, key, _ in rows}


async def skill_labels(session: AsyncSession) -> dict[str, dict[str, str]]:
    """Every skill and offer-back topic key with its name per language."""
    return (await _taxonomy(session))[2]


def _minute(value: time | str) -> int:
    """Minutes since midnight of a TIME value (SQLite hands back its "HH:MM:SS" text)."""
    if isinstance(value, str):
        return int(value[:2]) * 60 + int(value[3:5])
    return value.hour * 60 + value.minute


def _offset_minutes(zone: str, fallback: str, now: datetime, cache: dict[str, int]) -> int:
    if zone not in cache:
        try:
            tz = ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            tz = ZoneInfo(fallback)
        offset = now.astimezone(tz).utcoffset()
        cache[zone] = int(offset.total_seconds() // 60) if offset else 0
    return cache[zone]


def _windows(
    rows: Sequence[Any], now: datetime, fallback_zone: str
) -> dict[int, list[tuple[int, int]]]:
    """Weekly local windows as UTC minute intervals (0 = Monday 00:00 UTC), per enrollment.

    The zone's offset *now* is used: matching looks at the weeks ahead, and a daylight-saving
    change shifts everyone in that zone alike.
    """
    offsets: dict[str, int] = {}
    out: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for enrollment_id, weekday, start, end, zone in rows:
        offset = _offset_minutes(zone, fallback_zone, now, offsets)
        first, last = _minute(start), _minute(end)
        if last <= first:  # ends at or past midnight
            last += 1440
        base = weekday * 1440 - offset
        out[enrollment_id].append((base + first, base + last))
    return out


def _pairs_taken(
    pairings: Sequence[Any], proposals: Sequence[Any]
) -> tuple[set[str], Counter[str], list[tuple[str, str]]]:
    """Mentees already paired or awaiting an answer, mentors' load, and pairs never to repeat."""
    busy: set[str] = set()
    load: Counter[str] = Counter()
    past: dict[tuple[str, str], None] = {}
    for mentor, mentee, status in pairings:
        past[(mentor, mentee)] = None
        if status == "active":
            busy.add(mentee)
            load[mentor] += 1
    for mentor, mentee, status in proposals:
        if status == AWAITING:
            busy.add(mentee)
            load[mentor] += 1
        else:
            past[(mentor, mentee)] = None
    return busy, load, list(past)
