"""Respectful nudges: who is nudged about a pair, when, and when the program team is told
instead (``NudgePolicy``). Pure: facts in, decisions out; storage gathers the facts and
dialogs words the decisions.

The rules, per person and per rolling week:
- a pair accepted ``no_session_after_days`` ago with no session confirmed: ``no_session``;
- a session over (by a day) that the person has not answered "did it happen?": ``unanswered``;
- a session held and no goals set: ``no_goals``;
- no session for ``dormant_cadences`` times the pair's cadence: ``dormant``.
At most ``nudges_per_week`` messages per person; a leader (the pair's mentee) with several
items gets one ``digest`` instead; a kind is nudged at most once a week per person and pair,
except that a snoozed one comes back when its snooze ends. "We're fine" stops that kind for
the pair until its sessions change. After ``ignored_nudges_before_alert`` ignored nudges,
or ``at_risk_after_dormant_days`` dormant, the program admins get one ``at_risk`` alert
instead of another nudge. Nobody is removed: the policy only ever sends words.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.domain.due import DueKind
from bot.domain.sessions.settings import SessionSettings

NO_SESSION, UNANSWERED, NO_GOALS, DORMANT = "no_session", "unanswered", "no_goals", "dormant"
DIGEST, AT_RISK = "digest", "at_risk"
# The order a person reads them in (and the order they are sent when the week is short).
NUDGE_KINDS = (UNANSWERED, NO_SESSION, NO_GOALS, DORMANT)
SNOOZED, FINE, ACTED = "snoozed", "fine", "acted"
SNOOZES = {"day": timedelta(days=1), "week": timedelta(days=7)}
WEEK = timedelta(days=7)
# A nudge with no answer after this long counts as ignored.
IGNORED_AFTER = timedelta(days=2)
# A session is "passed without an answer" this long after its end ("did it happen?" is
# asked an hour after the end: a day leaves room to answer it).
ANSWER_GRACE = timedelta(days=1)
# The daily look at every pair (a routine, in the deployment's zone: people's quiet hours
# then hold each message until their morning).
NUDGES_ROUTINE = "sessions.nudges"
NUDGES_TRIGGER = {"hour": 10, "minute": 30}
CONFIRMED = frozenset({"planned", "held", "missed", "skipped", "disputed"})
MET = frozenset({"held", "disputed"})  # disputed: one says it happened; neither is nagged


@dataclass(frozen=True)
class SnoozeOver:
    """A snooze ends: look at the pair again then, not at the next daily round."""

    pairing_id: int
    until: str  # ISO 8601, UTC


SNOOZE_OVER = DueKind(
    "sessions.snooze_over", SnoozeOver, key=lambda p: f"nudges:{p.pairing_id}:snooze:{p.until}"
)


@dataclass(frozen=True)
class SessionFact:
    status: str  # CheckIn.status
    scheduled_at: datetime
    duration_minutes: int = 45
    answered_by: frozenset[str] = frozenset()  # who answered "did it happen?"
    changed_at: datetime | None = None  # when the pair confirmed it (business time)
    check_in_id: int | None = None  # so a nudge about it can carry its Yes / No / Moved

    @property
    def ends_at(self) -> datetime:
        return self.scheduled_at + timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True)
class SentNudge:
    person_id: str  # who was nudged (for ``at_risk``: whose silence it was about)
    kind: str
    sent_at: datetime
    answer: str | None = None
    answered_at: datetime | None = None
    snoozed_until: datetime | None = None


@dataclass(frozen=True)
class PairFacts:
    pairing_id: int
    mentor_id: str
    mentee_id: str  # the leader
    started_at: datetime
    cadence_days: int
    settings: SessionSettings = field(default_factory=SessionSettings)
    sessions: tuple[SessionFact, ...] = ()
    goals_set: bool = False
    nudges: tuple[SentNudge, ...] = ()


@dataclass(frozen=True)
class Item:
    """Something a person is nudged about."""

    pairing_id: int
    kind: str
    partner_id: str
    # ``unanswered``: the session the person has not answered, so the nudge can ask it again
    check_in_id: int | None = None


@dataclass(frozen=True)
class Nudge:
    person_id: str
    item: Item


@dataclass(frozen=True)
class Digest:
    """One short message for a leader with several items this week."""

    person_id: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class AtRisk:
    """For the program admins: the pair, and what happened."""

    pairing_id: int
    mentor_id: str
    mentee_id: str
    ignored: tuple[tuple[str, int], ...]  # (person id, nudges ignored), those who ignored
    dormant_days: int  # 0: not dormant
    open_items: tuple[str, ...]  # the kinds still open for the pair


@dataclass(frozen=True)
class Decisions:
    nudges: tuple[Nudge, ...] = ()
    digests: tuple[Digest, ...] = ()
    alerts: tuple[AtRisk, ...] = ()


def last_change(pair: PairFacts, now: datetime) -> datetime:
    """When the pair's situation last changed (a session confirmed, held or answered): the
    nudges and "we're fine" answers before it no longer count."""
    times = [pair.started_at]
    for s in pair.sessions:
        if s.changed_at is not None:
            times.append(s.changed_at)
        if s.status in MET or s.answered_by:
            times.append(s.ends_at)
    return min(max(times), now)


def dormant_since(pair: PairFacts, now: datetime) -> datetime | None:
    """When the pair became dormant (no session for ``dormant_cadences`` cadences), if so."""
    confirmed = [s for s in pair.sessions if s.status in CONFIRMED]
    if not confirmed:
        return None  # never met: that is ``no_session``'s business
    if any(s.status == "planned" and s.scheduled_at > now for s in confirmed):
        return None
    last = max(s.scheduled_at for s in confirmed)
    since = last + timedelta(days=pair.settings.dormant_cadences * pair.cadence_days)
    return since if since <= now else None


def unanswered_session(pair: PairFacts, now: datetime) -> SessionFact | None:
    """The pair's latest session over (by ``ANSWER_GRACE``) still open to "did it happen?"."""
    over = [
        s
        for s in pair.sessions
        if s.status in ("planned", "missed") and s.ends_at + ANSWER_GRACE <= now
    ]
    return max(over, key=lambda s: s.scheduled_at) if over else None


