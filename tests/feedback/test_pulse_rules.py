"""The pulse's rules, pure: which month, when asked and reminded, and who reads it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.feedback.pulse import (
    PulseSubject,
    management_chain,
    month_end,
    period_of,
    period_to_ask,
    pulse_readers,
    remind_now,
)
from bot.domain.feedback.requests import RequestState, request_key

PARIS = "Europe/Paris"
pytestmark = pytest.mark.timeout(30)


def test_the_month_is_the_program_s_and_ends_at_its_midnight() -> None:
    # 23:30 UTC on 31 January is already February in Paris.
    assert period_of(datetime(2027, 1, 31, 23, 30, tzinfo=UTC), PARIS) == "2027-02"
    assert month_end("2027-02", PARIS) == datetime(2027, 2, 28, 23, 0, tzinfo=UTC)
    assert month_end("2027-12", PARIS) == datetime(2027, 12, 31, 23, 0, tzinfo=UTC)
    assert request_key("pulse", 4, "p1", period="2027-02") == "feedback:pulse:4:p1:2027-02"


def test_a_new_pair_and_the_month_s_last_days_are_not_asked() -> None:
    started = datetime(2027, 3, 1, 9, tzinfo=UTC)
    assert period_to_ask(started, started + timedelta(days=13), PARIS) is None  # too new
    assert period_to_ask(started, started + timedelta(days=14), PARIS) == "2027-03"
    assert period_to_ask(started, datetime(2027, 3, 28, 9, tzinfo=UTC), PARIS) is None
    assert period_to_ask(started, datetime(2027, 4, 2, 9, tzinfo=UTC), PARIS) == "2027-04"


def test_one_reminder_a_week_after_asking_while_open() -> None:
    asked = datetime(2027, 3, 2, 9, tzinfo=UTC)
    end = month_end("2027-03", PARIS)
    fresh = RequestState("p1", "open", end, None)
    assert not remind_now(fresh, asked, asked + timedelta(days=6))
    assert remind_now(fresh, asked, asked + timedelta(days=7))
    assert not remind_now(RequestState("p1", "open", end, asked), asked, asked + timedelta(days=8))
    assert not remind_now(RequestState("p1", "answered", end, None), asked, asked + timedelta(8))
    assert not remind_now(fresh, asked, end)  # the month is over


def test_the_management_chain_walks_up_and_stops_on_a_cycle() -> None:
    managers = {"junior": "lead", "lead": "director", "director": "ceo", "ceo": None}
    assert management_chain("junior", managers) == ("lead", "director", "ceo")
    cycle = {"a": "b", "b": "c", "c": "a"}
    assert management_chain("a", cycle) == ("b", "c")
    assert management_chain("nobody", managers) == ()


MANAGERS = {"junior": "lead", "lead": "hr-head", "leader": "ceo", "hr-head": None, "ceo": None}
PAIR = ("junior", "leader")


def readers(writer: str, program: set[str], deployment: set[str]) -> tuple[str, ...]:
    return pulse_readers(PulseSubject(*PAIR, writer), program, deployment, MANAGERS)


def test_an_admin_in_the_junior_s_chain_or_in_the_pair_never_reads_the_pulse() -> None:
    # hr-head runs the program and manages the junior's manager: never a reader.
    assert readers("junior", {"hr-head", "rose"}, {"dep"}) == ("rose",)
    assert readers("junior", {"hr-head", "leader", "junior"}, set()) == ()
    # Nor the leader's superiors, whichever side wrote it.
    assert readers("leader", {"hr-head", "ceo", "rose"}, set()) == ("rose",)
    assert readers("junior", {"ceo", "rose"}, set()) == ("rose",)


def test_when_no_program_admin_may_read_it_the_deployment_admins_do() -> None:
    assert readers("junior", {"hr-head"}, {"dep", "lead", "leader"}) == ("dep",)
    assert readers("junior", set(), {"dep"}) == ("dep",)
    # A program admin who may read it: the deployment admins are not needed.
    assert readers("junior", {"rose"}, {"dep"}) == ("rose",)
    assert readers("junior", {"hr-head"}, {"lead"}) == ()  # nobody: logged by the caller
