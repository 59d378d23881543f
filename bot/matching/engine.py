"""``propose_pairings``: the whole matching run, from arrays to explained proposals."""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np

from bot.matching.candidates import CandidateSpace
from bot.matching.certificate import component_bounds
from bot.matching.constraints import (
    ChainIndex,
    PairIndex,
    chain_index,
    eligible_rows,
    explicit_forbidden,
)
from bot.matching.pins import check_pins
from bot.matching.population import BoolArray, IntArray, Population, Rules, Weights
from bot.matching.reasons import Reason, pair_reasons, recruiting_hints, unmatched_reasons
from bot.matching.score import COMPONENTS, SCALE, ExactScorer, max_score
from bot.matching.solver import lexicographic_big
from bot.matching.widening import solve_and_certify


@dataclass(frozen=True)
class ProposedPair:
    mentor_id: str
    mentee_id: str
    mentor_row: int  # row in Population.mentors
    mentee_row: int  # row in Population.mentees
    score: float  # weighted sum, in [0, sum of weights]
    components: dict[str, float]  # each in [0, 1]
    reasons: list[Reason]
    pinned: bool = False


@dataclass(frozen=True)
class UnmatchedMentee:
    mentee_id: str
    mentee_row: int
    reasons: list[Reason]


@dataclass(frozen=True)
class Optimality:
    status: str  # "optimal" (over all pairs) | "gap" (proven bound below)
    gap: int  # objective units: big per served mentee + SCALE per score point
    gap_score: float  # the gap in score points when it cannot buy one more served mentee
    served_upper_bound: int
    rounds: int
    added_edges: int
    rows_checked: int


@dataclass(frozen=True)
class MatchStats:
    mentors: int
    mentees: int
    eligible_mentors: int
    eligible_mentees: int
    capacity: int
    served: int
    pinned: int
    average_score: float
    total_score: float
    candidate_edges: int
    k: int
    optimality: Optimality
    timings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class MatchResult:
    pairs: list[ProposedPair]
    unmatched: list[UnmatchedMentee]
    hints: list[Reason]
    warnings: list[Reason]  # e.g. {"code": "management_cycle", "people": [...]}
    stats: MatchStats