def open_items(pair: PairFacts, now: datetime) -> dict[str, tuple[str, ...]]:
    """Per kind, who should hear about it (before limits, snoozes and "we're fine")."""
    both = (pair.mentor_id, pair.mentee_id)
    items: dict[str, tuple[str, ...]] = {}
    confirmed = [s for s in pair.sessions if s.status in CONFIRMED]
    wait = timedelta(days=pair.settings.no_session_after_days)
    if not confirmed and now - pair.started_at >= wait:
        items[NO_SESSION] = both
    latest = unanswered_session(pair, now)
    if latest is not None:
        silent = tuple(p for p in both if p not in latest.answered_by)
        if silent:
            items[UNANSWERED] = silent
    if not pair.goals_set and any(s.status in MET for s in pair.sessions):
        items[NO_GOALS] = both
    if dormant_since(pair, now) is not None:
        items[DORMANT] = both
    return items


def _fine(pair: PairFacts, kind: str, changed: datetime) -> bool:
    return any(
        n.kind in (kind, DIGEST) and n.answer == FINE and (n.answered_at or n.sent_at) >= changed
        for n in pair.nudges
    )


def _waiting(pair: PairFacts, person_id: str, kind: str, now: datetime) -> bool:
    """Snoozed, or nudged about this kind in the past week (the digest counts for all)."""
    for n in pair.nudges:
        if n.person_id != person_id or n.kind not in (kind, DIGEST):
            continue
        if n.answer == SNOOZED and n.snoozed_until is not None:
            if now < n.snoozed_until:
                return True
            continue  # the snooze is over: it comes back
        if now - n.sent_at < WEEK:
            return True
    return False


