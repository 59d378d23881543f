"""Independent checks for the matching tests: a naive walk up the management data and a
brute-force optimum, written without the engine's arrays tricks."""

from __future__ import annotations

import itertools

import numpy as np

from bot.matching.population import Population, Rules, Weights
from bot.matching.score import pair_scores


def chain_of(pop: Population, person: int) -> set[int]:
    """Everyone above ``person`` following manager links, stopping at a repeat (cycles)."""
    seen: set[int] = set()
    p = int(pop.org.manager[person])
    while p >= 0 and p not in seen:
        seen.add(p)
        p = int(pop.org.manager[p])
    return seen


def feasible(pop: Population, rules: Rules, j: int, i: int) -> bool:
    me, mo = pop.mentees, pop.mentors
    a, b = int(me.person[j]), int(mo.person[i])
    ids = pop.org.person_ids
    if a == b or b in chain_of(pop, a) or a in chain_of(pop, b):
        return False
    if not (me.active[j] and mo.active[i] and mo.capacity[i] > 0):
        return False
    if int(me.languages[j]) & int(mo.languages[i]) == 0:
        return False
    if (
        rules.cross_department_only
        and me.department[j] >= 0
        and me.department[j] == mo.department[i]
    ):
        return False
    if rules.reverse_order_required and not (0 <= mo.stage[i] < me.stage[j]):
        return False
    pair = {ids[a], ids[b]}
    return all(set(x) != pair for x in (*pop.blocks, *pop.past_pairs))


def brute_force(pop: Population, rules: Rules, weights: Weights) -> tuple[int, int]:
    """Best (served, total integer score) over every assignment, capacities respected."""
    m, n = pop.mentees.size, pop.mentors.size
    options: list[list[tuple[int, int]]] = []
    for j in range(m):
        row = [(-1, 0)]
        for i in range(n):
            if feasible(pop, rules, j, i):
                s = int(pair_scores(pop, rules, weights, np.array([j]), np.array([i]))[0])
                row.append((i, s))
        options.append(row)
    best = (0, 0)
    for choice in itertools.product(*options):
        load = [0] * n
        for i, _ in choice:
            if i >= 0:
                load[i] += 1
        if any(load[i] > int(pop.mentors.capacity[i]) for i in range(n)):
            continue
        value = (sum(1 for i, _ in choice if i >= 0), sum(s for _, s in choice))
        best = max(best, value)
    return best
