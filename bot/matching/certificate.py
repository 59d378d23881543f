"""Item 7: prove that pruning lost nothing, or widen, re-solve, and report the proven gap.

Neither OR-Tools nor SciPy returns dual prices, so they come from the final residual graph:
shortest-path distances d from a virtual root (Bellman-Ford, vectorised) give, with the
mentee -> mentor arcs taken as uncapacitated (the source arc already caps a mentee at one),

    u_j = max(0, d_j - d_T)   for each mentee,   v_i = max(0, d_T - d_i)   for each mentor,

a feasible dual of the candidate problem whose objective equals the solution's value
(complementary slackness holds on served mentees, full mentors and used arcs). A pruned pair
(j, i) of value big + score can only improve the result if big + score > u_j + v_i;
``widening`` bounds the pruned pairs of each mentee, rescans the rows it cannot clear, and
reports the proven gap. ``component_bounds`` caps any pair's score from per-component maxima.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.matching.population import BoolArray, FloatArray, IntArray, Population, Weights
from bot.matching.score import BlockScorer, _gap_weights, _position
from bot.matching.solver import FlowGraph

# Block scores are float32: an exact bound adds a little slack (in score points).
FLOAT_SLACK = 0.002


class CertificateError(RuntimeError):
    pass


@dataclass(frozen=True)
class Duals:
    mentee: IntArray  # u per graph mentee node
    mentor: IntArray  # v per graph mentor node


def duals(graph: FlowGraph, used: BoolArray) -> Duals:
    m, n = graph.mentee_nodes.size, graph.mentor_nodes.size
    s, t = 0, 1
    jn = 2 + np.arange(m, dtype=np.int64)
    inode = 2 + m + np.arange(n, dtype=np.int64)
    served = np.zeros(m, dtype=np.bool_)
    served[graph.edge_tail[used]] = True
    load = np.bincount(graph.edge_head[used], minlength=n)
    unserved_count = int(m - served.sum())
    tails = [jn[graph.edge_tail], inode[graph.edge_head[used]]]
    heads = [inode[graph.edge_head], jn[graph.edge_tail[used]]]
    costs = [-graph.edge_value, graph.edge_value[used]]
    tails += [np.full(int((~served).sum()), s), jn[served]]
    heads += [jn[~served], np.full(int(served.sum()), s)]
    spare, busy = load < graph.mentor_capacity, load > 0
    tails += [inode[spare], np.full(int(busy.sum()), t)]
    heads += [np.full(int(spare.sum()), t), inode[busy]]
    if unserved_count < m:
        tails.append(np.array([s]))
        heads.append(np.array([t]))
    if unserved_count > 0:
        tails.append(np.array([t]))
        heads.append(np.array([s]))
    tail = np.concatenate(tails).astype(np.int64)
    head = np.concatenate(heads).astype(np.int64)
    cost = np.concatenate(
        [*costs, np.zeros(tail.size - sum(c.size for c in costs), dtype=np.int64)]
    ).astype(np.int64)
    dist = _bellman_ford(2 + m + n, tail, head, cost)
    u = np.maximum(0, dist[jn] - dist[t])
    v = np.maximum(0, dist[t] - dist[inode])
    return Duals(u, v)


def _bellman_ford(nodes: int, tail: IntArray, head: IntArray, cost: IntArray) -> IntArray:
    """Distances from a virtual root joined to every node at cost 0 (so all start at 0).

    Rounds relax only the arcs leaving nodes whose distance dropped in the last round (the
    distances reached do not depend on the order of relaxations).
    """
    order = np.argsort(tail, kind="stable")
    tail, head, cost = tail[order], head[order], cost[order]
    first = np.searchsorted(tail, np.arange(nodes + 1))
    dist = np.zeros(nodes, dtype=np.int64)
    moved = np.arange(nodes)
    for _ in range(nodes + 1):
        lo, count = first[moved], first[moved + 1] - first[moved]
        total = int(count.sum())
        if total == 0:
            return dist
        arcs = np.repeat(lo - np.cumsum(count) + count, count) + np.arange(total)
        reach = dist[tail[arcs]] + cost[arcs]
        to = head[arcs]
        better = reach < dist[to]
        if not better.any():
            return dist
        to, reach = to[better], reach[better]
        np.minimum.at(dist, to, reach)
        seen = np.zeros(nodes, dtype=np.bool_)
        seen[to] = True
        moved = np.flatnonzero(seen)
    raise CertificateError("negative cycle in the residual graph: the flow is not optimal")


def component_bounds(
    pop: Population,
    weights: Weights,
    scorer: BlockScorer,
    mentee_rows: IntArray,
    mentor_rows: IntArray,
) -> FloatArray:
    """Per eligible mentee: an upper bound of its score with *any* eligible mentor, summed
    from per-component maxima (each component bounded on its own)."""
    me, mo = pop.mentees, pop.mentors
    if mentor_rows.size == 0:
        return np.full(mentee_rows.size, -np.inf)
    best_level = mo.skills[mentor_rows].max(axis=0).astype(np.float64) / 5.0
    skills = _gap_weights(me)[mentee_rows] @ best_level
    wanted_back = mo.back[mentor_rows].any(axis=0)
    reverse = (me.back[mentee_rows] & wanted_back).any(axis=1).astype(np.float64)
    time = scorer.time_bound
    reach = (me.department[mentee_rows] >= 0).astype(np.float64)
    lowest = _position(pop, mo)[mentor_rows].min()
    gap = np.clip((_position(pop, me)[mentee_rows] - lowest + 1.0) / 2.0, 0.0, 1.0)
    bound: FloatArray = (
        weights.skills * skills
        + weights.reverse * reverse
        + time
        + weights.format
        + weights.reach * reach
        + weights.stage_gap * gap
    )
    return bound


def dual_by_row(
    graph: FlowGraph, dual: Duals, mentees: int, mentors: int
) -> tuple[IntArray, IntArray]:
    """u per global mentee row and v per global mentor row (0 outside the graph)."""
    u = np.zeros(mentees, dtype=np.int64)
    v = np.zeros(mentors, dtype=np.int64)
    u[graph.mentee_nodes] = dual.mentee
    v[graph.mentor_nodes] = dual.mentor
    return u, v
