"""Program rules, pure: what a valid program looks like, who may take which role in it,
how its texts are versioned, and what its recruiting gap is.

Problems are codes (``Problem``) with parameters, keyed by the form field they concern;
``dialogs`` puts them into words in the reader's language.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.domain.enrollment import CADENCES, CAPACITIES, Problem, eligible_roles

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")  # fits the 64-character column
SKILL_KEY = re.compile(r"^[a-z0-9](?:[a-z0-9_]{0,62}[a-z0-9])?$")
MAX_NAME = 200
MIN_SESSION, MAX_SESSION = 15, 180
DEFAULT_SESSION = 45
STATUSES = ("draft", "open", "running", "closed")
TEXT_KINDS = ("charter", "privacy")
# Keys of ``Program.rules`` (matching and enrollment read the same ones).
ELIGIBILITY = "eligibility"
CROSS_DEPARTMENT = "cross_department"
REVERSE_ORDER = "reverse_career_order"


DEFAULT_EXPIRY_DAYS = 7
MAX_EXPIRY_DAYS = 30


@dataclass(frozen=True)
class ProgramSettings:
    name: str
    slug: str
    timezone: str
    starts_on: date
    ends_on: date
    enrollment_closes_on: date | None
    cadence: str
    session_minutes: int
    capacity_default: int
    approval_required: bool
    proposal_expiry_days: int = 7  # days people have to answer a pairing proposal


@dataclass(frozen=True)
class ProgramRules:
    """Eligibility per role by career stage key (empty: everyone), and matching rules."""

    mentor_stages: tuple[str, ...] = ()
    mentee_stages: tuple[str, ...] = ()
    cross_department: bool = False
    reverse_career_order: bool = False

    @classmethod
    def from_json(cls, rules: Mapping[str, Any] | None) -> ProgramRules:
        rules = rules or {}
        eligibility = rules.get(ELIGIBILITY) or {}
        return cls(
            tuple(eligibility.get("mentor") or ()),
            tuple(eligibility.get("mentee") or ()),
            bool(rules.get(CROSS_DEPARTMENT)),
            bool(rules.get(REVERSE_ORDER)),
        )

    def as_json(self, existing: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The rules column, keeping keys this form does not edit (e.g. overlap targets)."""
        eligibility = {
            role: list(stages)
            for role, stages in (("mentor", self.mentor_stages), ("mentee", self.mentee_stages))
            if stages
        }
        return {
            **(existing or {}),
            ELIGIBILITY: eligibility,
            CROSS_DEPARTMENT: self.cross_department,
            REVERSE_ORDER: self.reverse_career_order,
        }


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _whole(text: str, low: int, high: int) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() and low <= int(text) <= high else None


def settings_problems(
    raw: Mapping[str, str], zones: Container[str], *, slug_fixed: bool = False
) -> tuple[ProgramSettings | None, dict[str, Problem]]:
    """Check the program form's answers (strings as submitted). ``slug_fixed``: editing,
    the slug is the program's name on the command line and does not change."""
    problems: dict[str, Problem] = {}
    name = raw.get("name", "").strip()
    if not name:
        problems["name"] = Problem("required")
    elif len(name) > MAX_NAME:
        problems["name"] = Problem("too_long", {"n": MAX_NAME})
    slug = raw.get("slug", "").strip().lower()
    if not slug_fixed and not SLUG.match(slug):
        problems["slug"] = Problem("slug_format")
    zone = raw.get("timezone", "").strip()
    if zone not in zones:
        problems["timezone"] = Problem("unknown_choice")
    starts, ends = _date(raw.get("starts_on", "")), _date(raw.get("ends_on", ""))
    if starts is None:
        problems["starts_on"] = Problem("date_required")
    if ends is None:
        problems["ends_on"] = Problem("date_required")
    elif starts is not None and ends <= starts:
        problems["ends_on"] = Problem("end_before_start")
    closes_text = raw.get("enrollment_closes_on", "").strip()
    closes = _date(closes_text) if closes_text else None
    if closes_text and closes is None:
        problems["enrollment_closes_on"] = Problem("date_required")
    elif closes is not None and ends is not None and closes > ends:
        problems["enrollment_closes_on"] = Problem("closes_after_end")
    cadence = raw.get("cadence", "").strip()
    if cadence not in CADENCES:
        problems["cadence"] = Problem("unknown_choice")
    minutes = _whole(raw.get("session_minutes", ""), MIN_SESSION, MAX_SESSION)
    if minutes is None:
        problems["session_minutes"] = Problem(
            "minutes_range", {"low": MIN_SESSION, "high": MAX_SESSION}
        )
    capacity = _whole(raw.get("capacity_default", ""), min(CAPACITIES), max(CAPACITIES))
    if capacity is None:
        problems["capacity_default"] = Problem(
            "capacity_range", {"low": min(CAPACITIES), "high": max(CAPACITIES)}
        )
    approval = raw.get("approval_required", "").strip()
    if approval not in ("yes", "no"):
        problems["approval_required"] = Problem("unknown_choice")
    expiry_text = raw.get("proposal_expiry_days", "").strip() or str(DEFAULT_EXPIRY_DAYS)
    expiry = _whole(expiry_text, 1, MAX_EXPIRY_DAYS)
    if expiry is None:
        problems["proposal_expiry_days"] = Problem(
            "days_range", {"low": 1, "high": MAX_EXPIRY_DAYS}
        )
    if problems:
        return None, problems
    assert starts and ends and minutes and capacity and expiry  # the checks above did
    settings = ProgramSettings(
        name,
        slug,
        zone,
        starts,
        ends,
        closes,
        cadence,
        minutes,
        capacity,
        approval == "yes",
        expiry,
    )
    return settings, {}


