""" "Try it this week": an optional suggestion between sessions, as rules.

Two days after a session was held, the mentee may get one tip drawn from the skills they
want to learn (a small bilingual catalogue that admins edit). At most one per session; the
tips rotate so that a pair does not read the same one twice before the catalogue of their
skills is used up; "not for me" stops them for the pairing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar

from bot.domain.due import DueKind
from bot.domain.notifications import NOTIFICATION_TYPES, Notification

TIP_AFTER_SESSION = timedelta(days=2)
TIP_LOOKBACK = timedelta(days=10)  # sessions held longer ago get no tip any more
TIPS_ROUTINE = "goals.tips"
TIPS_TRIGGER = {"hour": 9, "minute": 50}
MAX_TIP_CHARS = 300
MIN_TIP_CHARS = 20  # a tip is an action, not a word


@dataclass(frozen=True)
class TipDue:
    """Suggest something to try after this held session (once per session)."""

    check_in_id: int


TIP_DUE = DueKind("goals.tip", TipDue, key=lambda p: f"goals:tip:{p.check_in_id}")


@dataclass(frozen=True)
class Candidate:
    tip_id: int
    skill_key: str


def choose_tip(candidates: Sequence[Candidate], wanted: Sequence[str], turn: int) -> int | None:
    """The tip for the ``turn``-th session (1 = the first): the wanted skills take turns,
    and within a skill its tips in order, so nothing repeats before all were shown."""
    by_skill = {key: [c.tip_id for c in candidates if c.skill_key == key] for key in wanted}
    lanes = [ids for ids in by_skill.values() if ids]
    if not lanes:
        return None
    rotation: list[int] = []
    for depth in range(max(len(ids) for ids in lanes)):
        rotation.extend(ids[depth] for ids in lanes if depth < len(ids))
    return rotation[(max(turn, 1) - 1) % len(rotation)]


def tip_problem(text: str) -> str | None:
    """Why a tip's text cannot be saved: "empty", "short", "long"; None when it can."""
    text = text.strip()
    if not text:
        return "empty"
    if len(text) < MIN_TIP_CHARS:
        return "short"
    if len(text) > MAX_TIP_CHARS:
        return "long"
    return None


@dataclass(frozen=True)
class TipSuggestion(Notification):
    """For the mentee, after a session: one small thing to try this week."""

    type: ClassVar[str] = "goals_tip"
    pairing_id: int
    tip_id: int
    skill_fr: str
    skill_en: str
    text_fr: str
    text_en: str

    def purpose(self) -> str:
        return f"goals-tip:{self.pairing_id}"


NOTIFICATION_TYPES.update({TipSuggestion.type: TipSuggestion})
