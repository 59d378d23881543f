"""A program's report, computed from plain facts (storage gathers them; no database here).

Counts of people (enrolled, matched) are shown as they are in the totals and as "< 5" in a
breakdown cell under the threshold. Every figure computed from people's answers (ratings,
NPS, skill progress, goal status, response rates, the time to a first session held) stands
on its own batches of answers (``privacy.batches``) and is hidden under the threshold of
people who answered; testimonials need the higher ``comments`` threshold. A breakdown
hides, column by column, the small cells and the next-smallest (``privacy.suppress``).

In a breakdown, an answer figure's cell stands on the batches of that cell's own answers,
not the program's: a program-wide batch of five new people may bring four to one group and
one to another, and that one answer would then show by difference in its group. A cell
moves only once ``answers`` new people *of that cell* answered (the totals keep the
program's batches; averages and rates need not add up across cells). Counts of people do
not come from answers and are the same either way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median
from typing import Literal

from bot.domain.reports.facts import (
    NOT_STATED,
    FeedbackFact,
    GoalCheckFact,
    Period,
    ProgramFacts,
)
from bot.domain.reports.privacy import (
    Answer,
    Basis,
    Hidden,
    Refusal,
    Thresholds,
    batches,
    breakdown_refusal,
    remainder_refusal,
    suppress,
)

BREAKDOWNS = ("department", "stage", "location", "role")

Source = Literal["people", "answers", "comments", "activity"]
Kind = Literal["count", "share", "mean", "score", "days"]


@dataclass(frozen=True)
class FigureSpec:
    key: str
    kind: Kind
    source: Source
    per_group: bool  # shown in a breakdown


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("enrolled", "count", "people", True),
    FigureSpec("matched", "count", "people", True),
    FigureSpec("proposals_sent", "count", "activity", False),
    FigureSpec("proposals_accepted", "count", "activity", False),
    FigureSpec("days_to_first_session", "days", "answers", False),
    FigureSpec("sessions_planned", "count", "activity", False),
    FigureSpec("sessions_held", "count", "activity", False),
    FigureSpec("feedback_response_rate", "share", "answers", True),
    FigureSpec("pulse_response_rate", "share", "answers", True),
    FigureSpec("average_rating", "mean", "answers", True),
    FigureSpec("nps", "score", "answers", True),
    FigureSpec("skill_before", "mean", "answers", True),
    FigureSpec("skill_after", "mean", "answers", True),
    FigureSpec("skill_retrospective", "mean", "answers", True),
    FigureSpec("goals_done", "share", "answers", True),
    FigureSpec("testimonials", "count", "comments", False),
    FigureSpec("at_risk_pairs", "count", "activity", False),
    FigureSpec("unreachable", "count", "activity", False),
)
SPECS = {f.key: f for f in FIGURES}
# Sessions that were due: planned ones whose time has passed, and what became of them.
DUE_STATUSES = ("planned", "held", "missed", "skipped", "disputed")


# -- the report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    value: float | None  # None: nothing to show (hidden, or no answer at all)
    people: int  # the people it stands on (respondents, or the people counted)
    hidden: Hidden | None = None


@dataclass(frozen=True)
class Report:
    thresholds: Thresholds
    period: Period
    by: str | None = None
    groups: tuple[str, ...] = ()
    totals: Mapping[str, Cell] = field(default_factory=dict)
    cells: Mapping[tuple[str, str], Cell] = field(default_factory=dict)  # (figure, group)
    quotes: tuple[str, ...] = ()
    answers_until: datetime | None = None  # when the latest batch of answers closed
    refusal: Refusal | None = None

    def cell(self, figure: str, group: str | None = None) -> Cell:
        return self.totals[figure] if group is None else self.cells[(figure, group)]


Measure = Callable[[Callable[[str], bool]], tuple[float | None, int]]


def _everyone(_: str) -> bool:
    return True


class _Figures:
    """Each figure as a function of "whose answers count" (everyone, or one group), over
    the batches of the answers of ``batched`` (everyone's, or one group's)."""

    def __init__(self, facts: ProgramFacts, thresholds: Thresholds, period: Period,
                 batched: Callable[[str], bool] = _everyone) -> None:  # fmt: skip
        self.facts, self.t, self.period = facts, thresholds, period
        self.people = [p for p in facts.people if period.whole or period.holds(p.enrolled_at)]
        self.baseline = {p.person_id: p.baseline for p in facts.people}
        closes: list[datetime] = []

        def kept(answers: Iterable[Answer]) -> dict[int, datetime]:
            closed = batches(answers, thresholds.answers)
            mine = {ref: at for ref, at in closed.items() if period.whole or period.holds(at)}
            closes.extend(mine.values())
            return mine

        rows = [f for f in facts.feedback if batched(f.person_id)]
        self.ratings = self._kept(
            rows, kept, lambda f: f.kind == "session" and f.rating is not None
        )
        self.nps_rows = self._kept(rows, kept, lambda f: f.kind == "closing" and f.nps is not None)
        self.skills = self._kept(rows, kept, lambda f: f.kind == "closing" and bool(f.skill_levels))
        self.quotes = self._kept(rows, kept, lambda f: f.kind == "closing" and bool(f.quote))
        answered = kept(Answer(f.person_id, f.at, f.ref) for f in rows if f.kind != "pulse")
        self.answered = {f.ref: f for f in rows if f.ref in answered}
        self.feedback_until = max(answered.values(), default=None)
        pulses = kept(Answer(f.person_id, f.at, f.ref) for f in rows if f.kind == "pulse")
        self.pulses = {f.ref: f for f in rows if f.ref in pulses}
        self.pulse_until = max(pulses.values(), default=None)
        checks = [g for g in facts.goal_checks if batched(g.person_id)]
        goals = kept(Answer(g.person_id, g.at, g.ref) for g in checks)
        self.goal_checks = [g for g in checks if g.ref in goals]
        self.until = max(closes, default=None)

    @staticmethod
    def _kept(rows: Sequence[FeedbackFact], kept: Callable[[Iterable[Answer]], dict[int, datetime]],
              which: Callable[[FeedbackFact], bool]) -> list[FeedbackFact]:  # fmt: skip
        chosen = [f for f in rows if which(f)]
        closed = kept(Answer(f.person_id, f.at, f.ref) for f in chosen)
        return [f for f in chosen if f.ref in closed]

    def measure(self, key: str) -> Measure:
        return getattr(self, key)  # type: ignore[no-any-return]

    # Each returns (value, people it stands on) for the people ``mine`` accepts.

    def enrolled(self, mine: Callable[[str], bool]) -> tuple[float | None, int]:
        n = sum(1 for p in self.people if mine(p.person_id))
        return float(n), n

    def matched(self, mine: Callable[[str], bool]) -> tuple[float | None, int]:
        n = sum(1 for p in self.facts.people if mine(p.person_id) and self._in(p.matched_at))
        return float(n), n

    def _in(self, at: datetime | None) -> bool:
        return at is not None and (self.period.whole or self.period.holds(at))

    def proposals_sent(self, mine: Callable[[str], bool]) -> tuple[float | None, int]:
        n = sum(1 for status, at in self.facts.proposals if at is not None and self._in(at))
        return float(n), n

    def proposals_accepted(self, mine: Callable[[str], bool]) -> tuple[float | None, int]:
        n = sum(1 for s, at in self.facts.proposals if s == "accepted" and self._in(at))
        return float(n), n

    def _due(self) -> list[str]:
        return [
            status
            for status, at in self.facts.sessions
            if status in DUE_STATUSES and at <= self.facts.now and self._in(at)
        ]

    def sessions_planned(self, mine: Callable[[str], bool]) -> tuple[float | None, int]:
        n = len(self._due())
        return float(n), n

    def sessions_held(self, mine: Callable[[str], bool]) -> tuple[float | None, int]:
        n = self._due().count("held")
        return float(n), n

    def days_to_first_session(self, mine: Callable[[str], bool]) -> tuple[float | None, int]:
        days = [
            (p.first_held_at - p.started_at).total_seconds() / 86400
            for p in self.facts.pairs
            if p.first_held_at is not None and self._in(p.started_at)
        ]
        return (float(median(days)) if days else None), len(days)

    def _rate(
        self,
        kinds: tuple[str, ...],
        answered: Mapping[int, FeedbackFact],
        until: datetime | None,
        mine: Callable[[str], bool],
    ) -> tuple[float | None, int]:
        if until is None:
            return None, 0
        asked = [
            r for r in self.facts.requests
            if r.kind in kinds and mine(r.person_id) and r.asked_at <= until
            and (self.period.start is None or r.asked_at >= self.period.start)
        ]  # fmt: skip
        done = [r for r in asked if r.answer_ref in answered]
        people = len({r.person_id for r in done})
        return (len(done) / len(asked) if asked else None), people

    def feedback_response_rate(self, mine: Callable[[str], bool]) -> tuple[float | None, int]:
        kinds = ("session", "midpoint", "closing")
        return self._rate(kinds, self.answered, self.feedback_until, mine)

    def pulse_response_rate(self, mine: Callable[[str], bool]) -> tuple[float | None, int]:
        return self._rate(("pulse",), self.pulses, self.pulse_until, mine)

    @staticmethod
    def _mean(values: list[tuple[str, float]]) -> tuple[float | None, int]:
        if not values:
            return None, 0
        return sum(v for _, v in values) / len(values), len({p for p, _ in values})

    def average_rating(self, mine: Callable[[str], bool]) -> tuple[float | None, int]:
        return self._mean([(f.person_id, float(f.rating or 0)) for f in self.ratings
                           if mine(f.person_id)])  # fmt: skip

    def nps(self, mine: Callable[[str], bool]) -> tuple[float | None, int]:
        scores = [f for f in self.nps_rows if mine(f.person_id)]
        if not scores:
            return None, 0
        promoters = sum(1 for f in scores if (f.nps or 0) >= 9)
        detractors = sum(1 for f in scores if (f.nps or 0) <= 6)
        return 100 * (promoters - detractors) / len(scores), len({f.person_id for f in scores})

    def _levels(self, mine: Callable[[str], bool], which: str) -> tuple[float | None, int]:
        values: list[tuple[str, float]] = []
        for f in self.skills:
            if not mine(f.person_id):
                continue
            for skill, level in f.skill_levels.items():
                if which == "after":
                    values.append((f.person_id, float(level)))
                elif which == "before" and skill in self.baseline.get(f.person_id, {}):
                    values.append((f.person_id, float(self.baseline[f.person_id][skill])))
                elif which == "retrospective" and skill in f.retrospective:
                    values.append((f.person_id, float(f.retrospective[skill])))
        return self._mean(values)

    def skill_before(self, mine: Callable[[str], bool]) -> tuple[float | None, int]:
        return self._levels(mine, "before")

    def skill_after(self, mine: Callable[[str], bool]) -> tuple[float | None, int]:
        return self._levels(mine, "after")

    def skill_retrospective(self, mine: Callable[[str], bool]) -> tuple[float | None, int]:
        return self._levels(mine, "retrospective")

    def goals_done(self, mine: Callable[[str], bool]) -> tuple[float | None, int]:
        latest: dict[tuple[str, int], GoalCheckFact] = {}
        for g in sorted(self.goal_checks, key=lambda g: (g.at, g.ref)):
            if mine(g.person_id):
                latest[(g.person_id, g.goal_id)] = g
        if not latest:
            return None, 0
        done = sum(1 for g in latest.values() if g.done)
        return done / len(latest), len({p for p, _ in latest})

    def testimonials(self, mine: Callable[[str], bool]) -> tuple[float | None, int]:
        n = len({f.person_id for f in self.quotes if mine(f.person_id)})
        return float(n), n

    def at_risk_pairs(self, mine: Callable[[str], bool]) -> tuple[float | None, int]:
        n = sum(1 for p in self.facts.pairs if p.active and p.at_risk)
        return float(n), n

    def unreachable(self, mine: Callable[[str], bool]) -> tuple[float | None, int]:
        n = sum(1 for p in self.people if p.unreachable and mine(p.person_id))
        return float(n), n


def _limit(spec: FigureSpec, t: Thresholds, *, in_cell: bool) -> int | None:
    """The fewest people a cell of this figure may stand on (None: no limit)."""
    if spec.source == "answers":
        return t.answers
    if spec.source == "comments":
        return t.comments
    if spec.source == "people" and in_cell:
        return t.people
    return None


def _primary(spec: FigureSpec, t: Thresholds, people: int, *, in_cell: bool) -> bool:
    limit = _limit(spec, t, in_cell=in_cell)
    if limit is None:
        return False
    if spec.source == "people":
        return 0 < people < limit  # nobody in a group is no one to single out
    return people < limit


def _member(group_of: Mapping[str, str], group: str) -> Callable[[str], bool]:
    return lambda person_id: group_of.get(person_id, NOT_STATED) == group


def build_report(
    facts: ProgramFacts,
    thresholds: Thresholds,
    *,
    period: Period | None = None,
    by: str | None = None,
) -> Report:
    """The report of a program over a period, with one breakdown at most, every hidden cell
    decided here (the chat card, the text and the CSV only put it into words)."""
    period = period or Period()
    if by is not None and by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}")
    figures = _Figures(facts, thresholds, period)
    if not period.whole:
        refusal = remainder_refusal(len(facts.people), len(figures.people), thresholds.people)
        if refusal is not None:
            return Report(thresholds, period, by, refusal=refusal)

    totals: dict[str, Cell] = {}
    for spec in FIGURES:
        value, people = figures.measure(spec.key)(_everyone)
        hidden: Hidden | None = "few" if _primary(spec, thresholds, people, in_cell=False) else None
        totals[spec.key] = Cell(None if hidden else value, people, hidden)
    quotes = tuple(sorted(f.quote or "" for f in figures.quotes))
    if totals["testimonials"].hidden:
        quotes = ()
    if by is None:
        return Report(thresholds, period, None, (), totals, {}, quotes, figures.until)

    group_of = {p.person_id: p.groups.get(by, NOT_STATED) for p in facts.people}
    # Every group of the program, even one with nobody enrolled in the period: the cells
    # then add up to the total, so the total minus them gives nobody back.
    groups = tuple(sorted(set(group_of.values()),
                          key=lambda g: (g == NOT_STATED, g.casefold())))  # fmt: skip
    # The rule of the cells: an answer figure stands on its own group's batches (see above).
    own = {g: _Figures(facts, thresholds, period, _member(group_of, g)) for g in groups}

    def in_cell(spec: FigureSpec, group: str) -> tuple[float | None, int, int]:
        """(value, people it stands on, people of the group the total stands on)."""
        mine = _member(group_of, group)
        value, in_total = figures.measure(spec.key)(mine)
        if spec.source in ("answers", "comments"):
            value, people = own[group].measure(spec.key)(mine)
            return value, people, in_total
        return value, in_total, in_total

    cells: dict[tuple[str, str], Cell] = {}
    for spec in (s for s in FIGURES if s.per_group):
        limit = _limit(spec, thresholds, in_cell=True) or 0
        raw = {g: in_cell(spec, g) for g in groups}
        # A cell is hidden on its own people; the next-smallest ones are weighed by what
        # the total holds of them, which is what the total minus the visible cells gives.
        hidden_cells = suppress(
            [Basis(g, in_total, _primary(spec, thresholds, people, in_cell=True))
             for g, (_, people, in_total) in raw.items()],
            limit,
        )  # fmt: skip
        if spec.key == "enrolled":
            refusal = breakdown_refusal(hidden_cells, groups, thresholds.people)
            if refusal is not None:
                return Report(thresholds, period, by, refusal=refusal)
        for g, (value, people, _) in raw.items():
            why = hidden_cells.get(g)
            cells[(spec.key, g)] = Cell(None if why else value, people, why)
    return Report(thresholds, period, by, groups, totals, cells, quotes, figures.until)
