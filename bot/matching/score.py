"""The pair score: a weighted sum of six components, each in [0, 1].

Components (``COMPONENTS`` order, matching the program's weight keys):
  skills        the mentee's wanted skills the mentor offers, each weighted by the mentee's gap
                (6 - current level) and by the mentor's proficiency / 5;
  reverse       share of what the mentor wants to learn that the mentee offers back;
  time_overlap  shared weekly time (working hours across zones and availability windows),
                saturating at the program's target minutes;
  format        1 when they can meet remotely, or in person in the same location; else 0;
  reach         1 across departments (both known), else 0;
  stage_gap     (mentee position - mentor position + 1) / 2 on the ordered career stages,
                positions in [0, 1] (unknown = middle): 1 when the most junior coaches the
                most senior.

All but the time component are bilinear in per-person feature vectors, so a block of pair
scores is one matrix product; time goes through a small table over the distinct weekly
availability patterns. ``components`` computes the same numbers exactly for explicit pairs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from bot.matching.population import (
    IN_PERSON,
    REMOTE,
    SLOT_MINUTES,
    FloatArray,
    IntArray,
    Population,
    Rules,
    Side,
    Weights,
)

COMPONENTS = ("skills", "reverse", "time_overlap", "format", "reach", "stage_gap")
# Added to infeasible pairs inside a block so that top-k never picks them.
PENALTY = np.float32(1e6)
INFEASIBLE = -1e5
# Integer score units per score point: the solver works in integers, exactly.
SCALE = 1000
F32 = NDArray[np.float32]
MAX_TIME_TABLE = 16_000_000
PAIRS_PER_SLICE = 1 << 17
# A table with few mentor columns is folded into the matrix product (row of the table for the
# mentee, one-hot column for the mentor): cheaper than a gather per cell.
MAX_FOLDED = 256


def _gap_weights(side: Side) -> FloatArray:
    cur = side.skills.astype(np.float64)
    w = np.where(cur > 0, (6.0 - cur) / 5.0, 0.0)
    total = w.sum(axis=1, keepdims=True)
    out: FloatArray = np.divide(w, total, out=np.zeros_like(w), where=total > 0)
    return out


def _wants_share(side: Side) -> FloatArray:
    wants = side.back.astype(np.float64)
    total = wants.sum(axis=1, keepdims=True)
    out: FloatArray = np.divide(wants, total, out=np.zeros_like(wants), where=total > 0)
    return out


def _position(pop: Population, side: Side) -> FloatArray:
    k = len(pop.stages)
    pos = side.stage / max(k - 1, 1)
    return np.where(side.stage >= 0, pos, 0.5).astype(np.float64)


def _one_hot(codes: IntArray, width: int) -> FloatArray:
    out = np.zeros((codes.shape[0], width), dtype=np.float64)
    known = codes >= 0
    out[np.nonzero(known)[0], codes[known]] = 1.0
    return out


def _packed(avail: NDArray[np.bool_]) -> NDArray[np.uint64]:
    packed = np.packbits(avail, axis=1)
    pad = (-packed.shape[1]) % 8
    packed = np.pad(packed, ((0, 0), (0, pad)))
    return np.ascontiguousarray(packed).view(np.uint64)


class ExactScorer:
    """Exact components for explicit pairs, with the per-person parts computed once."""

    def __init__(self, pop: Population, rules: Rules, weights: Weights) -> None:
        self.pop, self.rules, self.weights = pop, rules, weights
        self.gap = _gap_weights(pop.mentees)
        self.share = _wants_share(pop.mentors)
        self.offer = pop.mentors.skills.astype(np.float64) / 5.0
        self.pos_j, self.pos_i = _position(pop, pop.mentees), _position(pop, pop.mentors)
        self.words_j, self.words_i = (
            _packed(pop.mentees.availability),
            _packed(pop.mentors.availability),
        )
        self.target = max(rules.target_overlap_minutes, SLOT_MINUTES)

    def minutes(self, j: IntArray, i: IntArray) -> IntArray:
        bits = np.bitwise_count(self.words_j[j] & self.words_i[i]).sum(axis=1)
        return bits.astype(np.int64) * SLOT_MINUTES  # type: ignore[no-any-return]

    def components(self, j: IntArray, i: IntArray) -> FloatArray:
        out = np.zeros((j.shape[0], len(COMPONENTS)), dtype=np.float64)
        # in slices: the per-pair skill rows would otherwise take hundreds of MB at 50,000
        for at in range(0, j.shape[0], PAIRS_PER_SLICE):
            part = slice(at, at + PAIRS_PER_SLICE)
            out[part] = self._components(j[part], i[part])
        return out

    def _components(self, j: IntArray, i: IntArray) -> FloatArray:
        me, mo = self.pop.mentees, self.pop.mentors
        out = np.zeros((j.shape[0], len(COMPONENTS)), dtype=np.float64)
        out[:, 0] = np.einsum("ps,ps->p", self.gap[j], self.offer[i])
        out[:, 1] = np.einsum("ps,ps->p", me.back[j], self.share[i])
        out[:, 2] = np.minimum(self.minutes(j, i), self.target) / self.target
        remote = (me.format[j] != IN_PERSON) & (mo.format[i] != IN_PERSON)
        same_place = (me.location[j] >= 0) & (me.location[j] == mo.location[i])
        in_person = (me.format[j] != REMOTE) & (mo.format[i] != REMOTE) & same_place
        out[:, 3] = remote | in_person
        dj, di = me.department[j], mo.department[i]
        out[:, 4] = (dj >= 0) & (di >= 0) & (dj != di)
        out[:, 5] = (self.pos_j[j] - self.pos_i[i] + 1.0) / 2.0
        return np.clip(out, 0.0, 1.0)

    def scores(self, j: IntArray, i: IntArray) -> IntArray:
        """Integer scores (``SCALE`` units): what the solver maximises."""
        raw = self.components(j, i) @ self.weights.as_array()
        return np.rint(raw * SCALE).astype(np.int64)


def components(pop: Population, rules: Rules, j: IntArray, i: IntArray) -> FloatArray:
    """Exact components (pairs x 6) for explicit mentee rows ``j`` and mentor rows ``i``."""
    return ExactScorer(pop, rules, Weights()).components(j, i)


def pair_scores(
    pop: Population, rules: Rules, weights: Weights, j: IntArray, i: IntArray
) -> IntArray:
    """Integer scores (``SCALE`` units) of explicit pairs: what the solver maximises."""
    return ExactScorer(pop, rules, weights).scores(j, i)


def _features(pop: Population, rules: Rules, weights: Weights) -> tuple[FloatArray, FloatArray]:
    """Mentee features F and mentor features G with F @ G.T = weighted bilinear components."""
    me, mo = pop.mentees, pop.mentors
    w = weights
    locs, deps = len(pop.locations), len(pop.departments)
    f_parts: list[FloatArray] = []
    g_parts: list[FloatArray] = []
    f_parts.append(w.skills * _gap_weights(me))
    g_parts.append(mo.skills.astype(np.float64) / 5.0)
    f_parts.append(w.reverse * me.back.astype(np.float64))
    g_parts.append(_wants_share(mo))
    # format: R_j R_i + P_j P_i same - R_j R_i P_j P_i same (remote, or in person same place)
    rj, ri = (
        (me.format != IN_PERSON).astype(np.float64),
        (mo.format != IN_PERSON).astype(np.float64),
    )
    pj, pi = (me.format != REMOTE).astype(np.float64), (mo.format != REMOTE).astype(np.float64)
    lj, li = _one_hot(me.location, locs), _one_hot(mo.location, locs)
    f_parts += [
        w.format * rj[:, None],
        w.format * (pj[:, None] * lj),
        -w.format * ((rj * pj)[:, None] * lj),
    ]
    g_parts += [ri[:, None], pi[:, None] * li, (ri * pi)[:, None] * li]
    # reach: known_j known_i - same department; the cross-department rule adds a penalty
    dj, di = _one_hot(me.department, deps), _one_hot(mo.department, deps)
    kj, ki = (me.department >= 0).astype(np.float64), (mo.department >= 0).astype(np.float64)
    same = w.reach + (float(PENALTY) if rules.cross_department_only else 0.0)
    f_parts += [w.reach * kj[:, None], -same * dj]
    g_parts += [ki[:, None], di]
    # stage gap: (pos_j - pos_i + 1) / 2
    posj, posi = _position(pop, me), _position(pop, mo)
    f_parts += [np.full((me.size, 1), w.stage_gap), w.stage_gap * posj[:, None]]
    g_parts += [((1.0 - posi) / 2.0)[:, None], np.full((mo.size, 1), 0.5)]
    return np.hstack(f_parts), np.hstack(g_parts)


def _pattern_ids(avail: NDArray[np.bool_]) -> tuple[IntArray, NDArray[np.bool_]]:
    packed = np.packbits(avail, axis=1)
    if packed.shape[0] == 0:
        return np.zeros(0, dtype=np.int64), np.zeros((0, avail.shape[1]), dtype=np.bool_)
    # Rows as single byte strings: the same order as a row-wise unique, several times faster.
    rows = np.ascontiguousarray(packed).view(np.dtype((np.void, packed.shape[1]))).reshape(-1)
    _, first, inverse = np.unique(rows, return_index=True, return_inverse=True)
    uniq = packed[first]
    patterns = np.unpackbits(uniq, axis=1, count=avail.shape[1]).astype(np.bool_)
    return inverse.reshape(-1).astype(np.int64), patterns


def _profile_ids(pop: Population, side: Side, rules: Rules) -> tuple[IntArray, IntArray, IntArray]:
    stage = side.stage if rules.reverse_order_required else np.zeros_like(side.stage)
    keys = np.stack([side.languages.astype(np.int64), stage], axis=1)
    if keys.shape[0] == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64), uniq[:, 0], uniq[:, 1]


@dataclass
class BlockScorer:
    """Scores mentee blocks against every eligible mentor (columns in ``mentor_rows`` order)."""

    f: F32
    g_t: F32  # (features, mentors), contiguous for the matrix product
    time_j: IntArray
    time_i: IntArray
    time_table: F32 | None  # weighted time component per (mentee pattern, mentor pattern)
    avail_j: F32 | None  # fallback when patterns are too many for a table
    avail_i_t: F32 | None
    time_weight: float
    target_slots: float
    ok_j: IntArray
    ok_i: IntArray
    ok_table: F32  # 0 or -PENALTY per (language+stage profile, language+stage profile)
    time_bound: FloatArray  # per mentee: best weighted time component over all mentors
    folded_time: bool  # the time table is inside the product
    folded_ok: bool  # the language and stage table is inside the product

    def block(self, rows: IntArray, cols: IntArray | None = None) -> F32:
        """Scores of mentee ``rows`` against every mentor, or the mentor positions ``cols``."""
        every = cols is None
        g_t = self.g_t if cols is None else self.g_t[:, cols]
        time_i = self.time_i if cols is None else self.time_i[cols]
        out: F32 = self.f[rows] @ g_t
        if self.time_table is not None:
            out += self.time_table[self.time_j[rows][:, None], time_i[None, :]]
        elif not self.folded_time and self.avail_j is not None and self.avail_i_t is not None:
            avail = self.avail_i_t if every else self.avail_i_t[:, cols]
            shared = self.avail_j[rows] @ avail
            np.minimum(shared, self.target_slots, out=shared)
            out += shared * np.float32(self.time_weight / self.target_slots)
        if not self.folded_ok:
            ok_i = self.ok_i if cols is None else self.ok_i[cols]
            out += self.ok_table[self.ok_j[rows][:, None], ok_i[None, :]]
        return out


def block_scorer(
    pop: Population, rules: Rules, weights: Weights, mentee_rows: IntArray, mentor_rows: IntArray
) -> BlockScorer:
    sub_pop = _subset(pop, mentee_rows, mentor_rows)
    f, g = _features(sub_pop, rules, weights)
    tj, pat_j = _pattern_ids(sub_pop.mentees.availability)
    ti, pat_i = _pattern_ids(sub_pop.mentors.availability)
    target_slots = max(rules.target_overlap_minutes, SLOT_MINUTES) / SLOT_MINUTES
    table: F32 | None = None
    avail_j = avail_i_t = None
    if pat_j.shape[0] * pat_i.shape[0] <= MAX_TIME_TABLE:
        shared = pat_j.astype(np.float32) @ pat_i.astype(np.float32).T
        table = (np.minimum(shared, target_slots) * (weights.time_overlap / target_slots)).astype(
            np.float32
        )
        table, ti = _distinct_columns(table, ti)
    else:
        avail_j = sub_pop.mentees.availability.astype(np.float32)
        avail_i_t = np.ascontiguousarray(sub_pop.mentors.availability.astype(np.float32).T)
    oj, lang_j, stage_j = _profile_ids(pop, sub_pop.mentees, rules)
    oi, lang_i, stage_i = _profile_ids(pop, sub_pop.mentors, rules)
    shares = (lang_j.astype(np.uint64)[:, None] & lang_i.astype(np.uint64)[None, :]) != 0
    if rules.reverse_order_required:
        shares &= (stage_j[:, None] >= 0) & (stage_i[None, :] >= 0)
        shares &= stage_i[None, :] < stage_j[:, None]
    ok_table = np.where(shares, np.float32(0), -PENALTY).astype(np.float32)
    # Mentor profiles that accept the same mentee profiles are one column (fewer to fold).
    ok_table, oi = _distinct_columns(ok_table, oi)
    f32, g32 = f.astype(np.float32), g.astype(np.float32)
    if table is not None and table.size:
        time_bound = table.max(axis=1)[tj].astype(np.float64)
    else:
        time_bound = np.full(tj.shape[0], weights.time_overlap)
    if table is not None and table.shape[1] <= MAX_FOLDED:
        f32 = np.hstack([f32, table[tj]])
        g32 = np.hstack([g32, np.eye(table.shape[1], dtype=np.float32)[ti]])
        table = None
        folded_time = True
    else:
        folded_time = False
    folded_ok = ok_table.shape[1] <= MAX_FOLDED
    if folded_ok:
        f32 = np.hstack([f32, ok_table[oj]])
        g32 = np.hstack([g32, np.eye(ok_table.shape[1], dtype=np.float32)[oi]])
    return BlockScorer(
        f=f32,
        g_t=np.ascontiguousarray(g32.T),
        time_bound=time_bound,
        time_j=tj,
        time_i=ti,
        time_table=table,
        avail_j=avail_j,
        avail_i_t=avail_i_t,
        time_weight=weights.time_overlap,
        target_slots=target_slots,
        ok_j=oj,
        ok_i=oi,
        ok_table=ok_table,
        folded_time=folded_time,
        folded_ok=folded_ok,
    )


def _distinct_columns(table: F32, codes: IntArray) -> tuple[F32, IntArray]:
    """The table with repeated columns merged, and ``codes`` renumbered to match."""
    if table.shape[1] < 2:
        return table, codes
    uniq, inverse = np.unique(table, axis=1, return_inverse=True)
    return np.ascontiguousarray(uniq), inverse.reshape(-1)[codes].astype(np.int64)


def _subset(pop: Population, mentee_rows: IntArray, mentor_rows: IntArray) -> Population:
    def take(side: Side, rows: IntArray) -> Side:
        return Side(**{name: getattr(side, name)[rows] for name in Side.__dataclass_fields__})

    return Population(
        org=pop.org,
        mentors=take(pop.mentors, mentor_rows),
        mentees=take(pop.mentees, mentee_rows),
        skills=pop.skills,
        back_topics=pop.back_topics,
        languages=pop.languages,
        departments=pop.departments,
        locations=pop.locations,
        stages=pop.stages,
    )


def max_score(weights: Weights) -> int:
    return int(np.rint(weights.as_array().sum() * SCALE))