def propose_pairings(
    population: Population,
    rules: Rules | None = None,
    weights: Weights | None = None,
    *,
    k: int = 20,
    mentor_k: int = 12,
    max_rounds: int = 8,
    gap_tolerance: float = 0.0,
    explain: bool = True,
) -> MatchResult:
    """Pair mentees with mentors: most served first, then the best total score.

    Deterministic for the same input. The ``k`` best mentors of each mentee and the
    ``mentor_k`` best mentees of each mentor are solved exactly, then certified against all
    pairs (``widening``: rescanning by reduced score and re-solving where a pruned pair could
    still help). With ``gap_tolerance`` (a share of the total score, e.g. 0.001) widening
    stops once the proven gap is that small and no more mentees could be served; the result
    then says "gap" with the proven bound instead of "optimal".
    """
    rules = rules or Rules()
    weights = weights or Weights()
    pop = population
    timings: dict[str, float] = {}
    start = time.perf_counter()
    chain = chain_index(pop.org)
    forbidden = explicit_forbidden(pop, chain)
    warnings: list[Reason] = [{"code": "management_cycle", "people": list(c)} for c in chain.cycles]
    pins, pin_rows, solve_pop = _apply_pins(pop, rules, chain, forbidden, warnings)
    timings["prepare"] = time.perf_counter() - start

    tick = time.perf_counter()
    space = CandidateSpace(solve_pop, rules, weights, chain, forbidden)
    cands = space.top_k(k, mentor_k=mentor_k)
    exact = ExactScorer(pop, rules, weights)
    per_component = component_bounds(
        solve_pop, weights, space.scorer, space.mentee_rows, space.mentor_rows
    )
    timings["candidates"] = time.perf_counter() - tick

    tick = time.perf_counter()
    best = max_score(weights)
    done = solve_and_certify(
        space,
        exact,
        cands,
        per_component,
        solve_pop.mentors.capacity,
        best + 1,
        lexicographic_big(space.mentee_count, best),
        k,
        max_rounds,
        gap_tolerance,
    )
    mentee, mentor, used, big, gap = done.mentee, done.mentor, done.used, done.big, done.gap
    timings["solve"] = done.solve_seconds
    timings["certify"] = time.perf_counter() - tick - done.solve_seconds

    tick = time.perf_counter()
    got_j = np.concatenate([mentee[used], pin_rows[:, 1]]).astype(np.int64)
    got_i = np.concatenate([mentor[used], pin_rows[:, 0]]).astype(np.int64)
    pinned = np.r_[np.zeros(int(used.sum()), dtype=np.bool_), np.ones(len(pins), dtype=np.bool_)]
    pairs = _pairs(exact, got_j, got_i, pinned, pins, explain)
    served_rows = set(got_j.tolist())
    all_mentees, all_mentors = eligible_rows(pop)
    left = np.array([r for r in all_mentees.tolist() if r not in served_rows], dtype=np.int64)
    unmatched = [
        UnmatchedMentee(
            pop.org.person_ids[int(pop.mentees.person[r])],
            int(r),
            unmatched_reasons(pop, rules, chain, forbidden, all_mentors, int(r)) if explain else [],
        )
        for r in left.tolist()
    ]
    hints = recruiting_hints(pop, left, all_mentors)
    timings["explain"] = time.perf_counter() - tick
    timings["total"] = time.perf_counter() - start

    solved_served = int(used.sum())
    total = float(sum(p.score for p in pairs))
    optimality = Optimality(
        status="optimal" if gap == 0 else "gap",
        gap=gap,
        # with the small big every mentee who could be served is: the gap is all score
        gap_score=((gap % big) if done.lexicographic else gap) / SCALE,
        served_upper_bound=solved_served + len(pins) + (gap // big if done.lexicographic else 0),
        rounds=done.rounds,
        added_edges=done.added_edges,
        rows_checked=done.rows_checked,
    )
    stats = MatchStats(
        mentors=pop.mentors.size,
        mentees=pop.mentees.size,
        eligible_mentors=int(all_mentors.size),
        eligible_mentees=int(all_mentees.size),
        capacity=int(pop.mentors.capacity[all_mentors].sum()),
        served=len(pairs),
        pinned=len(pins),
        average_score=total / len(pairs) if pairs else 0.0,
        total_score=total,
        candidate_edges=int(mentee.size),
        k=k,
        optimality=optimality,
        timings=timings,
    )
    return MatchResult(pairs, unmatched, hints, warnings, stats)


def _apply_pins(
    pop: Population,
    rules: Rules,
    chain: ChainIndex,
    forbidden: PairIndex,
    warnings: list[Reason],
) -> tuple[list[list[Reason]], IntArray, Population]:
    """Pins are preferences: one that breaks a hard rule or finds no room is dropped, with
    a warning that says why (``bot.matching.pins``); the others are kept as the admin set them.

    Returns per-pin flags, (mentor row, mentee row) per kept pin, and the population the
    solver sees: pinned mentees taken out, pinned mentors' capacity reduced.
    """
    check = check_pins(pop, rules, chain, forbidden)
    warnings.extend(check.dropped)
    flags: list[list[Reason]] = [[{"code": "pinned"}] for _ in check.kept]
    pin_rows = np.array(check.kept, dtype=np.int64).reshape(-1, 2)
    active = pop.mentees.active.copy()
    active[pin_rows[:, 1]] = False
    capacity = pop.mentors.capacity.copy()
    np.subtract.at(capacity, pin_rows[:, 0], 1)
    solve_pop = replace(
        pop,
        mentees=replace(pop.mentees, active=active),
        mentors=replace(pop.mentors, capacity=capacity),
    )
    return flags, pin_rows, solve_pop


def explain_pairs(
    pop: Population, rules: Rules, weights: Weights, pairs: list[tuple[int, int]]
) -> list[ProposedPair]:
    """Score and explain given (mentor row, mentee row) pairs as the solver's own pairs are
    (an admin's edit is re-scored and re-explained like any other pair), in the given order."""
    exact = ExactScorer(pop, rules, weights)
    i = np.array([p[0] for p in pairs], dtype=np.int64)
    j = np.array([p[1] for p in pairs], dtype=np.int64)
    done = _pairs(exact, j, i, np.zeros(len(pairs), dtype=np.bool_), [], True)
    by_rows = {(p.mentor_row, p.mentee_row): p for p in done}
    return [by_rows[pair] for pair in pairs]


def _pairs(
    exact: ExactScorer,
    j: IntArray,
    i: IntArray,
    pinned: BoolArray,
    pin_flags: list[list[Reason]],
    explain: bool,
) -> list[ProposedPair]:
    pop, rules, weights = exact.pop, exact.rules, exact.weights
    comps = exact.components(j, i)
    # the integer units the solver maximised, so the shown scores add up to its objective
    units = np.rint(comps @ weights.as_array() * SCALE).astype(np.int64)
    reasons = (
        pair_reasons(pop, rules, weights, j, i, comps, exact.minutes(j, i))
        if explain
        else [[] for _ in j]
    )
    ids = pop.org.person_ids
    mentor_ids = [ids[p] for p in pop.mentors.person[i].tolist()]
    mentee_ids = [ids[p] for p in pop.mentees.person[j].tolist()]
    rows = zip(
        mentor_ids,
        mentee_ids,
        i.tolist(),
        j.tolist(),
        units.tolist(),
        comps.tolist(),
        reasons,
        pinned.tolist(),
        strict=True,
    )
    out = []
    pin_at = 0
    for mentor_id, mentee_id, ir, jr, unit, comp, why, pin in rows:
        extra: list[Reason] = []
        if pin:
            extra = pin_flags[pin_at]
            pin_at += 1
        out.append(
            ProposedPair(
                mentor_id=mentor_id,
                mentee_id=mentee_id,
                mentor_row=ir,
                mentee_row=jr,
                score=unit / SCALE,
                components={c: round(x, 3) for c, x in zip(COMPONENTS, comp, strict=True)},
                reasons=extra + why,
                pinned=pin,
            )
        )
    out.sort(key=lambda p: (p.mentee_row, p.mentor_row))
    return out
