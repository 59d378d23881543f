"""Admin pins and edits as preferences: a pin or an edited pair stands only where the solver
itself could have made the pair.

The hard rules are the solver's: management chain, an admin's block, a past or active
pairing, a shared language, the program's career-stage and department rules, and capacity
(a mentee has one partner; a mentor has the room their enrollment gives, minus active
pairings and waiting proposals). A pin that breaks one is dropped with its reasons, never
forced through: the admin reads why, and the program's rules hold.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from bot.matching.constraints import (
    FORBID_BLOCK,
    FORBID_CHAIN,
    FORBID_PAST,
    ChainIndex,
    PairIndex,
    department_ok,
    language_ok,
    stage_ok,
)
from bot.matching.population import Population, Rules
from bot.matching.reasons import Reason

# Why a pin or an edited pair cannot stand (the words are in dialogs.matching.reasons).
NOT_ENROLLED = "not_enrolled"  # not an active mentor / mentee of the program
PINNED_TWICE = "pinned_twice"  # the mentee is pinned to another mentor already
ALREADY_PAIRED = "already_paired"  # the mentee has a partner or a waiting proposal
NO_ROOM = "no_room"  # the mentor's capacity is used up
_FORBIDDEN = {
    FORBID_CHAIN: "management_chain",
    FORBID_BLOCK: "admin_block",
    FORBID_PAST: "past_pair",
}


@dataclass(frozen=True)
class PinCheck:
    kept: list[tuple[int, int]]  # (mentor row, mentee row) of each pin that stands
    dropped: list[Reason]  # {"code": "pin_dropped", "mentor", "mentee", "rules": [...]}


def rows_of(pop: Population) -> tuple[dict[str, int], dict[str, int]]:
    """Mentor row and mentee row of each enrolled person id."""
    ids = pop.org.person_ids
    mentor_of = {ids[int(p)]: r for r, p in enumerate(pop.mentors.person.tolist())}
    mentee_of = {ids[int(p)]: r for r, p in enumerate(pop.mentees.person.tolist())}
    return mentor_of, mentee_of


def rule_obstacles(
    pop: Population, rules: Rules, chain: ChainIndex, forbidden: PairIndex, j: int, i: int
) -> list[str]:
    """The hard rules (all but capacity) that mentee row ``j`` with mentor row ``i`` breaks."""
    ja, ia = np.array([j]), np.array([i])
    out: list[str] = []
    if chain.same_chain(pop.mentees.person[ja], pop.mentors.person[ia])[0]:
        out.append("management_chain")
    hits = (forbidden.mentee == j) & (forbidden.mentor == i)
    for kind in sorted(set(forbidden.kind[hits].tolist())):
        if _FORBIDDEN[kind] not in out:
            out.append(_FORBIDDEN[kind])
    if not language_ok(pop, ja, ia)[0]:
        out.append("language")
    if not stage_ok(pop, rules, ja, ia)[0]:
        out.append("career_stage")
    if not department_ok(pop, rules, ja, ia)[0]:
        out.append("same_department")
    return out


def pair_obstacles(
    pop: Population,
    rules: Rules,
    chain: ChainIndex,
    forbidden: PairIndex,
    mentor_id: str,
    mentee_id: str,
    *,
    room: bool = True,
) -> list[str]:
    """Every reason the pair cannot be made, by person ids (empty: it may). ``room``: the
    mentor has room for it (a swap moves no capacity; a pin needs a free place)."""
    mentor_of, mentee_of = rows_of(pop)
    i, j = mentor_of.get(mentor_id), mentee_of.get(mentee_id)
    if i is None or j is None or not pop.mentors.active[i]:
        return [NOT_ENROLLED]
    out: list[str] = []
    if not pop.mentees.active[j]:
        out.append(ALREADY_PAIRED)
    if not room:
        out.append(NO_ROOM)
    return out + rule_obstacles(pop, rules, chain, forbidden, j, i)


def check_pins(pop: Population, rules: Rules, chain: ChainIndex, forbidden: PairIndex) -> PinCheck:
    """Each pin in the order the admin made them: kept when the pair may be made and the
    mentor still has room after the earlier pins, dropped with its reasons otherwise."""
    mentor_of, mentee_of = rows_of(pop)
    capacity = pop.mentors.capacity.copy()
    kept: list[tuple[int, int]] = []
    dropped: list[Reason] = []
    taken: set[int] = set()
    for mentor_id, mentee_id in pop.pins:
        i, j = mentor_of.get(mentor_id), mentee_of.get(mentee_id)
        if i is not None and j is not None and j in taken:
            why = [PINNED_TWICE]
        else:
            room = i is not None and int(capacity[i]) > 0
            why = pair_obstacles(pop, rules, chain, forbidden, mentor_id, mentee_id, room=room)
        if why:
            dropped.append(
                {"code": "pin_dropped", "mentor": mentor_id, "mentee": mentee_id, "rules": why}
            )
            continue
        assert i is not None and j is not None
        taken.add(j)
        capacity[i] -= 1
        kept.append((i, j))
    return PinCheck(kept, dropped)


def new_pin_obstacles(
    pop: Population,
    rules: Rules,
    chain: ChainIndex,
    forbidden: PairIndex,
    pin: tuple[str, str],
) -> list[str]:
    """Why a pin the admin is making now cannot stand, given the pins already made."""
    earlier = tuple(p for p in pop.pins if p != pin)
    check = check_pins(replace(pop, pins=(*earlier, pin)), rules, chain, forbidden)
    for reason in check.dropped:
        if (reason["mentor"], reason["mentee"]) == pin:
            return list(reason["rules"])
    return []
