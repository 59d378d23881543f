"""Every reason the matching engine emits has words in French and English, never a raw key."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.matching import Enrollee, OrgPerson, Rules, build_population, propose_pairings
from bot.matching.synthetic import synthetic_population
from dialogs.core.i18n import Translator
from dialogs.matching.reasons import KNOWN_CODES, describe, describe_all

STAGES = ("junior", "senior")
NAMES = {"lea": "Léa", "marc": "Marc", "ana": "Ana", "bob": "Bob", "cy": "Cy", "dee": "Dee"}
LABELS = {
    "en": {"seo": "SEO", "social_ads": "social ads", "tiktok_ads": "TikTok ads",
           "leadership": "leadership"},
    "fr": {"seo": "le SEO", "social_ads": "la publicité sociale", "tiktok_ads": "les pubs TikTok",
           "leadership": "le leadership"},
}  # fmt: skip
MONDAY_9_TO_12 = ((9 * 60, 12 * 60),)


def someone(pid: str, **kw: Any) -> Enrollee:
    base: dict[str, Any] = {"languages": ("fr",), "stage": "junior", "department": "it",
                            "availability": MONDAY_9_TO_12}  # fmt: skip
    return Enrollee(person_id=pid, **{**base, **kw})


def hand_made() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """Small populations, each built to trigger some codes; yields (where, reasons)."""
    org = [OrgPerson("boss", reporting_known=True), OrgPerson("lea", "boss"),
           OrgPerson("marc", "boss"), OrgPerson("ana", "marc"), OrgPerson("bob", "cy"),
           OrgPerson("cy", "bob"), OrgPerson("dee")]  # fmt: skip
    mentors = [
        someone("lea", skills={"seo": 4, "social_ads": 5}, back=("leadership",),
                format="in_person", location="paris", capacity=1),
        someone("ana", skills={"seo": 3}, department=None, stage="junior"),
        someone("dee", skills={"seo": 3}, languages=("de",)),
    ]  # fmt: skip
    mentees = [
        someone("marc", skills={"seo": 2, "social_ads": 1, "tiktok_ads": 1}, back=("leadership",),
                stage="senior", department="sales", format="either", location="paris"),
        someone("bob", skills={"seo": 1}, stage="senior", department="sales", languages=("es",)),
        someone("cy", skills={"tiktok_ads": 1}, stage="senior", department="hr"),
        someone("x1", skills={"seo": 1}, stage="senior", department="hr", languages=("de",)),
    ]  # fmt: skip
    pop = build_population(
        org, mentors, mentees, stages=STAGES,
        pins=[("ana", "marc"), ("nobody", "cy"), ("dee", "x1")],
        blocks=[("dee", "cy")],
    )  # fmt: skip
    result = propose_pairings(pop, Rules(cross_department_only=True, reverse_order_required=True))
    yield from _all(result)
    # without pins lea teaches marc; x2 (German) loses dee to x1, who wants what dee offers
    x2 = someone("x2", skills={"tiktok_ads": 1}, stage="senior", department="hr",
                 languages=("de",))  # fmt: skip
    # x3 shares a language only with dee, in the same department
    x3 = someone("x3", skills={"seo": 1}, stage="senior", languages=("de",))
    free = build_population(org, mentors, [*mentees, x2, x3], stages=STAGES)
    yield from _all(propose_pairings(free, Rules(cross_department_only=True)))
    yield from _all(propose_pairings(build_population([], [], mentees, stages=STAGES)))
    yield "an admin's swap (storage.matching.runs)", [{"code": "admin_swap"}]


def _all(result: Any) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    for p in result.pairs:
        yield f"pair {p.mentor_id}-{p.mentee_id}", p.reasons
    for u in result.unmatched:
        yield f"unmatched {u.mentee_id}", u.reasons
    yield "hints", result.hints
    yield "warnings", result.warnings


def synthetic() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    pop = synthetic_population(150, 90, seed=3)
    yield from _all(propose_pairings(pop, Rules(cross_department_only=True,
                                                reverse_order_required=True)))  # fmt: skip


def emitted_codes() -> set[str]:
    """Every code string the engine's source can emit."""
    source = Path(__file__).resolve().parents[2] / "bot" / "matching"
    found: set[str] = set()
    for path in source.glob("*.py"):
        found |= set(re.findall(r'"code":\s*"(\w+)"', path.read_text(encoding="utf-8")))
    return found


def test_every_code_the_engine_emits_has_a_wording() -> None:
    assert emitted_codes() <= KNOWN_CODES


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_every_code_is_triggered_and_put_into_words(locale: str) -> None:
    t = Translator(locale)
    seen: dict[str, dict[str, Any]] = {}
    for _, reasons in [*hand_made(), *synthetic()]:
        for reason in reasons:
            seen.setdefault(reason["code"], reason)
            text = describe(reason, t, names=NAMES, skill_labels=LABELS[locale])
            assert text and text != t("another reason"), reason
            assert "_" not in text, (reason, text)  # no raw code or key
            assert not re.search(r"\{\w+\}", text), text  # every placeholder filled
    assert set(seen) == KNOWN_CODES
    # French and English say it differently (each has its own catalogue entry)
    en, fr = Translator("en"), Translator("fr")
    for reason in seen.values():
        kwargs: dict[str, Any] = {"names": NAMES}
        assert describe(reason, en, skill_labels=LABELS["en"], **kwargs) != describe(
            reason, fr, skill_labels=LABELS["fr"], **kwargs
        ), reason


def test_the_pair_sentence_an_admin_reads() -> None:
    reasons = [
        {"code": "teaches_wanted_skills", "skills": ["seo", "social_ads"]},
        {"code": "shared_hours", "minutes": 180},
    ]
    en = describe_all(reasons, Translator("en"), names=NAMES, skill_labels=LABELS["en"],
                      mentor="lea", mentee="marc")  # fmt: skip
    assert (
        "; ".join(en)
        == "Léa teaches SEO and social ads, which Marc wants; 3 h of shared working time"
    )
    fr = describe_all(reasons, Translator("fr"), names=NAMES, skill_labels=LABELS["fr"],
                      mentor="lea", mentee="marc")  # fmt: skip
    assert Translator("fr")("; ").join(fr) == (  # the report's separator
        "Léa enseigne le SEO et la publicité sociale, que Marc veut apprendre ; "
        "3 h de temps de travail en commun"
    )
    # without the pair's ids: the roles, not a name
    assert describe(reasons[0], Translator("en"), names={}, skill_labels={}) == (
        "The mentor teaches seo and social ads, which the mentee wants"
    )
    assert describe({"code": "shared_hours", "minutes": 150}, Translator("fr"), names={},
                    skill_labels={}) == "2 h 30 min de temps de travail en commun"  # fmt: skip


def test_the_unmatched_sentence_an_admin_reads() -> None:
    reason = {"code": "no_mentor_offers", "skills": ["tiktok_ads"], "languages": ["es"]}
    assert describe(reason, Translator("en"), names={}, skill_labels=LABELS["en"]) == (
        "no mentor offers TikTok ads in Spanish"
    )
    assert describe(reason, Translator("fr"), names={}, skill_labels=LABELS["fr"]) == (
        "aucun mentor ne propose les pubs TikTok en espagnol"
    )


def test_an_unknown_code_is_never_shown_raw() -> None:
    text = describe({"code": "brand_new_code"}, Translator("en"), names={}, skill_labels={})
    assert text == "another reason"