def unanswered_since(pair: PairFacts, person_id: str, changed: datetime) -> list[SentNudge]:
    """The nudges to the person about this pair, since its last change, with no answer."""
    return [
        n
        for n in pair.nudges
        if n.person_id == person_id
        and n.kind != AT_RISK
        and n.answer is None
        and n.sent_at >= changed
    ]


def _alerted(pair: PairFacts, changed: datetime) -> bool:
    return any(n.kind == AT_RISK and n.sent_at >= changed for n in pair.nudges)


def _sent_this_week(pairs: Iterable[PairFacts], now: datetime) -> dict[str, int]:
    """Per person, the messages sent in the rolling week (a digest is one message, however
    many pairs it covers: counted once per sending)."""
    count: dict[str, int] = {}
    digests: set[tuple[str, datetime]] = set()
    for pair in pairs:
        for n in pair.nudges:
            if n.kind == AT_RISK or not now - WEEK < n.sent_at <= now:
                continue
            if n.kind == DIGEST:
                if (n.person_id, n.sent_at) in digests:
                    continue
                digests.add((n.person_id, n.sent_at))
            count[n.person_id] = count.get(n.person_id, 0) + 1
    return count


@dataclass(frozen=True)
class NudgePolicy:
    """Decide, for every active pair at ``now``, what to send to whom."""

    def decide(self, pairs: Sequence[PairFacts], now: datetime) -> Decisions:
        alerts: list[AtRisk] = []
        wanted: dict[str, list[tuple[PairFacts, Item]]] = {}
        leaders = {p.mentee_id for p in pairs}
        for pair in pairs:
            changed = last_change(pair, now)
            items = open_items(pair, now)
            ignored = {
                person: len(
                    [
                        n
                        for n in unanswered_since(pair, person, changed)
                        if now - n.sent_at >= IGNORED_AFTER
                    ]
                )
                for person in (pair.mentor_id, pair.mentee_id)
            }
            limit = pair.settings.ignored_nudges_before_alert
            since = dormant_since(pair, now)
            dormant_days = (now - since).days if since is not None else 0
            too_long = (
                since is not None and dormant_days >= pair.settings.at_risk_after_dormant_days
            )
            silent = tuple((p, c) for p, c in ignored.items() if c >= limit)
            if (silent or too_long) and not _alerted(pair, changed):
                alerts.append(
                    AtRisk(
                        pair.pairing_id,
                        pair.mentor_id,
                        pair.mentee_id,
                        silent,
                        dormant_days,
                        tuple(k for k in NUDGE_KINDS if k in items),
                    )
                )
            latest = unanswered_session(pair, now)
            for kind in NUDGE_KINDS:
                if kind not in items or _fine(pair, kind, changed):
                    continue
                for person in items[kind]:
                    # Never another nudge once ``limit`` are unanswered: the team is told.
                    if len(unanswered_since(pair, person, changed)) >= limit:
                        continue
                    if _waiting(pair, person, kind, now):
                        continue
                    partner = pair.mentor_id if person == pair.mentee_id else pair.mentee_id
                    about = latest.check_in_id if kind == UNANSWERED and latest else None
                    wanted.setdefault(person, []).append(
                        (pair, Item(pair.pairing_id, kind, partner, about))
                    )
        sent = _sent_this_week(pairs, now)
        nudges: list[Nudge] = []
        digests: list[Digest] = []
        for person, entries in wanted.items():
            room = max(0, min(p.settings.nudges_per_week for p, _ in entries) - sent.get(person, 0))
            if room == 0:
                continue
            found = [item for _, item in entries]
            if person in leaders and len(found) > 1:
                digests.append(Digest(person, tuple(found)))
            else:
                nudges.extend(Nudge(person, item) for item in found[:room])
        return Decisions(tuple(nudges), tuple(digests), tuple(alerts))
