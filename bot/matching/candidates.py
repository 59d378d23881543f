"""Candidate generation: the best k feasible mentors of every mentee, in blocks.

Each block of mentees is scored against every eligible mentor at once (one matrix product;
small tables are folded into it), hard constraints are applied in the block, and the k + 1
best are kept: the k best become solver edges and the (k+1)-th score bounds every pruned
pair of that mentee (up to float32 slack, which ``widening`` adds). The same scan can rank
by reduced score (score - mentor price) and collect each mentor's best mentees.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

from bot.matching.constraints import ChainIndex, PairIndex, eligible_rows, subtree_ranges
from bot.matching.population import FloatArray, IntArray, Population, Rules, Weights
from bot.matching.score import F32, INFEASIBLE, PENALTY, block_scorer
from bot.matching.solver import edge_order

T = TypeVar("T")
BLOCK_CELLS = 1 << 22  # about 16 MB of float32 per block
PRICE_CAP = 1e3  # score points, far below INFEASIBLE (-1e5); exceeded only with the full big


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

    def masked(self, local: IntArray, cols: IntArray | None = None) -> F32:
        """Scores of mentees ``local`` (eligible-local rows) against all mentors (or the
        mentor positions ``cols``, sorted), infeasible pairs pushed below ``INFEASIBLE``."""
        out = self.scorer.block(local, cols)
        lo = np.searchsorted(self.forbid_j, local, side="left")
        hi = np.searchsorted(self.forbid_j, local, side="right")
        counts = hi - lo
        if counts.sum():
            rows = np.repeat(np.arange(local.size), counts)
            idx = np.concatenate([np.arange(a, b) for a, b in zip(lo, hi, strict=True) if b > a])
            at = self.forbid_i[idx]
            if cols is not None:
                pos = np.minimum(np.searchsorted(cols, at), cols.size - 1)
                hit = cols[pos] == at
                rows, at = rows[hit], pos[hit]
            out[rows, at] = -PENALTY
        ranges = self.ranges[local]
        if cols is None:
            for r, (a, b) in enumerate(ranges.tolist()):
                if b > a:
                    out[r, a:b] = -PENALTY
        else:  # the mentors below each mentee, among the columns asked for
            below = (cols[None, :] >= ranges[:, :1]) & (cols[None, :] < ranges[:, 1:])
            out[below] = -PENALTY
        return out

    def top_k(
        self,
        k: int,
        local: IntArray | None = None,
        price: F32 | None = None,
        mentor_k: int = 0,
    ) -> Candidates:
        """The k best feasible mentors of each mentee in ``local`` (all eligible by default).

        With ``price`` (score points per mentor position) the ranking is by reduced score,
        score - price, and ``bound`` is the best pruned *reduced* score. With ``mentor_k``,
        each mentor's ``mentor_k`` best mentees are added too (a popular mentor fills up, so
        the mentees further down the lists need edges to the mentors left with room).
        """
        if local is None:
            local = np.arange(self.mentee_count)
        n = self.mentor_count
        if n == 0 or local.size == 0:
            empty = np.zeros(0, dtype=np.int64)
            bound = np.full(self.mentee_count, -np.inf)
            return Candidates(empty, empty, np.zeros(0, dtype=np.float32), bound, k)
        if price is not None:
            # Capped so that a feasible pair stays above INFEASIBLE (and an infeasible one
            # below): a capped price only overstates the reduced score, so bounds stay safe.
            price = np.minimum(price, np.float32(PRICE_CAP))
        block = max(16, min(4096, BLOCK_CELLS // max(n, 1)))
        chunks = [local[s : s + block] for s in range(0, local.size, block)]
        parts, done = in_two(chunks, lambda p: self._scan(p, k, price, mentor_k))
        bound = np.full(self.mentee_count, -np.inf)
        js, cols, vals = [], [], []
        best: tuple[F32, IntArray] | None = None
        for part, (selected, column_best) in zip(parts, done, strict=True):
            for chunk, (j, col, val, b) in zip(part, selected, strict=True):
                bound[chunk] = b
                js.append(j)
                cols.append(col)
                vals.append(val)
            best = _merge_best(best, column_best, mentor_k)
        if best is not None:
            ok = best[0] > INFEASIBLE
            js.append(best[1][ok])
            cols.append(np.nonzero(ok)[1])
            vals.append(best[0][ok])
        j_all = np.concatenate(js)
        mentor = self.mentor_rows[np.concatenate(cols)]
        mentee = self.mentee_rows[j_all]
        approx = np.concatenate(vals).astype(np.float32)
        order = edge_order(mentee, mentor)
        mentee, mentor, approx = mentee[order], mentor[order], approx[order]
        if best is not None and mentee.size:  # a pair can be in both lists
            fresh = np.r_[True, (mentee[1:] != mentee[:-1]) | (mentor[1:] != mentor[:-1])]
            mentee, mentor, approx = mentee[fresh], mentor[fresh], approx[fresh]
        return Candidates(mentee, mentor, approx, bound, k)

    def _scan(
        self, chunks: list[IntArray], k: int, price: F32 | None, mentor_k: int
    ) -> tuple[list[tuple[IntArray, IntArray, F32, FloatArray]], tuple[F32, IntArray] | None]:
        selected = []
        best: tuple[F32, IntArray] | None = None
        for chunk in chunks:
            scores = self.masked(chunk)
            if price is not None:
                scores -= price[None, :]
            selected.append(_select(scores, chunk, k))
            if mentor_k:
                best = _add_column_best(best, scores, chunk, mentor_k)
        return selected, best


def in_two(
    chunks: list[IntArray], scan: Callable[[list[IntArray]], T]
) -> tuple[list[list[IntArray]], list[T]]:
    """``scan`` over the chunks split in two halves, each on its own thread when there are
    two cores: a fixed split (not one per CPU), so the result never depends on the machine."""
    half = (len(chunks) + 1) // 2
    parts = [chunks[:half], chunks[half:]] if len(chunks) > 1 else [chunks]
    if min(2, os.cpu_count() or 1) > 1 and len(parts) > 1:
        with _one_blas_thread(), ThreadPoolExecutor(2) as pool:
            return parts, list(pool.map(scan, parts))
    return parts, [scan(p) for p in parts]


_blas_lock = threading.Lock()
_blas_state: list[Any] = [0, None]  # scans running; the limit that restores the count


@contextmanager
def _one_blas_thread() -> Iterator[None]:
    """BLAS on one thread while two scan threads run (each with OpenBLAS's own threads
    they fight over the cores: the whole scan about 1.7x slower), then as before. The limit
    is process-wide: other BLAS calls meanwhile run on one thread too."""
    from threadpoolctl import threadpool_limits

    with _blas_lock:
        if _blas_state[0] == 0:
            _blas_state[1] = threadpool_limits(limits=1, user_api="blas")
        _blas_state[0] += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_state[0] -= 1
            if _blas_state[0] == 0:
                _blas_state[1].restore_original_limits()
                _blas_state[1] = None


def _add_column_best(
    best: tuple[F32, IntArray] | None, scores: F32, chunk: IntArray, keep: int
) -> tuple[F32, IntArray]:
    """Merge each column's best row of this chunk (first row on ties) into the per-column
    lists of the ``keep`` best (value, row): what ``_merge_best`` would keep, faster.

    Chunks come in increasing row order, so a new entry goes after every kept entry of equal
    value. Once a list is full it is kept sorted (best first), and a column whose chunk
    maximum does not beat its last entry is left alone: most columns, after a few chunks.
    """
    top_vals = scores.max(axis=0)
    if best is None or best[0].shape[0] < keep:
        found = (top_vals[None, :], chunk[scores.argmax(axis=0)][None, :])
        vals, rows = _merge_best(best, found, keep)  # type: ignore[misc]
        if vals.shape[0] == keep:
            order = np.lexsort((rows, -vals), axis=0)
            vals = np.take_along_axis(vals, order, axis=0)
            rows = np.take_along_axis(rows, order, axis=0)
        return vals, rows
    vals, rows = best
    wins = np.flatnonzero(top_vals > vals[-1])
    if wins.size:
        new_v = top_vals[wins]
        new_r = chunk[scores[:, wins].argmax(axis=0)]
        old_v, old_r = vals[:, wins], rows[:, wins]
        at = (old_v >= new_v[None, :]).sum(axis=0)
        slot = np.arange(keep)[:, None]
        shifted = np.maximum(slot - 1, 0), np.arange(wins.size)[None, :]
        vals[:, wins] = np.where(
            slot < at, old_v, np.where(slot == at, new_v[None, :], old_v[shifted])
        )
        rows[:, wins] = np.where(
            slot < at, old_r, np.where(slot == at, new_r[None, :], old_r[shifted])
        )
    return vals, rows


def _merge_best(
    best: tuple[F32, IntArray] | None, more: tuple[F32, IntArray] | None, keep: int
) -> tuple[F32, IntArray] | None:
    """Per mentor column, the ``keep`` best (value, mentee) of two short lists; ties go to
    the lower mentee row so the choice is deterministic."""
    if best is None or more is None:
        return more if best is None else best
    vals = np.concatenate([best[0], more[0]])
    rows = np.concatenate([best[1], more[1]])
    if vals.shape[0] <= keep:
        return vals, rows
    order = np.lexsort((rows, -vals), axis=0)[:keep]
    return np.take_along_axis(vals, order, axis=0), np.take_along_axis(rows, order, axis=0)


# Columns are split into this many groups per kept entry to find a row's threshold cheaply.
GROUPS_PER_KEPT = 32


def _select(scores: F32, local: IntArray, k: int) -> tuple[IntArray, IntArray, F32, FloatArray]:
    """The k best feasible columns of each row, best first, ties by column, and the bound:
    the (k+1)-th best feasible score, -inf if there is none.

    A full partition of every row is the slow part of a scan. Instead the columns are split
    into groups (column c in group c mod groups) and each row's (k+1)-th best group maximum
    is taken as its threshold t: those k+1 maxima are distinct entries, so the row's k+1
    best entries are all >= t, and they lie in groups whose maximum reaches t. Only those
    groups are read again; the result is the same as sorting the whole row.
    """
    rows_n, n = scores.shape
    take = min(k + 1, n)
    groups = min(GROUPS_PER_KEPT * take, n // 8)
    if groups < 2 * take:
        return _select_sorted(scores, local, k)
    width = n // groups
    body = groups * width
    best = scores[:, :body].reshape(rows_n, width, groups).max(axis=1)
    t = np.partition(best, groups - take, axis=1)[:, groups - take]
    # infeasible entries are never kept nor a bound: the threshold need not go below them
    np.maximum(t, np.float32(INFEASIBLE), out=t)
    gr, gg = np.nonzero(best >= t[:, None])
    cols = gg[:, None] + groups * np.arange(width)[None, :]
    vals = scores[gr[:, None], cols]
    hit = vals >= t[gr][:, None]
    r = np.broadcast_to(gr[:, None], cols.shape)[hit]
    c, v = cols[hit], vals[hit]
    if body < n:  # the last columns, in no group
        tr, tc = np.nonzero(scores[:, body:] >= t[:, None])
        r, c = np.r_[r, tr], np.r_[c, body + tc]
        v = np.r_[v, scores[tr, body + tc]]
    feasible = v > INFEASIBLE
    r, c, v = r[feasible], c[feasible], v[feasible]
    order = np.lexsort((c, -v, r))
    r, c, v = r[order], c[order], v[order]
    rank = np.arange(r.size) - np.searchsorted(r, np.arange(rows_n))[r]
    bound = np.full(rows_n, -np.inf)
    at = rank == k
    bound[r[at]] = v[at].astype(np.float64)
    keep = rank < k
    return local[r[keep]], c[keep], v[keep], bound


def _select_sorted(
    scores: F32, local: IntArray, k: int
) -> tuple[IntArray, IntArray, F32, FloatArray]:
    """``_select`` for few columns: sort every row."""
    n = scores.shape[1]
    order = np.lexsort((np.broadcast_to(np.arange(n), scores.shape), -scores), axis=1)
    take = min(k + 1, n)
    part = order[:, :take]
    vals = np.take_along_axis(scores, part, axis=1)
    bound = np.full(local.size, -np.inf)
    if take > k:
        pruned = vals[:, k]
        bound = np.where(pruned > INFEASIBLE, pruned.astype(np.float64), -np.inf)
    keep_vals, keep_cols = vals[:, :k], part[:, :k]
    ok = keep_vals > INFEASIBLE
    rows = np.broadcast_to(local[:, None], keep_cols.shape)
    return rows[ok], keep_cols[ok], keep_vals[ok], bound


def at_least(
    space: CandidateSpace, local: IntArray, price: F32, need: F32
) -> tuple[IntArray, IntArray]:
    """Feasible pairs of mentees ``local`` whose float reduced score (score - price) reaches
    ``need`` (one value per mentee, score points): the pairs an exact check must settle."""
    n = space.mentor_count
    block = max(16, min(4096, BLOCK_CELLS // max(n, 1)))
    chunks = [np.arange(s, min(s + block, local.size)) for s in range(0, local.size, block)]

    def scan(part: list[IntArray]) -> list[tuple[IntArray, IntArray]]:
        found = []
        for at in part:  # positions in ``local``
            scores = space.masked(local[at])
            feasible = scores > INFEASIBLE
            scores -= price[None, :]
            r, c = np.nonzero((scores >= need[at, None]) & feasible)
            found.append((space.mentee_rows[local[at][r]], space.mentor_rows[c]))
        return found

    _, done = in_two(chunks, scan)
    pairs = [(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))]
    pairs += [p for part in done for p in part]
    return np.concatenate([j for j, _ in pairs]), np.concatenate([i for _, i in pairs])
