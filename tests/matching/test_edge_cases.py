"""Bad and empty input: clear results, never an exception or a hang."""

from __future__ import annotations

from bot.matching import Enrollee, OrgPerson, Rules, build_population, propose_pairings

STAGES = ("junior", "senior")


def person(pid: str, **kw: object) -> Enrollee:
    base: dict[str, object] = {
        "languages": ("fr",),
        "skills": {"seo": 4},
        "availability": ((600, 1200),),
        "stage": "junior",
    }
    base.update(kw)
    return Enrollee(person_id=pid, **base)  # type: ignore[arg-type]


def test_no_mentors_gives_a_clear_report() -> None:
    pop = build_population([], [], [person("a", skills={"seo": 1})], stages=STAGES)
    result = propose_pairings(pop)
    assert result.pairs == []
    assert result.unmatched[0].reasons == [{"code": "no_mentors_in_program"}]
    assert result.stats.optimality.status == "optimal"
    assert result.hints[0]["skill"] == "seo"


def test_no_mentees_gives_an_empty_result() -> None:
    pop = build_population([], [person("m")], [], stages=STAGES)
    result = propose_pairings(pop)
    assert (result.pairs, result.unmatched, result.stats.served) == ([], [], 0)


def test_management_cycle_is_reported_and_blocks_its_members() -> None:
    people = [OrgPerson("a", "b"), OrgPerson("b", "c"), OrgPerson("c", "a"), OrgPerson("d", "a")]
    pop = build_population(
        people, [person("a"), person("x")], [person("d", stage="senior")], stages=STAGES
    )
    result = propose_pairings(pop)
    assert {"code": "management_cycle", "people": ["a", "b", "c"]} in result.warnings
    assert [(p.mentor_id, p.mentee_id) for p in result.pairs] == [("x", "d")]
    # with x gone, d's only mentor is above them through the cycle
    alone = build_population(people, [person("a")], [person("d")], stages=STAGES)
    left = propose_pairings(alone).unmatched[0].reasons
    assert left[-1] == {"code": "no_eligible_mentor", "excluded": {"management_chain": 1}}


def test_a_language_no_mentor_speaks() -> None:
    mentees = [person(f"e{k}", languages=("es",), skills={"social_ads": 2}) for k in range(3)]
    pop = build_population([], [person("m1"), person("m2")], mentees, stages=STAGES)
    result = propose_pairings(pop)
    assert result.pairs == []
    assert all(
        u.reasons == [{"code": "no_mentor_speaks", "languages": ["es"]}] for u in result.unmatched
    )
    assert {"code": "recruit_mentors_speaking", "language": "es", "unmatched": 3} in result.hints


def test_pair_reasons_are_codes_and_unknown_reporting_line_is_flagged() -> None:
    mentee = person("boss", stage="senior", skills={"seo": 1, "social_ads": 2})
    mentor = person("kid", skills={"seo": 5, "social_ads": 4})
    pop = build_population([OrgPerson("boss", None, True)], [mentor], [mentee], stages=STAGES)
    pair = propose_pairings(pop, Rules(reverse_order_required=True)).pairs[0]
    codes = [r["code"] for r in pair.reasons]
    assert {"code": "teaches_wanted_skills", "skills": ["seo", "social_ads"]} in pair.reasons
    assert {"code": "shared_hours", "minutes": 600} in pair.reasons
    assert codes[-1] == "reporting_line_unknown"  # "kid" has no manager on record


def test_a_pin_that_breaks_a_rule_is_dropped_with_the_reason() -> None:
    # Issue 10 item 6: the pin used to be kept ("pin_breaks_rule") and the pair proposed.
    people = [OrgPerson("kid", "boss"), OrgPerson("boss", None, True)]
    pop = build_population(
        people,
        [person("kid"), person("other")],
        [person("boss", stage="senior")],
        stages=STAGES,
        pins=[("kid", "boss")],
    )
    result = propose_pairings(pop)
    assert [(p.mentor_id, p.mentee_id, p.pinned) for p in result.pairs] == [
        ("other", "boss", False)
    ]
    assert {
        "code": "pin_dropped",
        "mentor": "kid",
        "mentee": "boss",
        "rules": ["management_chain"],
    } in result.warnings


def test_a_pin_needs_room_and_a_free_mentee_and_is_kept_when_it_fits() -> None:
    pop = build_population(
        [],
        [person("m1", capacity=1), person("m2")],
        [person("e1", stage="senior"), person("e2", stage="senior"), person("e3", stage="senior",
         active=False)],
        stages=STAGES,
        pins=[("m1", "e1"), ("m1", "e2"), ("m2", "e3"), ("m2", "e1")],
        past_pairs=[("m2", "e2")],
    )  # fmt: skip
    result = propose_pairings(pop)
    assert [(p.mentor_id, p.mentee_id, p.pinned) for p in result.pairs] == [("m1", "e1", True)]
    dropped = {(w["mentor"], w["mentee"]): w["rules"] for w in result.warnings}
    assert dropped == {
        ("m1", "e2"): ["no_room"],
        ("m2", "e3"): ["already_paired"],
        ("m2", "e1"): ["pinned_twice"],
    }
    assert [u.mentee_id for u in result.unmatched] == ["e2"]  # m2 was paired with e2 before


def test_past_pair_and_admin_block_are_never_proposed() -> None:
    pop = build_population(
        [],
        [person("m1"), person("m2"), person("m3")],
        [person("e1", stage="senior")],
        stages=STAGES,
        blocks=[("e1", "m1")],
        past_pairs=[("m2", "e1")],
    )
    assert [p.mentor_id for p in propose_pairings(pop).pairs] == ["m3"]
