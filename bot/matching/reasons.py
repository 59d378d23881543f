"""Why a pair was proposed, why a mentee is left without one, and whom to recruit.

Reasons are codes with parameters (JSON-ready dicts); the dialogs layer puts them into words
in the reader's language, so nothing here is a sentence.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

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
from bot.matching.population import IN_PERSON, FloatArray, IntArray, Population, Rules, Weights
from bot.matching.score import COMPONENTS

Reason = dict[str, Any]
TOP_REASONS = 3


def _languages(pop: Population, mask: int) -> list[str]:
    return [lang for b, lang in enumerate(pop.languages) if mask >> b & 1]


def pair_reasons(
    pop: Population,
    rules: Rules,
    weights: Weights,
    j: IntArray,
    i: IntArray,
    comps: FloatArray,
    minutes: IntArray,
) -> list[list[Reason]]:
    """Top reasons per pair, strongest weighted component first, then the admin's flags."""
    me, mo = pop.mentees, pop.mentors
    weighted = comps * weights.as_array()
    both = (me.skills[j] > 0) & (mo.skills[i] > 0)
    back = me.back[j] & mo.back[i]
    known = pop.org.reporting_known
    out: list[list[Reason]] = []
    for r in range(j.shape[0]):
        jr, ir = int(j[r]), int(i[r])
        found: list[tuple[float, Reason]] = []
        for c in np.argsort(-weighted[r], kind="stable").tolist():
            if weighted[r, c] <= 0:
                break
            reason = _component_reason(
                pop, COMPONENTS[c], jr, ir, both[r], back[r], int(minutes[r])
            )
            if reason is not None:
                found.append((float(weighted[r, c]), reason))
        reasons = [reason for _, reason in found[:TOP_REASONS]]
        if not (known[me.person[jr]] and known[mo.person[ir]]):
            reasons.append({"code": "reporting_line_unknown"})
        if rules.cross_department_only and (me.department[jr] < 0 or mo.department[ir] < 0):
            reasons.append({"code": "department_unknown"})
        out.append(reasons)
    return out


def _component_reason(
    pop: Population,
    name: str,
    j: int,
    i: int,
    both: np.ndarray[Any, Any],
    back: np.ndarray[Any, Any],
    minutes: int,
) -> Reason | None:
    me, mo = pop.mentees, pop.mentors
    if name == "skills":
        cols = np.flatnonzero(both)
        # the biggest gaps first: what the mentee needs most
        cols = cols[np.argsort(me.skills[j, cols], kind="stable")]
        return {"code": "teaches_wanted_skills", "skills": [pop.skills[c] for c in cols]}
    if name == "reverse":
        return {"code": "learns_back", "topics": [pop.back_topics[c] for c in np.flatnonzero(back)]}
    if name == "time_overlap":
        return {"code": "shared_hours", "minutes": minutes}
    if name == "format":
        if me.format[j] != IN_PERSON and mo.format[i] != IN_PERSON:
            return {"code": "meets_remotely"}
        return {"code": "same_location", "location": pop.locations[int(me.location[j])]}
    if name == "reach":
        return {
            "code": "cross_department",
            "mentor_department": pop.departments[int(mo.department[i])],
            "mentee_department": pop.departments[int(me.department[j])],
        }
    if name == "stage_gap" and me.stage[j] >= 0 and mo.stage[i] >= 0 and me.stage[j] > mo.stage[i]:
        return {
            "code": "career_stage_gap",
            "mentor_stage": pop.stages[int(mo.stage[i])],
            "mentee_stage": pop.stages[int(me.stage[j])],
        }
    return None


def unmatched_reasons(
    pop: Population,
    rules: Rules,
    chain: ChainIndex,
    forbidden: PairIndex,
    mentor_rows: IntArray,
    j: int,
) -> list[Reason]:
    """Why mentee row ``j`` got no mentor, most fundamental cause first."""
    me, mo = pop.mentees, pop.mentors
    if mentor_rows.size == 0:
        return [{"code": "no_mentors_in_program"}]
    jj = np.full(mentor_rows.size, j, dtype=np.int64)
    langs = _languages(pop, int(me.languages[j]))
    speaks = language_ok(pop, jj, mentor_rows)
    if not speaks.any():
        return [{"code": "no_mentor_speaks", "languages": langs}]
    reasons: list[Reason] = []
    wanted = np.flatnonzero(me.skills[j] > 0)
    offered = (mo.skills[mentor_rows[speaks]][:, wanted] > 0).any(axis=0)
    missing = [pop.skills[c] for c in wanted[~offered]]
    if missing:
        reasons.append({"code": "no_mentor_offers", "skills": missing, "languages": langs})
    pool = mentor_rows[speaks]
    jp = np.full(pool.size, j, dtype=np.int64)
    excluded: dict[str, int] = {}
    in_chain = chain.same_chain(me.person[jp], mo.person[pool])
    excluded["management_chain"] = int(in_chain.sum())
    dept = ~department_ok(pop, rules, jp, pool)
    excluded["same_department"] = int((dept & ~in_chain).sum())
    stage = ~stage_ok(pop, rules, jp, pool)
    excluded["career_stage"] = int((stage & ~in_chain & ~dept).sum())
    ok = ~in_chain & ~dept & ~stage
    mine = forbidden.mentee == j
    for kind, name in ((FORBID_BLOCK, "admin_block"), (FORBID_PAST, "past_pair")):
        banned = np.isin(pool, forbidden.mentor[mine & (forbidden.kind == kind)])
        excluded[name] = int((banned & ok).sum())
        ok &= ~banned
    counts = {k: v for k, v in excluded.items() if v}
    if not ok.any():
        reasons.append({"code": "no_eligible_mentor", "excluded": counts})
    else:
        reasons.append({"code": "mentors_at_capacity", "eligible_mentors": int(ok.sum())})
    return reasons


def recruiting_hints(
    pop: Population, unmatched: IntArray, mentor_rows: IntArray, limit: int = 5
) -> list[Reason]:
    """Skills most wanted by unmatched mentees and least offered; languages with no mentor."""
    if unmatched.size == 0:
        return []
    me, mo = pop.mentees, pop.mentors
    demand = (me.skills[unmatched] > 0).sum(axis=0)
    supply = (mo.skills[mentor_rows] > 0).sum(axis=0) if mentor_rows.size else np.zeros_like(demand)
    order = np.lexsort((np.arange(demand.size), supply, -demand))
    hints: list[Reason] = [
        {
            "code": "recruit_mentors_for",
            "skill": pop.skills[int(c)],
            "wanted_by": int(demand[c]),
            "offered_by": int(supply[c]),
        }
        for c in order[:limit]
        if demand[c] > 0
    ]
    spoken = np.bitwise_or.reduce(mo.languages[mentor_rows]) if mentor_rows.size else np.uint64(0)
    lonely: Counter[str] = Counter()
    for mask in me.languages[unmatched].tolist():
        if not int(mask) & int(spoken):
            lonely.update(_languages(pop, int(mask)))
    hints += [
        {"code": "recruit_mentors_speaking", "language": lang, "unmatched": n}
        for lang, n in sorted(lonely.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    ]
    return hints


__all__ = [
    "FORBID_CHAIN",
    "Reason",
    "pair_reasons",
    "recruiting_hints",
    "unmatched_reasons",
]
