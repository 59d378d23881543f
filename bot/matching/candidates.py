"""Candidate generation: the best k feasible mentors of every mentee, in blocks.

Each block of mentees is scored against every eligible mentor at once (one matrix product
plus two table look-ups), hard constraints are applied in the block, and the k + 1 best are
kept: the k best become solver edges and the (k+1)-th score is an exact upper bound on every
pruned pair of that mentee, which the certificate uses.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from bot.matching.constraints import ChainIndex, PairIndex, eligible_rows, subtree_ranges
from bot.matching.population import FloatArray, IntArray, Population, Rules, Weights
from bot.matching.score import F32, INFEASIBLE, PENALTY, block_scorer

BLOCK_CELLS = 1 << 22  # about 16 MB of float32 per block


@dataclass(frozen=True)
class Candidates:
    mentee: IntArray  # global mentee rows, sorted by (mentee, mentor)
    mentor: IntArray  # global mentor rows
    approx: F32  # float32 block score (exact integer scores are computed afterwards)
    bound: FloatArray  # per eligible mentee: best pruned feasible score, -inf if none pruned
    k: int


class CandidateSpace:
    """Everything prepared once per run to score any mentee against all eligible mentors."""

    def __init__(
        self,
        pop: Population,
        rules: Rules,
        weights: Weights,
        chain: ChainIndex,
        forbidden: PairIndex,
    ) -> None:
        mentees, mentors = eligible_rows(pop)
        mentor_tin = chain.tin[chain.node[pop.mentors.person[mentors]]]
        mentors = mentors[np.argsort(mentor_tin, kind="stable")]
        self.mentee_rows = mentees
        self.mentor_rows = mentors
        self.scorer = block_scorer(pop, rules, weights, mentees, mentors)
        self.ranges = subtree_ranges(pop, chain, mentors)[mentees]
        mentee_local = np.full(pop.mentees.size, -1, dtype=np.int64)
        mentee_local[mentees] = np.arange(mentees.size)
        mentor_pos = np.full(pop.mentors.size, -1, dtype=np.int64)
        mentor_pos[mentors] = np.arange(mentors.size)
        self.mentee_local = mentee_local
        fj, fi = mentee_local[forbidden.mentee], mentor_pos[forbidden.mentor]
        keep = (fj >= 0) & (fi >= 0)
        order = np.lexsort((fi[keep], fj[keep]))
        self.forbid_j, self.forbid_i = fj[keep][order], fi[keep][order]

    @property
    def mentee_count(self) -> int:
        return int(self.mentee_rows.size)

    @property
    def mentor_count(self) -> int:
        return int(self.mentor_rows.size)

    def masked(self, local: IntArray) -> F32:
        """Scores of mentees ``local`` (eligible-local rows) against all mentors, infeasible
        pairs pushed below ``INFEASIBLE``."""
        out = self.scorer.block(local)
        lo = np.searchsorted(self.forbid_j, local, side="left")
        hi = np.searchsorted(self.forbid_j, local, side="right")
        counts = hi - lo
        if counts.sum():
            rows = np.repeat(np.arange(local.size), counts)
            idx = np.concatenate([np.arange(a, b) for a, b in zip(lo, hi, strict=True) if b > a])
            out[rows, self.forbid_i[idx]] = -PENALTY
        for r, (a, b) in enumerate(self.ranges[local].tolist()):
            if b > a:
                out[r, a:b] = -PENALTY
        return out

    def top_k(self, k: int, local: IntArray | None = None) -> Candidates:
        """The k best feasible mentors of each mentee in ``local`` (all eligible by default)."""
        if local is None:
            local = np.arange(self.mentee_count)
        n = self.mentor_count
        if n == 0 or local.size == 0:
            empty = np.zeros(0, dtype=np.int64)
            bound = np.full(self.mentee_count, -np.inf)
            return Candidates(empty, empty, np.zeros(0, dtype=np.float32), bound, k)
        block = max(16, min(4096, BLOCK_CELLS // max(n, 1)))
        chunks = [local[s : s + block] for s in range(0, local.size, block)]
        workers = min(2, os.cpu_count() or 1, len(chunks))
        if workers > 1:
            with ThreadPoolExecutor(workers) as pool:
                parts = list(pool.map(lambda c: self._select(c, k), chunks))
        else:
            parts = [self._select(c, k) for c in chunks]
        bound = np.full(self.mentee_count, -np.inf)
        js, cols, vals = [], [], []
        for chunk, (j, col, val, b) in zip(chunks, parts, strict=True):
            bound[chunk] = b
            js.append(j)
            cols.append(col)
            vals.append(val)
        j_all = np.concatenate(js)
        mentor = self.mentor_rows[np.concatenate(cols)]
        mentee = self.mentee_rows[j_all]
        approx = np.concatenate(vals).astype(np.float32)
        order = np.lexsort((mentor, mentee))
        return Candidates(mentee[order], mentor[order], approx[order], bound, k)

    def _select(self, local: IntArray, k: int) -> tuple[IntArray, IntArray, F32, FloatArray]:
        scores = self.masked(local)
        n = scores.shape[1]
        take = min(k + 1, n)
        if take < n:
            part = np.argpartition(scores, n - take, axis=1)[:, n - take :]
        else:
            part = np.broadcast_to(np.arange(n), (local.size, n)).copy()
        vals = np.take_along_axis(scores, part, axis=1)
        # Best first, ties by mentor position, so the choice is deterministic.
        order = np.lexsort((part, -vals), axis=1)
        part = np.take_along_axis(part, order, axis=1)
        vals = np.take_along_axis(vals, order, axis=1)
        bound = np.full(local.size, -np.inf)
        if take > k:
            pruned = vals[:, k]
            bound = np.where(pruned > INFEASIBLE, pruned.astype(np.float64), -np.inf)
        keep_vals, keep_cols = vals[:, :k], part[:, :k]
        ok = keep_vals > INFEASIBLE
        rows = np.broadcast_to(local[:, None], keep_cols.shape)
        return rows[ok], keep_cols[ok], keep_vals[ok], bound


def could_improve(
    space: CandidateSpace, local: IntArray, u: IntArray, v: IntArray, big: int, slack: float
) -> tuple[IntArray, IntArray]:
    """Feasible pairs of the given mentees whose float32 score, plus ``slack``, could beat the
    dual prices u (per global mentee row) and v (per global mentor row), in SCALE units."""
    if local.size == 0 or space.mentor_count == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    from bot.matching.score import SCALE

    scores = space.masked(local)
    feasible = scores > INFEASIBLE
    scores += np.float32(slack)
    scores -= (v[space.mentor_rows] / SCALE).astype(np.float32)[None, :]
    need = ((u[space.mentee_rows[local]] - big) / SCALE).astype(np.float32)[:, None]
    r, c = np.nonzero((scores > need) & feasible)
    return space.mentee_rows[local[r]], space.mentor_rows[c]