def rules_problems(
    mentor_stages: Sequence[str],
    mentee_stages: Sequence[str],
    options: Sequence[str],
    known_stages: Sequence[str],
) -> tuple[ProgramRules | None, dict[str, Problem]]:
    """Eligibility lists must name known career stages; ``options`` are the checked rules."""
    problems: dict[str, Problem] = {}
    for name, chosen in (("mentor_stages", mentor_stages), ("mentee_stages", mentee_stages)):
        if not set(chosen) <= set(known_stages):
            problems[name] = Problem("unknown_choice")
    if not set(options) <= {CROSS_DEPARTMENT, REVERSE_ORDER}:
        problems["rules"] = Problem("unknown_choice")
    if problems:
        return None, problems
    order = {key: n for n, key in enumerate(known_stages)}  # kept in ladder order
    return ProgramRules(
        tuple(sorted(set(mentor_stages), key=order.__getitem__)),
        tuple(sorted(set(mentee_stages), key=order.__getitem__)),
        CROSS_DEPARTMENT in options,
        REVERSE_ORDER in options,
    ), {}


def may_take(rules: Mapping[str, Any] | None, stage_key: str | None, role: str) -> bool:
    """Whether a person of this career stage may enroll in this role."""
    return role in eligible_roles(rules, stage_key)


def status_problem(current: str, target: str) -> Problem | None:
    """Open: from draft or closed (reopening). Close: from anything not closed yet."""
    if target not in STATUSES:
        return Problem("unknown_choice")
    if current == target or (target == "open" and current == "running"):
        return Problem("already", {"status": current})
    return None


def next_text_version(versions: Iterable[int]) -> int:
    return max(versions, default=0) + 1


def skill_key_problem(key: str) -> Problem | None:
    return None if SKILL_KEY.match(key) else Problem("skill_key_format")


def skill_name_problem(name: str) -> Problem | None:
    if not name.strip():
        return Problem("required")
    if len(name) > MAX_NAME:
        return Problem("too_long", {"n": MAX_NAME})
    return None


@dataclass(frozen=True)
class SkillGap:
    skill: str
    wanted: int  # how many enrolled people want to learn it
    offered: int  # how many enrolled people can teach it

    @property
    def gap(self) -> int:
        return self.wanted - self.offered


def skills_gap(wanted: Iterable[str], offered: Iterable[str], *, limit: int = 5) -> list[SkillGap]:
    """Skills most wanted and least offered first: whom the program should recruit."""
    want, have = Counter(wanted), Counter(offered)
    gaps = [SkillGap(skill, want[skill], have[skill]) for skill in set(want) | set(have)]
    gaps.sort(key=lambda g: (-g.gap, -g.wanted, g.skill))
    return gaps[:limit]
