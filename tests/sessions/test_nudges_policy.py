"""The nudge policy on its own: what is due, the weekly limits, leaders' digests, snoozes,
"we're fine", and the at-risk alert that replaces a third nudge. Hypothesis drives many
pairs for weeks with people answering (or not) at random and checks the limits hold."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.sessions.nudges import (
    AT_RISK,
    DIGEST,
    DORMANT,
    FINE,
    NO_GOALS,
    NO_SESSION,
    SNOOZED,
    UNANSWERED,
    WEEK,
    Decisions,
    NudgePolicy,
    PairFacts,
    SentNudge,
    SessionFact,
    last_change,
    open_items,
)
from bot.domain.sessions.settings import SessionSettings

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
POLICY = NudgePolicy()


def pair(
    pid: int = 1, mentor: str = "mentor", mentee: str = "leader", **fields: object
) -> PairFacts:
    facts = PairFacts(pid, mentor, mentee, started_at=T0, cadence_days=14)
    return replace(facts, **fields)  # type: ignore[arg-type]


def days(n: float) -> datetime:
    return T0 + timedelta(days=n)


def test_nothing_is_due_before_the_first_three_days() -> None:
    assert POLICY.decide([pair()], days(2.9)) == Decisions()


def test_no_session_after_three_days_reaches_both_people() -> None:
    decided = POLICY.decide([pair()], days(3))
    assert {(n.person_id, n.item.kind) for n in decided.nudges} == {
        ("mentor", NO_SESSION),
        ("leader", NO_SESSION),
    }
    assert decided.nudges[0].item.partner_id in ("mentor", "leader")


def test_each_kind_is_found() -> None:
    held = SessionFact("held", days(5), answered_by=frozenset({"mentor", "leader"}))
    past = SessionFact("planned", days(20), answered_by=frozenset({"mentor"}))
    facts = pair(sessions=(held, past))
    # the session of day 20 is a day over: the leader has not said whether it happened
    assert open_items(facts, days(21.1)) == {
        UNANSWERED: ("leader",),
        NO_GOALS: ("mentor", "leader"),
    }
    # 28 days (two cadences) after the last session, the pair is dormant
    assert DORMANT in open_items(facts, days(48.1))
    # goals set, a session ahead: nothing at all
    ahead = SessionFact("planned", days(60))
    assert open_items(replace(facts, goals_set=True, sessions=(held, ahead)), days(50)) == {}


def test_a_disputed_session_nags_nobody() -> None:
    disputed = SessionFact("disputed", days(5), answered_by=frozenset({"mentor", "leader"}))
    assert UNANSWERED not in open_items(pair(sessions=(disputed,), goals_set=True), days(7))


def test_a_leader_with_several_items_gets_one_digest() -> None:
    one = pair(1, "lea", "marc")
    two = pair(2, "tom", "marc")
    decided = POLICY.decide([one, two], days(3))
    assert [d.person_id for d in decided.digests] == ["marc"]
    assert {i.pairing_id for i in decided.digests[0].items} == {1, 2}
    assert {n.person_id for n in decided.nudges} == {"lea", "tom"}


def test_a_snoozed_nudge_waits_then_comes_back() -> None:
    snoozed = SentNudge("leader", NO_SESSION, days(3), SNOOZED, days(3.1), days(4.1))
    facts = pair(nudges=(snoozed,))
    assert [n.person_id for n in POLICY.decide([facts], days(4)).nudges] == ["mentor"]
    assert "leader" in [n.person_id for n in POLICY.decide([facts], days(4.2)).nudges]


def test_we_are_fine_stops_that_kind_until_something_changes() -> None:
    fine = SentNudge("leader", NO_SESSION, days(3), FINE, days(3.1))
    facts = pair(nudges=(fine,))
    assert POLICY.decide([facts], days(30)).nudges == ()
    # a session confirmed and held since: its goals are nudged again
    held = SessionFact("held", days(31), changed_at=days(31), answered_by=frozenset({"leader"}))
    later = replace(facts, sessions=(held,))
    assert {n.item.kind for n in POLICY.decide([later], days(33)).nudges} == {NO_GOALS}


def test_two_ignored_nudges_alert_the_admins_instead_of_a_third() -> None:
    ignored = tuple(
        SentNudge(person, NO_SESSION, days(d)) for d in (3, 10) for person in ("mentor", "leader")
    )
    decided = POLICY.decide([pair(nudges=ignored)], days(17))
    assert decided.nudges == () and decided.digests == ()
    [alert] = decided.alerts
    assert dict(alert.ignored) == {"mentor": 2, "leader": 2}
    assert alert.open_items == (NO_SESSION,)
    # told once
    told = (*ignored, SentNudge("leader", AT_RISK, days(17)))
    assert POLICY.decide([pair(nudges=told)], days(24)) == Decisions()


def test_three_weeks_dormant_alerts_the_admins() -> None:
    held = SessionFact("held", days(1), answered_by=frozenset({"mentor", "leader"}))
    facts = pair(sessions=(held,), goals_set=True)
    # dormant from day 29; 21 days later
    assert POLICY.decide([facts], days(49)).alerts == ()
    [alert] = POLICY.decide([facts], days(50)).alerts
    assert alert.dormant_days == 21 and alert.ignored == ()


# -- properties --------------------------------------------------------------------------

PEOPLE = ("ana", "ben", "chloe", "dan")
statuses = st.sampled_from(("proposed", "planned", "held", "missed", "skipped", "disputed"))
sessions = st.lists(
    st.builds(
        lambda status, day, who: SessionFact(status, days(day), answered_by=frozenset(who)),
        statuses,
        st.integers(-10, 40),
        st.sets(st.sampled_from(PEOPLE), max_size=2),
    ),
    max_size=3,
)
pairs = st.lists(
    st.tuples(
        st.sampled_from(PEOPLE),
        st.sampled_from(PEOPLE),
        st.integers(-20, 5),
        sessions,
        st.booleans(),
        st.sampled_from((7, 14, 28)),
    ).filter(lambda p: p[0] != p[1]),
    min_size=1,
    max_size=5,
)
# how each person answers the n-th message they get: nothing, snooze, fine, acted
answers = st.lists(st.sampled_from((None, "day", "week", FINE, "acted")), min_size=40, max_size=40)


def _simulate(
    specs: list[tuple[str, str, int, list[SessionFact], bool, int]], answered: list[str | None]
) -> tuple[list[PairFacts], list[Decisions]]:
    settings_ = SessionSettings()
    facts = [
        PairFacts(i, mentor, mentee, days(start), cadence, settings_, tuple(s), goals)
        for i, (mentor, mentee, start, s, goals, cadence) in enumerate(specs)
    ]
    history: list[Decisions] = []
    counter = 0
    for day in range(60):
        now = days(day) + timedelta(hours=1)
        decided = POLICY.decide(facts, now)
        history.append(decided)
        sent: dict[int, list[SentNudge]] = {}

        def answer(person: str, kind: str, now: datetime = now) -> SentNudge:
            nonlocal counter
            how = answered[counter % len(answered)]
            counter += 1
            at = now + timedelta(hours=2)
            if how in ("day", "week"):
                until = at + (timedelta(days=1) if how == "day" else WEEK)
                return SentNudge(person, kind, now, SNOOZED, at, until)
            return SentNudge(person, kind, now, how, at if how else None)

        for nudge in decided.nudges:
            sent.setdefault(nudge.item.pairing_id, []).append(
                answer(nudge.person_id, nudge.item.kind)
            )
        for digest in decided.digests:
            row = answer(digest.person_id, DIGEST)
            for pid in {i.pairing_id for i in digest.items}:
                sent.setdefault(pid, []).append(row)
        for alert in decided.alerts:
            sent.setdefault(alert.pairing_id, []).append(SentNudge(alert.mentee_id, AT_RISK, now))
        facts = [replace(f, nudges=f.nudges + tuple(sent.get(f.pairing_id, ()))) for f in facts]
    return facts, history


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pairs, answers)
def test_never_more_than_two_messages_a_week_per_person(
    specs: list[tuple[str, str, int, list[SessionFact], bool, int]], answered: list[str | None]
) -> None:
    facts, _ = _simulate(specs, answered)
    messages: dict[str, set[tuple[str, datetime, int]]] = {}
    for f in facts:
        for n in f.nudges:
            if n.kind == AT_RISK:
                continue
            # a digest is one message however many pairs it covers
            ident = (n.kind, n.sent_at, 0 if n.kind == DIGEST else id(n))
            messages.setdefault(n.person_id, set()).add(ident)
    for person, sent in messages.items():
        times = sorted(t for _, t, _ in sent)
        for i, start in enumerate(times):
            in_week = [t for t in times[i:] if t - start < WEEK]
            assert len(in_week) <= 2, (person, times)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pairs, answers)
def test_never_a_third_nudge_after_two_ignored_and_the_admins_are_told(
    specs: list[tuple[str, str, int, list[SessionFact], bool, int]], answered: list[str | None]
) -> None:
    facts, history = _simulate(specs, answered)
    end = days(59) + timedelta(hours=1)
    for f in facts:
        alerts = [n.sent_at for n in f.nudges if n.kind == AT_RISK]
        for person in (f.mentor_id, f.mentee_id):
            mine = [n for n in f.nudges if n.person_id == person and n.kind != AT_RISK]
            for n in mine:
                # when it was sent, fewer than two were unanswered since the pair last changed
                changed = last_change(f, n.sent_at)
                earlier = [m for m in mine if changed <= m.sent_at < n.sent_at and m.answer is None]
                assert len(earlier) < 2, (person, f)
            changed = last_change(f, end)
            ignored = [m for m in mine if m.sent_at >= changed and m.answer is None
                       and end - m.sent_at >= timedelta(days=2)]  # fmt: skip
            if len(ignored) >= 2:
                assert any(a >= changed for a in alerts), f
        # told once per situation: a second alert only after the pair changed
        for first, second in pairwise(alerts):
            assert last_change(f, second) > first, f
    # nobody is ever removed: the policy only sends words
    assert all(isinstance(d, Decisions) for d in history)


def test_the_simulation_sends_and_alerts() -> None:
    """The properties above are not vacuous: a silent pair gets two nudges each, then the
    admins are told, and nothing more."""
    [f], _ = _simulate([("ana", "ben", 0, [], False, 14)], [None] * 40)
    kinds = [(n.person_id, n.kind, (n.sent_at - T0).days) for n in f.nudges]
    assert kinds == [
        ("ana", NO_SESSION, 3), ("ben", NO_SESSION, 3),
        ("ana", NO_SESSION, 10), ("ben", NO_SESSION, 10),
        ("ben", AT_RISK, 12),
    ]  # fmt: skip
