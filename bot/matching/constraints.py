"""Hard constraints: which mentor may be paired with which mentee, at all.

The management rule is the delicate one: nobody is paired with someone above or below them
in their reporting line, at any depth, tombstoned managers included. The tree is condensed
(each management cycle in the HRIS data becomes one node, so everyone in a cycle is in
everyone else's chain, as a walk up the data would say) and numbered by an Euler tour:
"i is in the subtree of j" is then two integer comparisons, and the mentors below a
mentee are one contiguous range once mentors are sorted by their tour number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.matching.population import BoolArray, IntArray, Organisation, Population, Rules


@dataclass(frozen=True)
class ChainIndex:
    node: IntArray  # person -> condensed node
    parent: IntArray  # condensed node -> parent node, -1 for a root
    tin: IntArray  # condensed node -> Euler entry number
    tout: IntArray  # condensed node -> one past the last entry number of its subtree
    cycles: tuple[tuple[str, ...], ...]  # person ids of each management cycle found

    def in_subtree(self, below: IntArray, above: IntArray) -> BoolArray:
        """Element-wise: is person ``below`` under (or in the same node as) person ``above``?"""
        b, a = self.node[below], self.node[above]
        return (self.tin[a] <= self.tin[b]) & (self.tin[b] < self.tout[a])

    def same_chain(self, p: IntArray, q: IntArray) -> BoolArray:
        return self.in_subtree(p, q) | self.in_subtree(q, p)


def chain_index(org: Organisation) -> ChainIndex:
    """Condense cycles and number the forest. Linear time, never loops on bad data."""
    manager = org.manager
    n = int(manager.shape[0])
    state = np.zeros(n, dtype=np.int8)  # 0 new, 1 on the current walk, 2 done
    node = np.full(n, -1, dtype=np.int64)
    cycles: list[tuple[str, ...]] = []
    count = 0
    for start in range(n):
        if state[start]:
            continue
        walk: list[int] = []
        p = start
        while p >= 0 and state[p] == 0:
            state[p] = 1
            walk.append(p)
            p = int(manager[p])
        chain_part = walk
        if p >= 0 and state[p] == 1:  # the walk closed on itself: a cycle from p
            at = walk.index(p)
            members = walk[at:]
            node[members] = count
            count += 1
            cycles.append(tuple(org.person_ids[m] for m in sorted(members)))
            chain_part = walk[:at]
        for m in chain_part:
            node[m] = count
            count += 1
        state[walk] = 2
    parent = np.full(count, -1, dtype=np.int64)
    has_manager = manager >= 0
    persons = np.nonzero(has_manager)[0]
    own, boss = node[persons], node[manager[persons]]
    outside = own != boss  # edges inside a cycle vanish in the condensation
    parent[own[outside]] = boss[outside]
    tin, tout = _euler(parent)
    return ChainIndex(node, parent, tin, tout, tuple(sorted(cycles)))


def _euler(parent: IntArray) -> tuple[IntArray, IntArray]:
    """Preorder numbers of a forest (roots, then children, in node order) and one past each
    subtree's last number, level by level with arrays: a node's number is its parent's plus
    one plus the sizes of its earlier siblings."""
    count = int(parent.shape[0])
    level = np.flatnonzero(parent < 0)
    levels = [level]
    order = np.argsort(parent, kind="stable")  # children grouped by parent, in node order
    sorted_parent = parent[order]
    while level.size:
        lo = np.searchsorted(sorted_parent, level, side="left")
        hi = np.searchsorted(sorted_parent, level, side="right")
        kids = order[_ranges(lo, hi)]
        level = kids
        if level.size:
            levels.append(level)
    size = np.ones(count, dtype=np.int64)
    for level in reversed(levels[1:]):
        np.add.at(size, parent[level], size[level])
    tin = np.zeros(count, dtype=np.int64)
    roots = levels[0]
    tin[roots] = np.cumsum(size[roots]) - size[roots]
    for level in levels[1:]:
        # siblings are contiguous here and in node order: earlier siblings' sizes add up
        group = parent[level]
        before = np.cumsum(size[level]) - size[level]
        first = np.r_[True, group[1:] != group[:-1]]
        start = np.maximum.accumulate(np.where(first, np.arange(level.size), 0))
        tin[level] = tin[group] + 1 + before - before[start]
    return tin, tin + size


def _ranges(lo: IntArray, hi: IntArray) -> IntArray:
    """The concatenation of arange(lo[i], hi[i])."""
    count = hi - lo
    total = int(count.sum())
    return np.repeat(lo - np.cumsum(count) + count, count) + np.arange(total)


@dataclass(frozen=True)
class PairIndex:
    """Explicit (mentee, mentor) row pairs that no score can redeem."""

    mentee: IntArray
    mentor: IntArray
    kind: IntArray  # FORBID_* code per pair


FORBID_CHAIN, FORBID_BLOCK, FORBID_PAST = 1, 2, 3


def _rows_by_person(person: IntArray, size: int) -> dict[int, list[int]]:
    rows: dict[int, list[int]] = {}
    for r, p in enumerate(person.tolist()):
        rows.setdefault(p, []).append(r)
    return rows


def explicit_forbidden(pop: Population, chain: ChainIndex) -> PairIndex:
    """Mentors strictly above each mentee (walked up the condensed tree), blocks, past pairs.

    Mentors *below* a mentee are not listed: they form a range (see ``subtree_ranges``).
    """
    org_index = {pid: i for i, pid in enumerate(pop.org.person_ids)}
    mentor_rows = _rows_by_person(pop.mentors.person, len(org_index))
    mentee_rows = _rows_by_person(pop.mentees.person, len(org_index))
    node_mentors: dict[int, list[int]] = {}
    for p, rows in mentor_rows.items():
        node_mentors.setdefault(int(chain.node[p]), []).extend(rows)
    out_j: list[int] = []
    out_i: list[int] = []
    out_k: list[int] = []
    if node_mentors:
        up = chain.parent[chain.node[pop.mentees.person]]
        walking = np.arange(pop.mentees.size)
        while walking.size:
            keep = up >= 0
            walking, up = walking[keep], up[keep]
            for j, v in zip(walking.tolist(), up.tolist(), strict=True):
                for i in node_mentors.get(v, ()):
                    out_j.append(j)
                    out_i.append(i)
                    out_k.append(FORBID_CHAIN)
            up = chain.parent[up] if up.size else up
    for kind, pairs in ((FORBID_BLOCK, pop.blocks), (FORBID_PAST, pop.past_pairs)):
        for a, b in pairs:
            pa, pb = org_index.get(a), org_index.get(b)
            if pa is None or pb is None:
                continue
            for mentee_p, mentor_p in ((pa, pb), (pb, pa)):
                for j in mentee_rows.get(mentee_p, ()):
                    for i in mentor_rows.get(mentor_p, ()):
                        out_j.append(j)
                        out_i.append(i)
                        out_k.append(kind)
    return PairIndex(
        np.array(out_j, dtype=np.int64),
        np.array(out_i, dtype=np.int64),
        np.array(out_k, dtype=np.int64),
    )


def subtree_ranges(pop: Population, chain: ChainIndex, mentor_order: IntArray) -> IntArray:
    """For each mentee, [lo, hi) positions in ``mentor_order`` of mentors at or below them."""
    mentor_tin = chain.tin[chain.node[pop.mentors.person[mentor_order]]]
    mentee_node = chain.node[pop.mentees.person]
    lo = np.searchsorted(mentor_tin, chain.tin[mentee_node], side="left")
    hi = np.searchsorted(mentor_tin, chain.tout[mentee_node], side="left")
    return np.stack([lo, hi], axis=1)


def language_ok(pop: Population, j: IntArray, i: IntArray) -> BoolArray:
    ok: BoolArray = (pop.mentees.languages[j] & pop.mentors.languages[i]) != 0
    return ok


def stage_ok(pop: Population, rules: Rules, j: IntArray, i: IntArray) -> BoolArray:
    if not rules.reverse_order_required:
        return np.ones(j.shape, dtype=np.bool_)
    sj, si = pop.mentees.stage[j], pop.mentors.stage[i]
    return (sj >= 0) & (si >= 0) & (si < sj)


def department_ok(pop: Population, rules: Rules, j: IntArray, i: IntArray) -> BoolArray:
    if not rules.cross_department_only:
        return np.ones(j.shape, dtype=np.bool_)
    dj, di = pop.mentees.department[j], pop.mentors.department[i]
    ok: BoolArray = (dj < 0) | (di < 0) | (dj != di)
    return ok


def eligible_rows(pop: Population) -> tuple[IntArray, IntArray]:
    """Active mentees, and active mentors with room: the only rows the solver looks at."""
    mentees = np.nonzero(pop.mentees.active)[0]
    mentors = np.nonzero(pop.mentors.active & (pop.mentors.capacity > 0))[0]
    return mentees, mentors


def pair_feasible(
    pop: Population, rules: Rules, chain: ChainIndex, forbidden: PairIndex, j: IntArray, i: IntArray
) -> BoolArray:
    """Exact check of every hard rule except capacity, for explicit pairs (vectorised)."""
    ok = pop.mentees.active[j] & pop.mentors.active[i]
    ok &= ~chain.same_chain(pop.mentees.person[j], pop.mentors.person[i])
    ok &= language_ok(pop, j, i) & stage_ok(pop, rules, j, i) & department_ok(pop, rules, j, i)
    if forbidden.mentee.size and j.size:
        m = max(int(pop.mentors.size), 1)
        banned = np.isin(j * m + i, forbidden.mentee * m + forbidden.mentor)
        ok &= ~banned
    return ok
