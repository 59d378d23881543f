"""Solve the candidate graph, then widen it until the optimum over *all* pairs is proven.

Each round takes the dual prices of the last solve (``certificate.duals``): u per mentee,
v per mentor. A pruned pair (j, i) can only improve the result if big + s_ji - v_i > u_j.
Every mentee carries an upper bound on s - v over its pruned pairs:

* from the first scan (plain scores): the (k+1)-th best score, capped by the per-component
  bound, minus the lowest price (prices are never negative);
* from its latest rescan at prices v_r: the (k+1)-th best *reduced* score s - v_r, plus the
  largest drop of any price since, max(v_r - v)+.

Mentees whose bound clears u_j are done without looking at their row again. The others are
rescanned by reduced score (so their lists follow congestion: mentors with room come first),
their k best reduced pairs join the graph, and it is solved again. The sum over mentees of
the largest possible violation is the proven gap; zero means optimal over all pairs.

Served mentees outweigh any score through ``big``. A small big (one more than the best pair
score) keeps the costs short and the flow solver about twice as fast; it is kept only while
every mentee that has any feasible mentor is served, as then no matching serves more and the
small big ranks equal-sized matchings by score alone. Widening runs with the small big (a
graph too thin to serve everyone gets its edges that way); if the result still leaves such a
mentee unserved, the full lexicographic big is set and the result certified again with it.

The flow solver cannot start from the last solution, so re-solves are made smaller instead:
known edges more than ``PRUNE`` below their duals (prices move little between rounds) sit
out the next solve. They stay candidates: every round checks each of them against the new
duals, wakes those that would now improve the result, and counts them in the gap.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from bot.matching.candidates import (
    BLOCK_CELLS,
    PRICE_CAP,
    Candidates,
    CandidateSpace,
    at_least,
    in_two,
)
from bot.matching.certificate import FLOAT_SLACK, dual_by_row, duals
from bot.matching.population import BoolArray, FloatArray, IntArray
from bot.matching.score import INFEASIBLE, SCALE, ExactScorer
from bot.matching.solver import FlowGraph, edge_order
from bot.matching.solver import solve_pairs as _solve_pairs

SHARP = 256  # mentors per rescan whose price drop is checked pair by pair, at least
CUTS = (SHARP, 1024, 4096, 16384)  # cut sizes tried, smallest first
NONE = np.iinfo(np.int64).min // 4  # "no pruned pair" in bound units
PRUNE = SCALE // 2  # edges this far below their duals sit out the next solve


@dataclass(frozen=True)
class Widened:
    mentee: IntArray  # final candidate graph, global rows
    mentor: IntArray
    score: IntArray
    used: BoolArray  # edges in the optimal solution
    big: int
    lexicographic: bool  # big is the full lexicographic weight (some mentee left unserved)
    gap: int
    rounds: int
    added_edges: int
    rows_checked: int
    solve_seconds: float  # in the flow solver, all rounds (the rest is certification)


def _units(bound: FloatArray, slack: float) -> IntArray:
    units = np.ceil((bound + slack) * SCALE)
    return np.where(np.isfinite(bound), units, NONE).astype(np.int64)


def solve_and_certify(
    space: CandidateSpace,
    exact: ExactScorer,
    cands: Candidates,
    per_component: FloatArray,
    capacity: IntArray,
    small_big: int,
    full_big: int,
    k: int,
    max_rounds: int,
    tolerance: float = 0.0,
) -> Widened:
    mentee, mentor = cands.mentee, cands.mentor
    score = exact.scores(mentee, mentor)
    clock = [0.0]

    def solve_pairs(*args: Any) -> tuple[FlowGraph, BoolArray]:
        tick = time.perf_counter()
        out = _solve_pairs(*args)
        clock[0] += time.perf_counter() - tick
        return out

    reachable = int(np.unique(mentee).size)  # a mentee without candidates has no feasible mentor
    room = int(capacity[space.mentor_rows].sum())
    big = small_big if room >= reachable else full_big
    active = np.ones(mentee.size, dtype=np.bool_)

    def solve() -> tuple[FlowGraph, BoolArray, BoolArray]:
        """Solve the active edges: the graph, its used edges, and the used known edges."""
        at = np.flatnonzero(active)
        graph, used_at = solve_pairs(mentee[at], mentor[at], score[at], capacity, big)
        used = np.zeros(mentee.size, dtype=np.bool_)
        used[at[used_at]] = True
        return graph, used_at, used

    graph, used_graph, used = solve()
    base = _units(np.minimum(cands.bound, per_component), FLOAT_SLACK)
    latest = np.full(space.mentee_count, NONE, dtype=np.int64)
    latest_ref = np.full(space.mentee_count, -1, dtype=np.int64)
    refs: list[IntArray] = []
    n_rows = exact.pop.mentors.size
    rounds = added = checked = 0
    while True:
        u_row, v_row = dual_by_row(graph, duals(graph, used_graph), exact.pop.mentees.size, n_rows)
        u = u_row[space.mentee_rows]
        v = v_row[space.mentor_rows]
        # Known edges left out of the last solve are checked one by one.
        value = big + score - u_row[mentee] - v_row[mentor]
        wake = ~active & (value > 0)
        per_row = np.zeros(exact.pop.mentees.size, dtype=np.int64)
        np.maximum.at(per_row, mentee[wake], value[wake])
        doubt = _doubtful(space, exact, (mentee, mentor), big, u, v, base, latest, latest_ref, refs)
        gap = int(per_row.sum())
        new_j, new_i = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        new_s = np.zeros(0, dtype=np.int64)
        if doubt.size:
            new_j, new_i, new_s, checked = _widen_rows(
                space,
                exact,
                doubt,
                (mentee, mentor),
                big,
                u_row,
                v_row,
                k,
                per_row,
                latest,
                latest_ref,
                refs,
                checked,
            )
            rows = space.mentee_rows[doubt]
            worst = np.maximum(big + latest[doubt] - u[doubt], per_row[rows])
            gap = int(worst.sum()) + int(per_row.sum() - per_row[rows].sum())
        # A proven gap within the tolerance ends the widening (it is reported as it is).
        allowed = int(tolerance * float(score[used].sum()))
        close = gap <= allowed and (big != full_big or gap < big)
        stop = gap == 0 or close or rounds >= max_rounds or (new_j.size == 0 and not wake.any())
        switch = stop and big != full_big and int(used.sum()) < reachable
        if stop and not switch:
            break
        if switch:
            # The small big was a guess that every mentee with a feasible mentor is served;
            # it is not, so the result is certified again with the full lexicographic big.
            big = full_big
            keep = np.ones(mentee.size, dtype=np.bool_)
        else:
            rounds += 1
            # Edges far below their duals sit out the next solve (prices move little from
            # one round to the next); the next round checks them again, exactly.
            keep = wake | used | (value >= -PRUNE) | (u_row[mentee] == 0)
        added += int(new_j.size)
        mentee = np.concatenate([mentee, new_j])
        mentor = np.concatenate([mentor, new_i])
        score = np.concatenate([score, new_s])
        active = np.r_[keep, np.ones(new_j.size, dtype=np.bool_)]
        order = edge_order(mentee, mentor)
        mentee, mentor, score, active = mentee[order], mentor[order], score[order], active[order]
        graph, used_graph, used = solve()
    return Widened(
        mentee=mentee,
        mentor=mentor,
        score=score,
        used=used,
        big=big,
        lexicographic=big == full_big,
        gap=gap,
        rounds=rounds,
        added_edges=added,
        rows_checked=checked,
        solve_seconds=clock[0],
    )


def _widen_rows(
    space: CandidateSpace,
    exact: ExactScorer,
    doubt: IntArray,
    edges: tuple[IntArray, IntArray],
    big: int,
    u_row: IntArray,
    v_row: IntArray,
    k: int,
    per_row: IntArray,
    latest: IntArray,
    latest_ref: IntArray,
    refs: list[IntArray],
    checked: int,
) -> tuple[IntArray, IntArray, IntArray, int]:
    """Rescan the doubtful rows by reduced score: their k best reduced pairs that are not
    edges yet, their new bounds (``latest``), and each row's largest violation (``per_row``)."""
    mentee, mentor = edges
    n_rows = exact.pop.mentors.size
    u = u_row[space.mentee_rows]
    v = v_row[space.mentor_rows]
    # float32 loses about 2^-23 of the price's size: the bound carries that slack too
    slack = FLOAT_SLACK + float(v.max(initial=0)) / SCALE * 2.0**-20
    price = (v / SCALE).astype(np.float32)
    more = space.top_k(k, local=doubt, price=price)
    checked += int(doubt.size)
    latest[doubt] = _units(more.bound[doubt], slack)
    latest_ref[doubt] = len(refs)
    refs.append(np.minimum(v, int(PRICE_CAP * SCALE)))  # the price the scan ranked by
    fresh = _not_in(more.mentee, more.mentor, mentee, mentor, n_rows)
    new_j, new_i = more.mentee[fresh], more.mentor[fresh]
    new_s = exact.scores(new_j, new_i)
    excess = big + new_s - u_row[new_j] - v_row[new_i]
    np.maximum.at(per_row, new_j, np.maximum(excess, 0))
    row_worst = per_row[space.mentee_rows[doubt]]
    # No violation in the k best, yet the float bound cannot clear the row (ties at the
    # dual, or float slack): settle every pair within the slack exactly.
    unsure = doubt[(row_worst == 0) & (big + latest[doubt] > u[doubt])]
    if unsure.size:
        need = ((u[unsure] - big) / SCALE - slack).astype(np.float32)
        sj, si = at_least(space, unsure, price, need)
        checked += int(unsure.size)
        s_exact = exact.scores(sj, si)
        top = u_row[space.mentee_rows[unsure]] - big
        np.maximum.at(top, np.searchsorted(space.mentee_rows[unsure], sj), s_exact - v_row[si])
        # exact now, at the uncapped prices: every other pair is below u - big
        latest[unsure] = top
        latest_ref[unsure] = len(refs)
        refs.append(v)
        bad = (big + s_exact - v_row[si] - u_row[sj] > 0) & _not_in(sj, si, mentee, mentor, n_rows)
        new_j, new_i = np.r_[new_j, sj[bad]], np.r_[new_i, si[bad]]
        new_s = np.r_[new_s, s_exact[bad]]
    return new_j, new_i, new_s, checked


