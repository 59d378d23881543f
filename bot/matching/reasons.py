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
_STAGE = COMPONENTS.index("stage_gap")


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
    """Top reasons per pair, strongest weighted component first, then the admin's flags.

    Which components are shown, in which order, and the skill and topic lists are worked out
    for all pairs at once; the loop only writes the dictionaries.
    """
    me, mo = pop.mentees, pop.mentors
    weighted = comps * weights.as_array()
    shown = weighted > 0
    sj, si = me.stage[j], mo.stage[i]
    shown[:, _STAGE] &= (sj >= 0) & (si >= 0) & (sj > si)
    order = np.argsort(-weighted, axis=1, kind="stable")
    ranked = np.take_along_axis(shown, order, axis=1)
    both = (me.skills[j] > 0) & (mo.skills[i] > 0)
    # the biggest gaps first (lowest current level): what the mentee needs most
    skill_order = np.argsort(np.where(both, me.skills[j], 127), axis=1, kind="stable")
    skill_count = both.sum(axis=1)
    back = me.back[j] & mo.back[i]
    remote = (me.format[j] != IN_PERSON) & (mo.format[i] != IN_PERSON)
    known = pop.org.reporting_known
    unknown_line = ~(known[me.person[j]] & known[mo.person[i]])
    dept_j, dept_i = me.department[j], mo.department[i]
    unknown_dept = (dept_j < 0) | (dept_i < 0)
    loc_j = me.location[j]
    rows = zip(
        order.tolist(),
        ranked.tolist(),
        skill_order.tolist(),
        skill_count.tolist(),
        back.tolist(),
        minutes.tolist(),
        remote.tolist(),
        loc_j.tolist(),
        dept_j.tolist(),
        dept_i.tolist(),
        sj.tolist(),
        si.tolist(),
        unknown_line.tolist(),
        unknown_dept.tolist(),
        strict=True,
    )
    out: list[list[Reason]] = []
    for comp_order, ok, sk, sk_n, bk, mins, rem, loc, dj, di, stj, sti, line, dept in rows:
        reasons: list[Reason] = []
        for c, show in zip(comp_order, ok, strict=True):
            if not show:
                continue
            if len(reasons) == TOP_REASONS:
                break
            name = COMPONENTS[c]
            if name == "skills":
                skills = [pop.skills[s] for s in sk[:sk_n]]
                reasons.append({"code": "teaches_wanted_skills", "skills": skills})
            elif name == "reverse":
                topics = [pop.back_topics[t] for t, b in enumerate(bk) if b]
                reasons.append({"code": "learns_back", "topics": topics})
            elif name == "time_overlap":
                reasons.append({"code": "shared_hours", "minutes": mins})
            elif name == "format":
                if rem:
                    reasons.append({"code": "meets_remotely"})
                else:
                    reasons.append({"code": "same_location", "location": pop.locations[loc]})
            elif name == "reach":
                reasons.append(
                    {
                        "code": "cross_department",
                        "mentor_department": pop.departments[di],
                        "mentee_department": pop.departments[dj],
                    }
                )
            else:
                reasons.append(
                    {
                        "code": "career_stage_gap",
                        "mentor_stage": pop.stages[sti],
                        "mentee_stage": pop.stages[stj],
                    }
                )
        if line:
            reasons.append({"code": "reporting_line_unknown"})
        if rules.cross_department_only and dept:
            reasons.append({"code": "department_unknown"})
        out.append(reasons)
    return out


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
