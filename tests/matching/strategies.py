"""Hypothesis strategies: small programs with every awkward feature the data can have."""

from __future__ import annotations

from hypothesis import strategies as st

from bot.matching.population import Enrollee, OrgPerson, Population, build_population

STAGES = ("junior", "senior", "executive")
SKILLS = ("seo", "social_ads", "generative_ai")
LANGS = ("fr", "en", "es")


@st.composite
def enrollee(draw: st.DrawFn, person_id: str) -> Enrollee:
    start = draw(st.integers(0, 2 * 1440))
    return Enrollee(
        person_id=person_id,
        department=draw(st.sampled_from([None, "sales", "it"])),
        stage=draw(st.sampled_from([None, *STAGES])),
        languages=tuple(
            draw(st.lists(st.sampled_from(LANGS), min_size=1, max_size=2, unique=True))
        ),
        skills=draw(st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 5), max_size=3)),
        back=tuple(
            draw(st.lists(st.sampled_from(["strategy", "network"]), max_size=2, unique=True))
        ),
        availability=((start, start + draw(st.integers(0, 600))),),
        format=draw(st.sampled_from(["remote", "in_person", "either"])),
        location=draw(st.sampled_from([None, "paris", "montreal"])),
        capacity=draw(st.integers(0, 3)),
        active=draw(st.booleans()) or draw(st.booleans()),
    )


@st.composite
def populations(draw: st.DrawFn, max_mentees: int = 4, max_mentors: int = 3) -> Population:
    size = draw(st.integers(2, 9))
    ids = [f"p{k}" for k in range(size)]
    # any manager links at all: chains, forests, self-loops and cycles
    managers = draw(st.lists(st.integers(-1, size - 1), min_size=size, max_size=size))
    people = [OrgPerson(ids[k], ids[m] if m >= 0 else None) for k, m in enumerate(managers)]
    mentee_ids = draw(st.lists(st.sampled_from(ids), max_size=max_mentees, unique=True))
    mentor_ids = draw(st.lists(st.sampled_from(ids), max_size=max_mentors, unique=True))
    pairs = st.tuples(st.sampled_from(ids), st.sampled_from(ids))
    return build_population(
        people,
        [draw(enrollee(p)) for p in mentor_ids],
        [draw(enrollee(p)) for p in mentee_ids],
        stages=STAGES,
        skills=SKILLS,
        blocks=draw(st.lists(pairs, max_size=2)),
        past_pairs=draw(st.lists(pairs, max_size=2)),
    )