def _doubtful(
    space: CandidateSpace,
    exact: ExactScorer,
    edges: tuple[IntArray, IntArray],
    big: int,
    u: IntArray,
    v: IntArray,
    base: IntArray,
    latest: IntArray,
    latest_ref: IntArray,
    refs: list[IntArray],
) -> IntArray:
    """Eligible-local mentees for which some pruned pair might still beat the duals.

    A row last rescanned at prices v_r is bounded by its latest bound plus the price drop
    v_r - v. One large drop anywhere would make every such row doubtful, so each row is
    given a cut: the c mentors whose price dropped most (c in ``CUTS``, the smallest that
    works), checked against the row exactly, while the (c+1)-th largest drop is added to its
    bound over the other mentors. Rows whose own slack u - big - latest is negative, or
    would need a cut of more than a quarter of the mentors, are rescanned in full.
    """
    v_min = int(v.min(initial=0))
    bound = np.where(base > NONE, base - v_min, NONE)
    doubt = (bound > NONE) & (big + bound > u)  # what the first scan's bound leaves open
    flagged = np.zeros(space.mentee_count, dtype=np.bool_)
    for r, ref in enumerate(refs):
        rows = np.flatnonzero((latest_ref == r) & doubt)
        if rows.size == 0:
            continue
        known = latest[rows] > NONE  # a row whose rescan pruned nothing is settled
        doubt[rows[~known]] = False
        rows = rows[known]
        drop = ref - v
        by_drop = np.argsort(-drop, kind="stable")
        positive = int((drop > 0).sum())
        slack = u[rows] - big - latest[rows]
        todo = np.ones(rows.size, dtype=np.bool_)
        # tau(c): the largest drop left out of a cut of c mentors (never below 0)
        for c in [0, *(c for c in CUTS if c < positive), positive]:
            if c > max(SHARP, drop.size // 4):
                break
            tau = max(0, int(drop[by_drop[c]])) if c < drop.size else 0
            now = todo & (slack >= tau)
            todo &= ~now
            if c and now.any():
                cut = np.sort(by_drop[:c])
                j, i = _pairs_above(space, exact, rows[now], cut, u, v, big)
                fresh = _not_in(j, i, edges[0], edges[1], exact.pop.mentors.size)
                flagged[np.searchsorted(space.mentee_rows, j[fresh])] = True
        doubt[rows[~todo]] = False
    return np.flatnonzero(doubt | flagged)


def _pairs_above(
    space: CandidateSpace,
    exact: ExactScorer,
    rows: IntArray,
    cols: IntArray,
    u: IntArray,
    v: IntArray,
    big: int,
) -> tuple[IntArray, IntArray]:
    """Feasible pairs (mentee ``rows`` x mentor positions ``cols``) that beat the duals,
    exactly: global rows."""
    step = max(1, BLOCK_CELLS // max(cols.size, 1))
    slack = FLOAT_SLACK + float(v.max(initial=0)) / SCALE * 2.0**-20
    price = (v[cols] / SCALE).astype(np.float32)

    def scan(part: list[IntArray]) -> list[tuple[IntArray, IntArray]]:
        found = []
        for chunk in part:
            scores = space.masked(chunk, cols)
            feasible = scores > INFEASIBLE
            scores -= price[None, :]
            need = ((u[chunk] - big) / SCALE - slack).astype(np.float32)
            r, c = np.nonzero((scores >= need[:, None]) & feasible)
            found.append((space.mentee_rows[chunk[r]], c))
        return found

    _, done = in_two([rows[s : s + step] for s in range(0, rows.size, step)], scan)
    found = [(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))]
    found += [f for part in done for f in part]
    j = np.concatenate([f[0] for f in found])
    at = cols[np.concatenate([f[1] for f in found])]
    i = space.mentor_rows[at]
    keep = big + exact.scores(j, i) - v[at] > u[np.searchsorted(space.mentee_rows, j)]
    return j[keep], i[keep]


def _not_in(j: IntArray, i: IntArray, have_j: IntArray, have_i: IntArray, width: int) -> BoolArray:
    """Which (j, i) pairs are not yet edges (``have_*`` sorted by mentee, then mentor)."""
    have = have_j * width + have_i
    keys = j * width + i
    pos = np.minimum(np.searchsorted(have, keys), max(have.size - 1, 0))
    if have.size == 0:
        return np.ones(keys.size, dtype=np.bool_)
    out: BoolArray = have[pos] != keys
    return out
