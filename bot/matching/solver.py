"""Exact solve of the candidate graph: most mentees served first, then the highest total score.

The lexicographic objective becomes one min-cost flow: each served mentee is worth ``big``
(more than any total of scores) plus the pair's integer score. Network: source -> mentee
(capacity 1) -> mentor (capacity 1, cost -(big + score)) -> sink (mentor capacity), and a
free source -> sink arc for mentees left unserved. OR-Tools' ``SimpleMinCostFlow`` solves it
exactly on integers; the same arcs in the same order give the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.matching.population import BoolArray, IntArray


class SolverError(RuntimeError):
    pass


@dataclass(frozen=True)
class FlowGraph:
    """The compact network (node numbering shared with the certificate)."""

    mentee_nodes: IntArray  # distinct global mentee rows present in the graph
    mentor_nodes: IntArray  # distinct global mentor rows present in the graph
    edge_tail: IntArray  # per candidate edge: index into mentee_nodes
    edge_head: IntArray  # per candidate edge: index into mentor_nodes
    edge_value: IntArray  # big + score
    mentor_capacity: IntArray  # per mentor node
    big: int


def lexicographic_big(mentee_count: int, max_pair_score: int) -> int:
    """A served mentee outweighs any possible sum of scores."""
    return (mentee_count + 1) * max(max_pair_score, 1) + 1


def edge_order(mentee: IntArray, mentor: IntArray) -> IntArray:
    """The stable order by (mentee, mentor): ``np.lexsort((mentor, mentee))``, several times
    faster as one sort of a combined key (rows are never negative)."""
    width = int(mentor.max(initial=0)) + 1
    order: IntArray = np.argsort(mentee.astype(np.int64) * width + mentor, kind="stable")
    return order


def _nodes(rows: IntArray) -> tuple[IntArray, IntArray]:
    """``np.unique(rows, return_inverse=True)`` for small non-negative rows, without a sort."""
    present = np.zeros(int(rows.max(initial=-1)) + 1, dtype=np.bool_)
    present[rows] = True
    at = np.cumsum(present) - 1
    return np.flatnonzero(present), at[rows].astype(np.int64)


def build_graph(
    mentee: IntArray, mentor: IntArray, score: IntArray, capacity: IntArray, big: int
) -> FlowGraph:
    mentee_nodes, tail = _nodes(mentee)
    mentor_nodes, head = _nodes(mentor)
    return FlowGraph(
        mentee_nodes=mentee_nodes,
        mentor_nodes=mentor_nodes,
        edge_tail=tail,
        edge_head=head,
        edge_value=big + score.astype(np.int64),
        mentor_capacity=capacity[mentor_nodes].astype(np.int64),
        big=big,
    )


def solve_graph(graph: FlowGraph) -> BoolArray:
    """Which candidate edges are used in an optimal solution."""
    edges = graph.edge_tail.size
    if edges == 0:
        return np.zeros(0, dtype=np.bool_)
    from ortools.graph.python import min_cost_flow  # heavy: imported on first solve only

    m, n = graph.mentee_nodes.size, graph.mentor_nodes.size
    source, sink = 0, 1
    mentee_id = 2 + np.arange(m, dtype=np.int64)
    mentor_id = 2 + m + np.arange(n, dtype=np.int64)
    tails = np.concatenate(
        [mentee_id[graph.edge_tail], np.full(m, source), mentor_id, [source]]
    ).astype(np.int64)
    heads = np.concatenate(
        [mentor_id[graph.edge_head], mentee_id, np.full(n, sink), [sink]]
    ).astype(np.int64)
    caps = np.concatenate(
        [np.ones(edges, dtype=np.int64), np.ones(m, dtype=np.int64), graph.mentor_capacity, [m]]
    ).astype(np.int64)
    costs = np.concatenate([-graph.edge_value, np.zeros(m + n + 1, dtype=np.int64)]).astype(
        np.int64
    )
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    supplies = np.zeros(2 + m + n, dtype=np.int64)
    supplies[source], supplies[sink] = m, -m
    flow.set_nodes_supplies(np.arange(2 + m + n, dtype=np.int64), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise SolverError(f"min-cost flow ended with status {status}")
    used = flow.flows(np.arange(edges, dtype=np.int64))
    return np.asarray(used, dtype=np.int64) > 0


def solve_pairs(
    mentee: IntArray, mentor: IntArray, score: IntArray, capacity: IntArray, big: int
) -> tuple[FlowGraph, BoolArray]:
    graph = build_graph(mentee, mentor, score, capacity, big)
    return graph, solve_graph(graph)
