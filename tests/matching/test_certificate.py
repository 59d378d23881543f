"""The certificate against a dense solve over all pairs (SciPy's Hungarian on mentor slots)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from bot.matching import Population, Rules, Weights, propose_pairings
from bot.matching.constraints import chain_index, explicit_forbidden, pair_feasible
from bot.matching.score import ExactScorer, max_score
from bot.matching.solver import lexicographic_big
from bot.matching.synthetic import synthetic_population


def dense_optimum(pop: Population, rules: Rules, weights: Weights) -> tuple[int, int]:
    """(served, total integer score) from linear_sum_assignment over every pair."""
    chain = chain_index(pop.org)
    forbidden = explicit_forbidden(pop, chain)
    m, n = pop.mentees.size, pop.mentors.size
    j, i = (a.reshape(-1) for a in np.meshgrid(np.arange(m), np.arange(n), indexing="ij"))
    ok = pair_feasible(pop, rules, chain, forbidden, j, i) & (pop.mentors.capacity[i] > 0)
    score = ExactScorer(pop, rules, weights).scores(j, i)
    big = lexicographic_big(m, max_score(weights))
    value = np.where(ok, big + score, 0).reshape(m, n)
    slots = np.repeat(np.arange(n), pop.mentors.capacity)
    rows, cols = linear_sum_assignment(value[:, slots], maximize=True)
    taken = value[rows, slots[cols]] > 0
    total = int(score.reshape(m, n)[rows[taken], slots[cols][taken]].sum())
    return int(taken.sum()), total


@pytest.mark.parametrize(
    ("size", "k", "rules"),
    [
        (150, 2, Rules(reverse_order_required=True)),
        (300, 3, Rules(cross_department_only=True)),
        (400, 5, Rules(reverse_order_required=True, cross_department_only=True)),
    ],
)
def test_certified_result_equals_the_dense_optimum(size: int, k: int, rules: Rules) -> None:
    pop = synthetic_population(size, seed=size)
    result = propose_pairings(pop, rules, k=k)
    assert result.stats.optimality.status == "optimal"
    got = (len(result.pairs), round(sum(p.score for p in result.pairs) * 1000))
    assert got == dense_optimum(pop, rules, Weights())


def test_scarce_mentors_still_certified_against_dense() -> None:
    pop = synthetic_population(300, 60, seed=7)  # five mentees per mentor: capacity binds
    rules = Rules(reverse_order_required=True)
    result = propose_pairings(pop, rules, k=2)
    assert result.stats.optimality.status == "optimal"
    got = (len(result.pairs), round(sum(p.score for p in result.pairs) * 1000))
    assert got == dense_optimum(pop, rules, Weights())


@pytest.mark.slow
@pytest.mark.timeout(180)  # about 10 s here
def test_certificate_at_two_thousand() -> None:
    pop = synthetic_population(2000, seed=2000)
    rules = Rules(reverse_order_required=True)
    result = propose_pairings(pop, rules, k=4)
    assert result.stats.optimality.status == "optimal"
    got = (len(result.pairs), round(sum(p.score for p in result.pairs) * 1000))
    assert got == dense_optimum(pop, rules, Weights())


def test_without_widening_a_small_k_reports_a_gap_not_a_false_optimum() -> None:
    pop = synthetic_population(300, 60, seed=7)
    rules = Rules(reverse_order_required=True)
    result = propose_pairings(pop, rules, k=1, max_rounds=0)
    exact = dense_optimum(pop, rules, Weights())
    got = (len(result.pairs), round(sum(p.score for p in result.pairs) * 1000))
    if got != exact:
        assert result.stats.optimality.status == "gap"
        big = lexicographic_big(pop.mentees.size, max_score(Weights()))
        lost = (exact[0] - got[0]) * big + exact[1] - got[1]
        assert 0 < lost <= result.stats.optimality.gap


def test_a_longer_augmenting_path_still_serves_the_most_mentees() -> None:
    """Serving a third mentee costs two strong pairs (a1-b1, a2-b2 become a1-c, a2-b1, x-b2):
    a solver that weighed a served mentee barely above one pair's score would keep the two
    strong pairs; the engine must still serve all three."""
    from bot.matching import Enrollee, build_population

    def who(pid: str, langs: tuple[str, ...], skills: dict[str, int]) -> Enrollee:
        return Enrollee(pid, languages=langs, skills=skills, availability=((600, 1200),))

    mentors = [
        who("b1", ("p", "q"), {"seo": 5}),
        who("b2", ("r", "u"), {"ads": 5}),
        who("c", ("s",), {}),
    ]
    mentees = [
        who("a1", ("p", "s"), {"seo": 1}),
        who("a2", ("q", "r"), {"ads": 1}),
        who("x", ("u",), {}),
    ]
    pop = build_population([], mentors, mentees, stages=("junior",))
    weights = Weights(skills=5, reverse=0, time_overlap=0, format=0, reach=0, stage_gap=0)
    result = propose_pairings(pop, Rules(), weights, k=1)
    assert sorted((p.mentee_id, p.mentor_id) for p in result.pairs) == [
        ("a1", "c"),
        ("a2", "b1"),
        ("x", "b2"),
    ]
    assert result.stats.optimality.status == "optimal"


def test_a_gap_tolerance_stops_early_with_an_honest_bound() -> None:
    pop = synthetic_population(400, 150, seed=11)
    rules = Rules(reverse_order_required=True)
    result = propose_pairings(pop, rules, k=2, gap_tolerance=0.01)
    opt = result.stats.optimality
    exact = dense_optimum(pop, rules, Weights())
    got = (len(result.pairs), round(sum(p.score for p in result.pairs) * 1000))
    assert got[0] == exact[0]  # the tolerance never trades away a served mentee
    assert exact[1] - got[1] <= opt.gap <= 0.01 * got[1]
    assert (opt.status == "optimal") == (opt.gap == 0)


@pytest.mark.parametrize("seed", [7, 8])
def test_edges_left_out_of_a_solve_are_checked_again(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Re-solves leave out edges far below their duals; with nothing kept but the tight
    edges, the ones that turn out to matter must come back and the optimum stay exact."""
    from bot.matching import widening

    monkeypatch.setattr(widening, "PRUNE", 0)
    pop = synthetic_population(300, 90, seed=seed)
    rules = Rules(reverse_order_required=True)
    result = propose_pairings(pop, rules, k=2, max_rounds=30)
    assert result.stats.optimality.status == "optimal"
    got = (len(result.pairs), round(sum(p.score for p in result.pairs) * 1000))
    assert got == dense_optimum(pop, rules, Weights())


@pytest.mark.parametrize(
    ("size", "mentors", "seed"), [(300, 90, 7), (400, 150, 11), (2000, 600, 3)]
)
def test_price_drop_cuts_forced_small_keep_the_dense_optimum(
    size: int, mentors: int, seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows are cleared by checking the mentors whose price dropped most exactly and
    bounding the rest by the next drop; with tiny cuts nearly every row goes that way, so a
    cut that left out one dropped mentor (an unsound bound) would miss the optimum."""
    from bot.matching import widening

    monkeypatch.setattr(widening, "SHARP", 1)
    monkeypatch.setattr(widening, "CUTS", (1, 2, 5, 13))
    monkeypatch.setattr(widening, "PRUNE", 0)
    pop = synthetic_population(size, mentors, seed=seed)
    rules = Rules(reverse_order_required=True)
    result = propose_pairings(pop, rules, k=2, mentor_k=1, max_rounds=40)
    assert result.stats.optimality.status == "optimal"
    got = (len(result.pairs), round(sum(p.score for p in result.pairs) * 1000))
    assert got == dense_optimum(pop, rules, Weights())
