"""Matching benchmark (issue 5, item 6): our engine against greedy, a bare min-cost-flow
solve of the same candidate graph, and a dense Hungarian solve at 5,000.

    .venv/bin/python benchmarks/matching.py [--sizes 1000,10000,50000] [--dense 5000] [--k 20]

Prints seconds and peak traced memory (NumPy allocations; OR-Tools' C++ memory shows only in
the process peak RSS) for candidate generation, the solve and the whole run, and ratios.
Seconds of the solve and of whole runs are measured without tracemalloc, which slows NumPy
code down; memory comes from a separate traced run (up to 20,000) and, for every size, from
the peak RSS of a fresh process that builds the population and runs the whole match.
``--tolerance`` also times a run that stops widening at that proven gap (0: skip it).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from bot.matching import Rules, Weights, propose_pairings
from bot.matching.candidates import CandidateSpace
from bot.matching.constraints import chain_index, explicit_forbidden
from bot.matching.population import Population
from bot.matching.score import ExactScorer, max_score
from bot.matching.solver import lexicographic_big, solve_pairs
from bot.matching.synthetic import synthetic_population

T = TypeVar("T")
RULES = Rules(reverse_order_required=True)
TRACE_UP_TO = 20_000  # above, the traced whole run would take minutes: see peak RSS instead


def measured(fn: Callable[[], T]) -> tuple[T, float, float]:
    tracemalloc.start()
    start = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return out, seconds, peak


def greedy(mentee: Any, mentor: Any, score: Any, capacity: Any) -> tuple[int, int]:
    """Best edge first, as a hand-run spreadsheet would."""
    order = np.lexsort((mentor, mentee, -score))
    room = capacity.copy()
    taken: set[int] = set()
    served, total = 0, 0
    for e in order.tolist():
        j, i = int(mentee[e]), int(mentor[e])
        if j in taken or room[i] <= 0:
            continue
        taken.add(j)
        room[i] -= 1
        served += 1
        total += int(score[e])
    return served, total


def bare_ortools(mentee: Any, mentor: Any, score: Any, capacity: Any, big: int) -> float:
    from ortools.graph.python import min_cost_flow

    start = time.perf_counter()
    mj, tail = np.unique(mentee, return_inverse=True)
    mi, head = np.unique(mentor, return_inverse=True)
    m, n = mj.size, mi.size
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate([2 + tail, np.zeros(m, dtype=np.int64), 2 + m + np.arange(n), [0]]),
        np.concatenate([2 + m + head, 2 + np.arange(m), np.ones(n, dtype=np.int64), [1]]),
        np.concatenate([np.ones(tail.size + m, dtype=np.int64), capacity[mi], [m]]),
        np.concatenate([-(big + score), np.zeros(m + n + 1, dtype=np.int64)]),
    )
    supplies = np.zeros(2 + m + n, dtype=np.int64)
    supplies[0], supplies[1] = m, -m
    flow.set_nodes_supplies(np.arange(2 + m + n), supplies)
    assert flow.solve() == flow.OPTIMAL
    return time.perf_counter() - start


def dense(pop: Population, weights: Weights) -> tuple[tuple[int, int], float, float]:
    from scipy.optimize import linear_sum_assignment

    from bot.matching.constraints import pair_feasible

    def run() -> tuple[int, int]:
        chain = chain_index(pop.org)
        forbidden = explicit_forbidden(pop, chain)
        m, n = pop.mentees.size, pop.mentors.size
        j, i = (a.reshape(-1) for a in np.meshgrid(np.arange(m), np.arange(n), indexing="ij"))
        ok = pair_feasible(pop, RULES, chain, forbidden, j, i)
        score = ExactScorer(pop, RULES, weights).scores(j, i)
        big = lexicographic_big(m, max_score(weights))
        value = np.where(ok, big + score, 0).reshape(m, n)
        del j, i, ok
        slots = np.repeat(np.arange(n), pop.mentors.capacity)
        rows, cols = linear_sum_assignment(value[:, slots], maximize=True)
        taken = value[rows, slots[cols]] > 0
        return int(taken.sum()), int((value[rows, slots[cols]][taken] - big).sum())

    return measured(run)


def one_size(size: int, k: int, mentor_k: int, dense_at: int, tolerance: float) -> None:
    weights = Weights()
    pop = synthetic_population(size, seed=size)
    print(
        f"\n== {size:,} mentees x {pop.mentors.size:,} mentors "
        f"(capacities 1-3, k={k}, mentor_k={mentor_k}; load {os.getloadavg()[0]:.2f})"
    )

    def candidates() -> tuple[Any, Any, Any]:
        chain = chain_index(pop.org)
        space = CandidateSpace(pop, RULES, weights, chain, explicit_forbidden(pop, chain))
        cands = space.top_k(k, mentor_k=mentor_k)
        return (
            cands.mentee,
            cands.mentor,
            ExactScorer(pop, RULES, weights).scores(cands.mentee, cands.mentor),
        )

    (mentee, mentor, score), _, m_cand = measured(candidates)
    start = time.perf_counter()  # timed untraced too: tracemalloc slows NumPy code down
    candidates()
    t_cand = time.perf_counter() - start
    big = lexicographic_big(pop.mentees.size, max_score(weights))
    cap = pop.mentors.capacity
    _, _, m_solve = measured(lambda: solve_pairs(mentee, mentor, score, cap, big))
    start = time.perf_counter()  # timed untraced, like the bare call it is compared with
    solve_pairs(mentee, mentor, score, cap, big)
    t_solve = time.perf_counter() - start

    def run(tolerance: float = 0.0) -> Any:
        return propose_pairings(
            pop, RULES, weights, k=k, mentor_k=mentor_k, gap_tolerance=tolerance
        )

    # Timed without tracemalloc (it slows NumPy-heavy code by half); traced once for memory.
    start = time.perf_counter()
    result = run()
    t_all = time.perf_counter() - start
    close, t_close = None, 0.0
    if tolerance > 0:
        start = time.perf_counter()
        close = run(tolerance)
        t_close = time.perf_counter() - start
    m_all = measured(run)[2] if size <= TRACE_UP_TO else float("nan")
    t_fresh, rss_peak, rss_before = fresh_process_run(size, k, mentor_k)
    t_bare = bare_ortools(mentee, mentor, score, cap, big)
    g_served, g_total = greedy(mentee, mentor, score, cap)
    ours_total = round(result.stats.total_score * 1000)
    opt = result.stats.optimality
    tm = result.stats.timings
    print(f"candidate generation  {t_cand:7.2f} s  peak {m_cand:8.1f} MB  ({mentee.size:,} edges)")
    print(f"solve (our call)      {t_solve:7.2f} s  peak {m_solve:8.1f} MB")
    print(
        f"whole run             {t_all:7.2f} s  peak {m_all:8.1f} MB  "
        f"(candidates {tm['candidates']:.2f}, solve {tm['solve']:.2f}, "
        f"certify {tm['certify']:.2f}, explain {tm['explain']:.2f})"
    )
    print(
        f"whole run, new process {t_fresh:6.2f} s  peak RSS {rss_peak:,} MB "
        f"(peak {rss_before:,} MB before the match: imports and population)"
    )
    print(
        f"optimality            {opt.status} (gap {opt.gap}, rounds {opt.rounds}, "
        f"added edges {opt.added_edges:,}, rows checked {opt.rows_checked:,})"
    )
    if close is not None:
        co, ct = close.stats.optimality, close.stats.timings
        print(
            f"with gap <= {tolerance:.2%}     {t_close:7.2f} s  {co.status} (proven gap "
            f"{co.gap_score:.3f} points = {co.gap_score / max(close.stats.total_score, 1e-9):.4%}, "
            f"rounds {co.rounds}; candidates {ct['candidates']:.2f}, solve {ct['solve']:.2f}, "
            f"certify {ct['certify']:.2f}, explain {ct['explain']:.2f})"
        )
    print(
        f"served                ours {result.stats.served:,} / greedy {g_served:,} / "
        f"mentees {pop.mentees.size:,}; average score {result.stats.average_score:.3f}"
    )
    print(
        f"(a) vs greedy         score ratio {ours_total / max(g_total, 1):.4f}, "
        f"served {result.stats.served - g_served:+,}"
    )
    print(
        f"(b) vs bare OR-Tools  bare {t_bare:.2f} s; our solve / bare {t_solve / t_bare:.2f}x; "
        f"engine's flow solves, all rounds / bare {tm['solve'] / t_bare:.2f}x; "
        f"solve+certify / bare {(tm['solve'] + tm['certify']) / t_bare:.2f}x"
    )
    if size == dense_at:
        (d_served, d_total), t_dense, m_dense = dense(pop, weights)
        same = (d_served, d_total) == (result.stats.served, ours_total)
        print(
            f"(c) vs dense Hungarian {t_dense:.2f} s peak {m_dense:.0f} MB; whole run / dense "
            f"{t_all / t_dense:.3f}x; equal optimum: {same}"
        )
    print(f"process peak RSS so far {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10} MB")


def child(size: int, k: int, mentor_k: int) -> None:
    """Run in a fresh process: the whole match, the process's peak RSS and its peak before."""
    pop = synthetic_population(size, seed=size)
    before = peak_rss_mb()
    start = time.perf_counter()
    propose_pairings(pop, RULES, Weights(), k=k, mentor_k=mentor_k)
    seconds = time.perf_counter() - start
    print(f"{seconds:.2f} {peak_rss_mb()} {before}")


def peak_rss_mb() -> int:
    """This process's peak RSS. Linux carries ``ru_maxrss`` over from the parent through fork
    and exec, so the kernel's own high-water mark of this address space is read instead."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) >> 10
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10


def fresh_process_run(size: int, k: int, mentor_k: int) -> tuple[float, int, int]:
    """(seconds, peak RSS MB, peak RSS MB before the match) of a whole run in a new process."""
    argv = ["--child", str(size), "--k", str(k), "--mentor-k", str(mentor_k)]
    out = subprocess.run(
        [sys.executable, __file__, *argv],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[0]), int(out[1]), int(out[2])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--dense", type=int, default=5000, help="size compared with dense (0: off)")
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--mentor-k", type=int, default=12, help="best mentees kept per mentor")
    parser.add_argument(
        "--tolerance", type=float, default=0.001, help="also time a run stopping at this gap"
    )
    parser.add_argument("--child", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.k, args.mentor_k)
        return
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.dense and args.dense not in sizes:
        sizes = sorted([*sizes, args.dense])
    for size in sizes:
        one_size(size, args.k, args.mentor_k, args.dense, args.tolerance)


if __name__ == "__main__":
    main()
