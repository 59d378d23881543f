"""Recognition as rules: who earns a certificate, what a thank-you may be, what consent
allows, who may thank."""

from __future__ import annotations

from bot.domain.recognition import (
    MIN_HELD_SESSIONS,
    THANKS_MAX_CHARS,
    earns_certificate,
    goes_public,
    may_thank,
    parse_consent,
    thanks_problem,
)


def test_a_completed_pairing_or_enough_held_sessions_earns_a_certificate() -> None:
    assert earns_certificate("completed", 0)
    assert earns_certificate("ended", MIN_HELD_SESSIONS)
    assert not earns_certificate("ended", MIN_HELD_SESSIONS - 1)
    assert not earns_certificate("active", 99)  # not before it closes


def test_a_thank_you_is_a_few_words() -> None:
    assert thanks_problem("  ") == "empty"
    assert thanks_problem("x" * (THANKS_MAX_CHARS + 1)) == "too_long"
    assert thanks_problem("  Merci !  ") is None


def test_only_the_mentee_thanks() -> None:
    assert may_thank("marc", "marc", "active") and may_thank("marc", "marc", "completed")
    assert not may_thank("lea", "marc", "active")


def test_consent_answers_and_nothing_public_without_a_yes() -> None:
    assert parse_consent("12:yes") == (12, "yes") and parse_consent("12:no") == (12, "no")
    for bad in ("", "12", "x:yes", "12:maybe", "-1:yes", "12:yes:again"):
        assert parse_consent(bad) is None, bad
    assert goes_public("yes") and not goes_public("no") and not goes_public(None)
