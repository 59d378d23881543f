"""Which slots a pair is offered: inside both people's hours, in their zones, across clock
changes, spread over days, never twice for one mentor, never nothing."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.sessions.settings import SessionSettings
from bot.domain.sessions.slots import (
    LEAD,
    Side,
    Window,
    check_typed,
    intervals,
    local_instant,
    propose,
)

NOW = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)  # a Tuesday, noon in Paris
PARIS = Side("paris", "Europe/Paris")
MONTREAL = Side("montreal", "America/Montreal")
SINGAPORE = Side("singapore", "Asia/Singapore")
TORONTO = Side("toronto", "America/Toronto")
ZONES = ["Europe/Paris", "America/Montreal", "Asia/Singapore", "America/Toronto", "UTC",
         "Australia/Sydney", "Asia/Kolkata", "America/Los_Angeles"]  # fmt: skip


def local(at: datetime, side: Side) -> datetime:
    return at.astimezone(ZoneInfo(side.zone))


def within_working_hours(at: datetime, minutes: int, side: Side) -> bool:
    start, end = local(at, side), local(at + timedelta(minutes=minutes), side)
    return start.weekday() < 5 and time(9) <= start.time() and end.time() <= time(18)


def test_paris_and_montreal_meet_in_paris_afternoon_montreal_morning() -> None:
    offer = propose(PARIS, MONTREAL, minutes=45, taken=[], now=NOW)
    assert offer.overlap and 3 <= len(offer.slots) <= 5
    for slot in offer.slots:
        assert within_working_hours(slot.at, 45, PARIS)
        assert within_working_hours(slot.at, 45, MONTREAL)
        assert slot.at.minute % 15 == 0 and slot.at >= NOW + LEAD
        assert slot.at <= NOW + timedelta(days=14)
    days = {local(s.at, PARIS).date() for s in offer.slots}
    assert len(days) == len(offer.slots), "one slot per day"


def test_paris_and_singapore_meet_in_paris_morning() -> None:
    offer = propose(PARIS, SINGAPORE, minutes=60, taken=[], now=NOW)
    assert offer.overlap and len(offer.slots) >= 3
    for slot in offer.slots:
        assert local(slot.at, PARIS).hour < 12 and local(slot.at, SINGAPORE).hour >= 15


def test_montreal_and_singapore_never_overlap_the_nearest_options_say_for_whom() -> None:
    offer = propose(MONTREAL, SINGAPORE, minutes=45, taken=[], now=NOW)
    assert not offer.overlap
    assert offer.slots, "never nothing"
    for slot in offer.slots:
        assert len(slot.outside_for) == 1
        late_or_early = MONTREAL if slot.outside_for == ("montreal",) else SINGAPORE
        other = SINGAPORE if late_or_early is MONTREAL else MONTREAL
        assert within_working_hours(slot.at, 45, other)
        assert 7 <= local(slot.at, late_or_early).hour < 22  # not in their night


def test_a_pair_with_no_hours_in_reach_still_gets_options() -> None:
    night = Side("night", "Europe/Paris", (Window(0, time(1), time(2), "Europe/Paris"),))
    offer = propose(night, MONTREAL, minutes=45, taken=[], now=NOW)
    assert not offer.overlap  # the card then offers an exchange in writing


def test_a_mentor_with_three_mentees_is_never_offered_the_same_slot_twice() -> None:
    mentor = Side("mentor", "Europe/Paris")
    taken: list[tuple[datetime, int]] = []
    seen: set[datetime] = set()
    for n in range(3):
        mentee = Side(f"mentee{n}", "Europe/Paris")
        offer = propose(mentee, mentor, minutes=45, taken=taken, now=NOW)
        for slot in offer.slots:
            assert all(abs(slot.at - t) >= timedelta(minutes=45) for t in seen)
        seen |= {s.at for s in offer.slots}
        taken += [(s.at, 45) for s in offer.slots]


def test_own_windows_rule_over_working_hours() -> None:
    evenings = Side("lea", "Europe/Paris", tuple(
        Window(d, time(18), time(20), "Europe/Paris") for d in range(7)))  # fmt: skip
    offer = propose(evenings, MONTREAL, minutes=45, taken=[], now=NOW)
    for slot in offer.slots:
        assert 18 <= local(slot.at, evenings).hour < 20
        assert within_working_hours(slot.at, 45, MONTREAL)


def test_across_the_spring_clock_change_in_paris_only() -> None:
    """Paris moves on 28 March 2027, Toronto on 14 March: in between, an hour less apart."""
    before = datetime(2027, 3, 8, 9, 0, tzinfo=UTC)
    offer = propose(PARIS, TORONTO, minutes=60, taken=[], now=before,
                    settings=SessionSettings(horizon_days=28))  # fmt: skip
    assert offer.overlap
    for slot in offer.slots:
        assert within_working_hours(slot.at, 60, PARIS)
        assert within_working_hours(slot.at, 60, TORONTO)
    gap_days = [s for s in offer.slots if datetime(2027, 3, 14, tzinfo=UTC) < s.at
                < datetime(2027, 3, 28, tzinfo=UTC)]  # fmt: skip
    assert gap_days
    for slot in gap_days:  # 5 hours apart those weeks, not 6
        assert local(slot.at, PARIS).utcoffset() - local(slot.at, TORONTO).utcoffset() == \
            timedelta(hours=5)  # fmt: skip


def test_a_window_on_the_day_paris_springs_forward() -> None:
    sunday = Side("x", "Europe/Paris", (Window(6, time(2, 30), time(4), "Europe/Paris"),))
    [(start, end)] = [
        i for i in intervals(sunday, datetime(2027, 3, 27, tzinfo=UTC),
                             datetime(2027, 3, 29, tzinfo=UTC))
    ]  # fmt: skip
    # 02:30 does not exist that day: it moves forward to 03:30 (01:30 UTC)
    assert start == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert end == datetime(2027, 3, 28, 2, 0, tzinfo=UTC)
    # an ambiguous 02:30 (autumn) takes the first occurrence
    assert local_instant(datetime(2027, 10, 31).date(), time(2, 30), "Europe/Paris") == \
        datetime(2027, 10, 31, 0, 30, tzinfo=UTC)  # fmt: skip


def test_a_typed_time_in_the_past_or_outside_both_hours_is_refused() -> None:
    minutes = 45
    assert check_typed(None, minutes, PARIS, MONTREAL, now=NOW) == "malformed"
    assert check_typed(NOW - timedelta(hours=1), minutes, PARIS, MONTREAL, now=NOW) == "past"
    night = local_instant(datetime(2026, 12, 3).date(), time(3), "Europe/Paris")
    assert check_typed(night, minutes, PARIS, MONTREAL, now=NOW) == "outside"
    # Paris 17:00 is Montréal 11:00: fine
    ok = local_instant(datetime(2026, 12, 3).date(), time(17), "Europe/Paris")
    assert check_typed(ok, minutes, PARIS, MONTREAL, now=NOW) is None
    # Paris 10:00 is Montréal 04:00: outside one person's hours only, theirs to confirm
    early = local_instant(datetime(2026, 12, 3).date(), time(10), "Europe/Paris")
    assert check_typed(early, minutes, PARIS, MONTREAL, now=NOW) is None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(ZONES),
    st.sampled_from(ZONES),
    st.integers(0, 365 * 24 * 4),
    st.sampled_from([30, 45, 60, 90]),
)
def test_every_offer_holds_its_promises(zone_a: str, zone_b: str, quarter: int, minutes: int
                                        ) -> None:  # fmt: skip
    now = datetime(2027, 1, 1, tzinfo=UTC) + timedelta(minutes=7 + 15 * quarter)
    a, b = Side("a", zone_a), Side("b", zone_b)
    offer = propose(a, b, minutes=minutes, taken=[], now=now)
    assert offer.slots or not offer.overlap
    ats = [s.at for s in offer.slots]
    assert ats == sorted(set(ats))
    for slot in offer.slots:
        assert slot.at.minute % 15 == 0 and slot.at >= now + LEAD
        assert slot.at <= now + timedelta(days=14)
        if offer.overlap:
            assert not slot.outside_for
            assert within_working_hours(slot.at, minutes, a)
            assert within_working_hours(slot.at, minutes, b)
        else:
            assert slot.outside_for in (("a",), ("b",))
    if offer.overlap:
        assert 3 <= len(offer.slots) <= 5 or len({local(s, a).date() for s in ats}) < 3


@st.composite
def sides(draw: st.DrawFn, person_id: str) -> Side:
    zone = draw(st.sampled_from(ZONES))
    windows = []
    for _ in range(draw(st.integers(0, 4))):
        start = draw(st.integers(0, 23 * 4 - 1))  # quarter-hours
        length = draw(st.integers(4, 12 * 4))
        end = min(start + length, 24 * 4)
        as_time = [time(q // 4, q % 4 * 15) if q < 96 else time(0) for q in (start, end)]
        windows.append(Window(draw(st.integers(0, 6)), as_time[0], as_time[1], zone))
    return Side(person_id, zone, tuple(windows))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sides("a"), sides("b"), st.integers(0, 365 * 24), st.sampled_from([30, 45, 60]))
def test_own_windows_in_any_zones_are_respected(a: Side, b: Side, hour: int, minutes: int
                                               ) -> None:  # fmt: skip
    now = datetime(2027, 1, 1, tzinfo=UTC) + timedelta(hours=hour, minutes=3)
    offer = propose(a, b, minutes=minutes, taken=[], now=now)
    until = now + timedelta(days=30)
    spans = {s.person_id: intervals(s, now, until) for s in (a, b)}
    for slot in offer.slots:
        inside_of = {
            p for p, found in spans.items()
            if any(start <= slot.at and slot.at + timedelta(minutes=minutes) <= stop
                   for start, stop in found)
        }  # fmt: skip
        if offer.overlap:
            assert inside_of == {"a", "b"}
        else:
            assert inside_of == {"a", "b"} - set(slot.outside_for)


def test_when_shared_hours_are_all_taken_it_looks_further() -> None:
    taken = [(NOW + timedelta(minutes=15 * q), 15) for q in range(14 * 24 * 4 + 8)]
    offer = propose(PARIS, MONTREAL, minutes=45, taken=taken, now=NOW)
    assert offer.overlap and offer.slots
    assert all(s.at > NOW + timedelta(days=14) for s in offer.slots)
