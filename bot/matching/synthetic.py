"""A realistic synthetic organisation and program, seeded and deterministic.

Departments of uneven size, a management tree that follows the career ladder inside each
department, offices weighted Paris / Montréal / Singapore / others with their languages and
working hours, juniors who teach digital skills (supply skewed to social media and
collaboration tools) and seniors who want them (demand skewed to generative AI and data),
seniors who offer leadership, strategy and network back.
"""

from __future__ import annotations

import numpy as np

from bot.matching.population import (
    SLOTS_PER_WEEK,
    FloatArray,
    IntArray,
    Organisation,
    Population,
    Side,
    slots_from_intervals,
    working_hours_intervals,
)

STAGES = ("intern", "junior", "associate", "senior", "manager", "director", "executive")
STAGE_SHARE = (0.10, 0.26, 0.22, 0.18, 0.13, 0.08, 0.03)
SKILLS = (
    "generative_ai",
    "data_analysis",
    "social_media",
    "social_ads",
    "seo",
    "web_analytics",
    "e_reputation",
    "marketing_automation",
    "collaboration_tools",
    "remote_work",
    "design_thinking",
    "digital_culture",
    "younger_generations",
    "sustainability",
)
WANT_SKEW = (18, 14, 12, 7, 6, 6, 4, 4, 6, 3, 5, 6, 6, 3)
OFFER_SKEW = (8, 7, 18, 9, 5, 5, 4, 2, 14, 8, 4, 8, 10, 5)
TOPICS = ("leadership", "strategy", "network", "negotiation", "public_speaking", "finance")
DEPARTMENTS = (
    "sales",
    "engineering",
    "marketing",
    "operations",
    "finance",
    "hr",
    "legal",
    "product",
    "customer_care",
    "logistics",
    "communication",
    "it",
)
DEPARTMENT_SHARE = (18, 16, 10, 12, 7, 5, 3, 8, 9, 6, 3, 3)
# office, share, UTC offset (minutes), languages with the chance a person there speaks them
OFFICES = (
    ("paris", 45, 60, (("fr", 1.0), ("en", 0.7), ("es", 0.1), ("de", 0.06))),
    ("montreal", 20, -300, (("fr", 0.85), ("en", 0.9))),
    ("singapore", 15, 480, (("en", 1.0), ("zh", 0.45), ("ms", 0.1))),
    ("london", 5, 0, (("en", 1.0), ("fr", 0.15))),
    ("new_york", 5, -300, (("en", 1.0), ("es", 0.25))),
    ("sao_paulo", 4, -180, (("pt", 1.0), ("en", 0.55), ("es", 0.3))),
    ("bangalore", 3, 330, (("en", 1.0), ("hi", 0.7))),
    ("sydney", 3, 600, (("en", 1.0),)),
)
LANGUAGES = ("de", "en", "es", "fr", "hi", "ms", "pt", "zh")
# Local weekly windows: full working week, or a narrower choice a person might make.
WINDOWS = (
    [(d, 9 * 60, 18 * 60) for d in range(5)],
    [(d, 8 * 60, 12 * 60) for d in range(5)],
    [(d, 13 * 60, 18 * 60) for d in (1, 3)],
    [(d, 12 * 60, 14 * 60) for d in range(5)],
    [(d, 16 * 60, 19 * 60) for d in (0, 2, 4)],
)
WINDOW_SHARE = (60, 12, 10, 10, 8)


def _p(weights: tuple[float, ...]) -> FloatArray:
    w = np.asarray(weights, dtype=np.float64)
    out: FloatArray = w / w.sum()
    return out


