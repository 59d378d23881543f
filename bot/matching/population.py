"""The matching input as arrays: who may be paired, what they offer and want, and the rules.

Everything here is plain data (NumPy arrays and tuples) so that a database loader, the
synthetic generator and the tests all build the same thing, and so that the engine can score
tens of thousands of people without a Python object per person.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

# Weekly availability is a bitmap of 30-minute slots in UTC, Monday 00:00 first.
SLOT_MINUTES = 30
SLOTS_PER_WEEK = 7 * 24 * 60 // SLOT_MINUTES

REMOTE, IN_PERSON, EITHER = 0, 1, 2
FORMATS: dict[str, int] = {"remote": REMOTE, "in_person": IN_PERSON, "either": EITHER}

WEIGHT_KEYS = ("skills", "reverse", "time_overlap", "format", "reach", "stage_gap")

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Organisation:
    """The management tree over everyone the HRIS knows, enrolled or not, tombstones included.

    ``manager[p]`` is the index of p's manager, -1 when there is none. ``reporting_known[p]``
    is False when p has no manager on record and is not declared a top of the tree: such a
    person may be paired, and the pair is flagged for the admin.
    """

    person_ids: tuple[str, ...]
    manager: IntArray
    reporting_known: BoolArray

    def __post_init__(self) -> None:
        n = len(self.person_ids)
        if self.manager.shape != (n,) or self.reporting_known.shape != (n,):
            raise ValueError("organisation arrays must have one entry per person")


@dataclass(frozen=True)
class Side:
    """Enrolled mentors or enrolled mentees of one program (one row per enrollment).

    ``skills[r, s]`` is, for a mentor, the proficiency offered (1-5, 0 = not offered); for a
    mentee, the current level of a wanted skill (1-5, 0 = not wanted). ``back[r, t]`` is, for a
    mentor, "wants to learn topic t in return"; for a mentee, "offers topic t back".
    """

    person: IntArray  # index into Organisation.person_ids
    department: IntArray  # index into Population.departments, -1 unknown
    stage: IntArray  # rank in Population.stages (0 = earliest career stage), -1 unknown
    languages: NDArray[np.uint64]  # bit l set = speaks Population.languages[l]
    skills: NDArray[np.int8]
    back: BoolArray
    availability: BoolArray  # (rows, SLOTS_PER_WEEK) UTC slots
    format: IntArray  # REMOTE | IN_PERSON | EITHER
    location: IntArray  # index into Population.locations, -1 unknown
    capacity: IntArray  # mentors: 1-3; mentees: 1
    active: BoolArray

    @property
    def size(self) -> int:
        return int(self.person.shape[0])


@dataclass(frozen=True)
class Population:
    org: Organisation
    mentors: Side
    mentees: Side
    skills: tuple[str, ...]
    back_topics: tuple[str, ...]
    languages: tuple[str, ...]
    departments: tuple[str, ...]
    locations: tuple[str, ...]
    stages: tuple[str, ...]  # ordered, earliest first
    # Person-id pairs. Blocks and past pairs hold in either direction; pins are (mentor, mentee).
    blocks: tuple[tuple[str, str], ...] = ()
    pins: tuple[tuple[str, str], ...] = ()
    past_pairs: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if len(self.languages) > 64:
            raise ValueError("at most 64 distinct languages per program")
        for side in (self.mentors, self.mentees):
            rows = side.size
            if side.skills.shape != (rows, len(self.skills)):
                raise ValueError("skills matrix must be rows x len(skills)")
            if side.back.shape != (rows, len(self.back_topics)):
                raise ValueError("back matrix must be rows x len(back_topics)")
            if side.availability.shape != (rows, SLOTS_PER_WEEK):
                raise ValueError("availability must be rows x SLOTS_PER_WEEK")


@dataclass(frozen=True)
class Rules:
    cross_department_only: bool = False
    reverse_order_required: bool = False
    # Shared time at which the time component saturates (one session a week is plenty).
    target_overlap_minutes: int = 180


@dataclass(frozen=True)
class Weights:
    skills: float = 4.0
    reverse: float = 1.0
    time_overlap: float = 2.0
    format: float = 1.0
    reach: float = 1.0
    stage_gap: float = 1.0

    @classmethod
    def from_mapping(cls, values: Mapping[str, float]) -> Weights:
        unknown = set(values) - set(WEIGHT_KEYS)
        if unknown:
            raise ValueError(f"unknown weight keys: {sorted(unknown)}")
        if any(float(v) < 0 for v in values.values()):
            raise ValueError("weights must be non-negative")
        return cls(**{k: float(v) for k, v in values.items()})

    def as_array(self) -> FloatArray:
        return np.array([getattr(self, k) for k in WEIGHT_KEYS], dtype=np.float64)


# --- helpers for loaders -------------------------------------------------------------------


def slots_from_intervals(intervals: Iterable[tuple[int, int]]) -> BoolArray:
    """Weekly UTC minute intervals [start, end) (0 = Monday 00:00; may wrap past the week)."""
    row = np.zeros(SLOTS_PER_WEEK, dtype=np.bool_)
    week = SLOTS_PER_WEEK * SLOT_MINUTES
    for start, end in intervals:
        if end <= start:
            continue
        first = -(-start // SLOT_MINUTES)  # only whole slots count as shared time
        last = end // SLOT_MINUTES
        idx = np.arange(first, last) % SLOTS_PER_WEEK
        row[idx] = True
        if end - start >= week:
            row[:] = True
    return row


def working_hours_intervals(
    utc_offset_minutes: int,
    start_minute: int = 9 * 60,
    end_minute: int = 18 * 60,
    weekdays: Sequence[int] = (0, 1, 2, 3, 4),
) -> list[tuple[int, int]]:
    """Local working hours as weekly UTC intervals (the loader picks the zone's current offset)."""
    return [
        (
            day * 1440 + start_minute - utc_offset_minutes,
            day * 1440 + end_minute - utc_offset_minutes,
        )
        for day in weekdays
    ]


@dataclass(frozen=True)
class Enrollee:
    """One enrollment, in the words a loader has at hand (keys, not indices)."""

    person_id: str
    department: str | None = None
    stage: str | None = None
    languages: tuple[str, ...] = ()
    skills: Mapping[str, int] = field(default_factory=dict)
    back: tuple[str, ...] = ()
    availability: tuple[tuple[int, int], ...] = ()
    format: str = "remote"
    location: str | None = None
    capacity: int = 1
    active: bool = True


@dataclass(frozen=True)
class OrgPerson:
    person_id: str
    manager_id: str | None = None
    # None: known exactly when a manager is on record; True for a declared top of the tree.
    reporting_known: bool | None = None


def build_population(
    people: Sequence[OrgPerson],
    mentors: Sequence[Enrollee],
    mentees: Sequence[Enrollee],
    *,
    stages: Sequence[str],
    skills: Sequence[str] = (),
    back_topics: Sequence[str] = (),
    blocks: Iterable[tuple[str, str]] = (),
    pins: Iterable[tuple[str, str]] = (),
    past_pairs: Iterable[tuple[str, str]] = (),
) -> Population:
    """Build the arrays from loader rows. Unknown skill or topic keys extend the lists."""
    ids = [p.person_id for p in people]
    index = {pid: i for i, pid in enumerate(ids)}
    for e in (*mentors, *mentees):
        if e.person_id not in index:  # enrolled but missing from the org: a lone node
            index[e.person_id] = len(ids)
            ids.append(e.person_id)
    manager = np.full(len(ids), -1, dtype=np.int64)
    known = np.zeros(len(ids), dtype=np.bool_)
    for p in people:
        row = index[p.person_id]
        if p.manager_id is not None:
            if p.manager_id not in index:  # a manager we hold no row for still blocks
                index[p.manager_id] = len(ids)
                ids.append(p.manager_id)
                manager = np.append(manager, -1)
                known = np.append(known, False)
            manager[row] = index[p.manager_id]
        known[row] = (
            p.reporting_known if p.reporting_known is not None else p.manager_id is not None
        )
    skill_keys = list(
        dict.fromkeys([*skills, *(k for e in (*mentors, *mentees) for k in e.skills)])
    )
    topic_keys = list(
        dict.fromkeys([*back_topics, *(t for e in (*mentors, *mentees) for t in e.back)])
    )
    everyone = (*mentors, *mentees)
    languages = sorted({lang for e in everyone for lang in e.languages})
    departments = sorted({e.department for e in everyone if e.department})
    locations = sorted({e.location for e in everyone if e.location})
    stage_rank = {key: r for r, key in enumerate(stages)}

    def side(rows: Sequence[Enrollee]) -> Side:
        n = len(rows)
        skill_col = {k: c for c, k in enumerate(skill_keys)}
        topic_col = {k: c for c, k in enumerate(topic_keys)}
        lang_bit = {lang: b for b, lang in enumerate(languages)}
        sk = np.zeros((n, len(skill_keys)), dtype=np.int8)
        bk = np.zeros((n, len(topic_keys)), dtype=np.bool_)
        av = np.zeros((n, SLOTS_PER_WEEK), dtype=np.bool_)
        langs = np.zeros(n, dtype=np.uint64)
        for r, e in enumerate(rows):
            for key, level in e.skills.items():
                sk[r, skill_col[key]] = max(0, min(5, int(level)))
            for t in e.back:
                bk[r, topic_col[t]] = True
            av[r] = slots_from_intervals(e.availability)
            mask = 0
            for lang in e.languages:
                mask |= 1 << lang_bit[lang]
            langs[r] = mask
        return Side(
            person=np.array([index[e.person_id] for e in rows], dtype=np.int64),
            department=np.array(
                [departments.index(e.department) if e.department else -1 for e in rows],
                dtype=np.int64,
            ),
            stage=np.array([stage_rank.get(e.stage or "", -1) for e in rows], dtype=np.int64),
            languages=langs,
            skills=sk,
            back=bk,
            availability=av,
            format=np.array([FORMATS.get(e.format, REMOTE) for e in rows], dtype=np.int64),
            location=np.array(
                [locations.index(e.location) if e.location else -1 for e in rows], dtype=np.int64
            ),
            capacity=np.array([max(0, e.capacity) for e in rows], dtype=np.int64),
            active=np.array([e.active for e in rows], dtype=np.bool_),
        )

    return Population(
        org=Organisation(tuple(ids), manager, known),
        mentors=side(mentors),
        mentees=side(mentees),
        skills=tuple(skill_keys),
        back_topics=tuple(topic_keys),
        languages=tuple(languages),
        departments=tuple(departments),
        locations=tuple(locations),
        stages=tuple(stages),
        blocks=tuple(blocks),
        pins=tuple(pins),
        past_pairs=tuple(past_pairs),
    )
