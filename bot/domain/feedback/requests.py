"""A question asked of one person, as rules: its key, whether it can still be answered,
whether it may be asked again.

Every request is asked once and reminded at most once ("asked at most twice"); an answer
can be changed until the request expires (answering twice changes the answer, never adds
one); after expiry a late answer is refused politely and nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

KINDS = ("session", "pulse", "midpoint", "closing")
ROLES = ("mentor", "mentee")

Answerable = Literal["yes", "expired", "cancelled", "not_yours"]


def request_key(
    kind: str,
    pairing_id: int,
    person_id: str,
    *,
    check_in_id: int | None = None,
    period: str | None = None,
) -> str:
    """The idempotency of asking: one request per session and person, per month for a
    pulse (``period`` "YYYY-MM"), once per pairing for the mid-point and the close."""
    if kind not in KINDS:
        raise ValueError(f"unknown feedback kind {kind!r}")
    if kind == "session":
        if check_in_id is None:
            raise ValueError("a session's survey names its session")
        return f"feedback:session:{check_in_id}:{person_id}"
    if kind == "pulse":
        if period is None:
            raise ValueError("a pulse names its month")
        return f"feedback:pulse:{pairing_id}:{person_id}:{period}"
    return f"feedback:{kind}:{pairing_id}:{person_id}"


@dataclass(frozen=True)
class RequestState:
    """What the rules need of a stored request."""

    person_id: str
    status: str  # open | answered | expired | cancelled
    expires_at: datetime | None
    reminded_at: datetime | None


def answerable(request: RequestState, person_id: str, now: datetime) -> Answerable:
    """May ``person_id`` answer (or change their answer to) this request now?"""
    if request.person_id != person_id:
        return "not_yours"
    if request.status == "cancelled":
        return "cancelled"
    if request.status == "expired" or (
        request.expires_at is not None and now >= request.expires_at
    ):
        return "expired"
    return "yes"


def may_remind(request: RequestState, now: datetime) -> bool:
    """One reminder at most, only while nothing was answered and the request is open."""
    return (
        request.status == "open"
        and request.reminded_at is None
        and (request.expires_at is None or now < request.expires_at)
    )