def synthetic_population(
    mentees: int, mentors: int | None = None, *, seed: int = 0, unknown_manager_share: float = 0.02
) -> Population:
    """A program with ``mentees`` mentees and ``mentors`` mentors (default: as many)."""
    mentors = mentees if mentors is None else mentors
    rng = np.random.default_rng(seed)
    junior, senior = sum(STAGE_SHARE[:3]), sum(STAGE_SHARE[3:])
    size = int(max(mentors / junior, mentees / senior) * 1.1) + 8
    stage = rng.choice(len(STAGES), size=size, p=_p(STAGE_SHARE))
    stage[0] = len(STAGES) - 1  # the chief executive
    dept = rng.choice(len(DEPARTMENTS), size=size, p=_p(DEPARTMENT_SHARE))
    manager = _management_tree(rng, stage, dept)
    juniors = np.flatnonzero(stage <= 2)
    seniors = np.flatnonzero(stage >= 3)
    mentor_people = np.sort(rng.choice(juniors, size=min(mentors, juniors.size), replace=False))
    mentee_people = np.sort(rng.choice(seniors, size=min(mentees, seniors.size), replace=False))
    known = np.ones(size, dtype=np.bool_)
    known[0] = True  # the top of the tree is known to be the top
    enrolled = np.concatenate([mentor_people, mentee_people])
    lost = enrolled[rng.random(enrolled.size) < unknown_manager_share]
    manager[lost] = -1
    known[lost] = False
    office = rng.choice(len(OFFICES), size=size, p=_p(tuple(o[1] for o in OFFICES)))
    window = rng.choice(len(WINDOWS), size=size, p=_p(WINDOW_SHARE))
    templates = np.stack(
        [
            slots_from_intervals([(d * 1440 + a - o[2], d * 1440 + b - o[2]) for d, a, b in w])
            for o in OFFICES
            for w in WINDOWS
        ]
    )
    languages = np.zeros(size, dtype=np.uint64)
    for k, (_, _, _, langs) in enumerate(OFFICES):
        here = office == k
        for lang, chance in langs:
            speaks = here & (rng.random(size) < chance)
            languages[speaks] |= np.uint64(1 << LANGUAGES.index(lang))
        first = 1 << LANGUAGES.index(langs[0][0])
        languages[here & (languages == 0)] = np.uint64(first)

    def side(people: IntArray, teaching: bool) -> Side:
        n = people.size
        skills = np.zeros((n, len(SKILLS)), dtype=np.int8)
        count = rng.integers(2, 5, size=n) if teaching else rng.integers(1, 5, size=n)
        keys = rng.random((n, len(SKILLS))) ** (1.0 / _p(OFFER_SKEW if teaching else WANT_SKEW))
        chosen = np.argsort(-keys, axis=1)
        levels = (
            rng.integers(3, 6, size=(n, len(SKILLS)))
            if teaching
            else rng.integers(1, 4, size=(n, len(SKILLS)))
        )
        for c in range(4):
            rows = np.flatnonzero(count > c)
            skills[rows, chosen[rows, c]] = levels[rows, c]
        back = rng.random((n, len(TOPICS))) < (0.3 if teaching else 0.4)
        fmt = rng.choice(3, size=n, p=_p((60, 10, 30)))
        return Side(
            person=people.astype(np.int64),
            department=dept[people].astype(np.int64),
            stage=stage[people].astype(np.int64),
            languages=languages[people],
            skills=skills,
            back=back,
            availability=templates[office[people] * len(WINDOWS) + window[people]],
            format=fmt.astype(np.int64),
            location=office[people].astype(np.int64),
            capacity=(
                rng.choice(3, size=n, p=_p((50, 30, 20))) + 1 if teaching else np.ones(n)
            ).astype(np.int64),
            active=np.ones(n, dtype=np.bool_),
        )

    return Population(
        org=Organisation(tuple(f"p{seed}-{k:06d}" for k in range(size)), manager, known),
        mentors=side(mentor_people, True),
        mentees=side(mentee_people, False),
        skills=SKILLS,
        back_topics=TOPICS,
        languages=LANGUAGES,
        departments=DEPARTMENTS,
        locations=tuple(o[0] for o in OFFICES),
        stages=STAGES,
    )


def _management_tree(rng: np.random.Generator, stage: IntArray, dept: IntArray) -> IntArray:
    """Each person reports to someone one or more stages up in their department (else the
    chief executive), so the tree is as deep as the ladder and departments are subtrees."""
    size = stage.size
    manager = np.zeros(size, dtype=np.int64)
    manager[0] = -1
    top = len(STAGES) - 1
    for d in range(len(DEPARTMENTS)):
        for s in range(top):
            staff = np.flatnonzero((dept == d) & (stage == s))
            staff = staff[staff != 0]
            for up in range(s + 1, top + 1):
                bosses = np.flatnonzero((dept == d) & (stage == up))
                bosses = bosses[bosses != 0]
                if bosses.size:
                    manager[staff] = rng.choice(bosses, size=staff.size)
                    break
    manager[(stage == top) & (np.arange(size) != 0)] = 0
    return manager


__all__ = ["SLOTS_PER_WEEK", "synthetic_population", "working_hours_intervals"]
