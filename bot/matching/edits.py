"""An admin's edits of a dry run, held to the solver's rules: a new pin is checked before it
is kept, and an edited pair (a swap) is checked, then re-scored and re-explained like any
pair the solver makes."""

from __future__ import annotations

from dataclasses import dataclass

from bot.matching.constraints import chain_index, explicit_forbidden
from bot.matching.engine import ProposedPair, explain_pairs
from bot.matching.pins import new_pin_obstacles, pair_obstacles, rows_of
from bot.matching.population import Population, Rules, Weights


@dataclass(frozen=True)
class EditedPairs:
    pairs: list[ProposedPair]  # every pair, scored and explained, when all may be made
    broken: list[tuple[str, str, list[str]]]  # (mentor id, mentee id, rules) otherwise


def pin_obstacles(pop: Population, rules: Rules, mentor_id: str, mentee_id: str) -> list[str]:
    """Why pinning this mentor to this mentee cannot stand (empty: it can)."""
    chain = chain_index(pop.org)
    return new_pin_obstacles(
        pop, rules, chain, explicit_forbidden(pop, chain), (mentor_id, mentee_id)
    )


def edit_pairs(
    pop: Population, rules: Rules, weights: Weights, pairs: list[tuple[str, str]]
) -> EditedPairs:
    """(mentor id, mentee id) pairs an admin's edit makes; the edit moves no capacity (a
    swap keeps each mentor's number of pairs), so only the other hard rules are checked."""
    chain = chain_index(pop.org)
    forbidden = explicit_forbidden(pop, chain)
    broken = [
        (mentor, mentee, why)
        for mentor, mentee in pairs
        if (why := pair_obstacles(pop, rules, chain, forbidden, mentor, mentee))
    ]
    if broken:
        return EditedPairs([], broken)
    mentor_of, mentee_of = rows_of(pop)
    rows = [(mentor_of[mentor], mentee_of[mentee]) for mentor, mentee in pairs]
    return EditedPairs(explain_pairs(pop, rules, weights, rows), [])
