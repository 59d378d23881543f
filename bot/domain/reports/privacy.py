"""What a report may show without singling anyone out.

Four rules, each pure:

- **Thresholds** (``Thresholds``): a figure computed from people's answers needs at least
  ``answers`` people who answered (5); comments and testimonials need ``comments`` (10); a
  count of people in a breakdown cell below ``people`` (5) shows as "< 5". A program may
  raise them (``Program.rules["report_privacy"]``), never lower them below the defaults.
- **Suppression** (``suppress``): a cell under its threshold is hidden; then, while the
  hidden cells of a column are a single cell or together count fewer than the threshold,
  the next-smallest visible cell is hidden too, so that subtracting the visible cells from
  the total never gives a small group back.
- **Refusal** (``remainder_refusal``): a filter (a period, a breakdown) that would leave
  out between 1 and threshold-1 people is refused, with the reason: comparing it with the
  whole program would single them out.
- **Batches** (``batches``): answers enter the figures in batches, each closed once at
  least ``answers`` *new* people answered, so that running a report before and after one
  more answer shows the same figures. The cut is computed from the answers' timestamps
  (nothing stored): the same answers always give the same batches, and a raised
  threshold merges batches rather than cutting them anew. A breakdown's cell is batched
  over its own group's answers (``figures.build_report``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any, Literal

RULES_KEY = "report_privacy"  # Program.rules[RULES_KEY] = {"answers": 8, ...}

Hidden = Literal["few", "secondary"]


@dataclass(frozen=True)
class Thresholds:
    answers: int = 5  # people who answered, for any figure computed from answers
    comments: int = 10  # people who wrote, for comments and testimonials
    people: int = 5  # people counted in a breakdown cell

    @classmethod
    def of(cls, rules: Mapping[str, Any] | None) -> Thresholds:
        """The program's thresholds: stored values only count where they are higher."""
        stored = (rules or {}).get(RULES_KEY) or {}
        values = {}
        for f in fields(cls):
            default = getattr(cls(), f.name)
            given = stored.get(f.name) if isinstance(stored, Mapping) else None
            ok = isinstance(given, int) and not isinstance(given, bool)
            values[f.name] = max(default, given) if ok else default
        return cls(**values)

    def raised(self, **changes: int) -> Thresholds:
        """These thresholds with some raised; lowering one (or an unknown name) is refused."""
        known = {f.name for f in fields(self)}
        for name, value in changes.items():
            if name not in known:
                raise ThresholdRefused(name, "unknown")
            if value < getattr(self, name):
                raise ThresholdRefused(name, "lower")
        return replace(self, **changes)

    def stored(self) -> dict[str, int]:
        """What ``Program.rules[RULES_KEY]`` keeps: the values above the defaults."""
        default = Thresholds()
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if getattr(self, f.name) != getattr(default, f.name)
        }


class ThresholdRefused(ValueError):
    def __init__(self, name: str, why: Literal["lower", "unknown"]) -> None:
        super().__init__(f"threshold {name!r}: {why}")
        self.name, self.why = name, why


@dataclass(frozen=True)
class Basis:
    """One cell of a column, before suppression: how many people it stands on."""

    group: str
    people: int  # respondents for an answer figure, the people counted for a count
    primary: bool  # under its own threshold


def suppress(cells: Sequence[Basis], threshold: int) -> dict[str, Hidden]:
    """Which cells of one column to hide, and why (cells not named are shown).

    Primary cells are hidden as ``few``. Then, as long as the hidden cells are one cell,
    or stand together on fewer than ``threshold`` people, the visible cell on the fewest
    people (ties: by group name) is hidden as ``secondary``: the total minus the visible
    cells then gives back only a group of at least ``threshold`` people, spread over at
    least two cells. When no cell is primary nothing is hidden.
    """
    hidden: dict[str, Hidden] = {c.group: "few" for c in cells if c.primary}
    if not hidden:
        return hidden
    visible = sorted((c for c in cells if c.group not in hidden), key=lambda c: (c.people, c.group))
    weight = sum(c.people for c in cells if c.group in hidden)
    while visible and (len(hidden) < 2 or weight < threshold):
        cell = visible.pop(0)
        hidden[cell.group] = "secondary"
        weight += cell.people
    return hidden


@dataclass(frozen=True)
class Refusal:
    """Why a report cannot be cut this way."""

    reason: Literal["small_remainder", "groups_too_small"]
    threshold: int
    left_out: int = 0  # how many people the filter would leave out (small_remainder)


def remainder_refusal(everyone: int, kept: int, threshold: int) -> Refusal | None:
    """A filter keeping ``kept`` of ``everyone`` people: refused when the people it leaves
    out are at least one and fewer than ``threshold`` (the whole-program report minus this
    one would be about them)."""
    left_out = everyone - kept
    if 0 < left_out < threshold:
        return Refusal("small_remainder", threshold, left_out)
    return None


def breakdown_refusal(hidden: Mapping[str, Hidden], groups: Iterable[str], threshold: int
                      ) -> Refusal | None:  # fmt: skip
    """A breakdown whose people column would hide every group says nothing the total does
    not, while showing how the people are spread: refused."""
    names = list(groups)
    if len(names) > 1 and all(g in hidden for g in names):
        return Refusal("groups_too_small", threshold)
    return None


@dataclass(frozen=True)
class Answer:
    """One answer, as the batches see it: who, when (and an id to order equal instants)."""

    person_id: str
    at: datetime
    ref: int = 0


def batches(
    answers: Iterable[Answer], threshold: int, floor: int | None = None
) -> dict[int, datetime]:
    """The answers that have entered the figures: ``ref`` -> when its batch closed.

    Answers are read in the order they came (time, then ref). The cuts are made at the
    lowest threshold there is (``floor``, the default): a cut falls at the answer that
    brings the number of distinct people who answered since the last cut to ``floor``.
    A batch is then as many of those pieces, in a row, as hold at least ``threshold``
    distinct people; the answers after the last batch wait for the next one.

    So a report run twice over the same answers shows the same figures, one more answer
    changes nothing until enough others join it, and raising a program's threshold only
    merges pieces (it never cuts between two answers that a lower threshold kept together,
    which would give a few answers away by difference).
    """
    floor = min(threshold, Thresholds().answers if floor is None else floor)
    pieces: list[tuple[list[Answer], set[str]]] = []
    pending: list[Answer] = []
    people: set[str] = set()
    for answer in sorted(answers, key=lambda a: (a.at, a.ref)):
        pending.append(answer)
        people.add(answer.person_id)
        if len(people) >= floor:
            pieces.append((pending, people))
            pending, people = [], set()
    closed: dict[int, datetime] = {}
    held: list[Answer] = []
    who: set[str] = set()
    for piece, persons in pieces:
        held += piece
        who |= persons
        if len(who) >= threshold:
            for waiting in held:
                closed[waiting.ref] = piece[-1].at
            held, who = [], set()
    return closed


def in_period(closed_at: datetime, start: datetime | None, end: datetime | None) -> bool:
    """A batch belongs to a period when it closed within it (start included, end not):
    two periods then differ by whole batches, never by a single answer."""
    return (start is None or closed_at >= start) and (end is None or closed_at < end)
