"""Respectful nudges: the daily look at every pair, the messages it queues, and the
answers to them (*Snooze 1 day*, *Snooze 1 week*, *We're fine*).

The policy (``bot.domain.sessions.nudges``) decides; this module records each nudge in
``nudges`` and queues it through the notifier in the same transaction, with a key per
pair, kind and week, so a rerun of the routine never sends anything twice.
"""

from __future__ import annotations

from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.notifications import Notification
from bot.domain.sessions.nudge_notices import NudgeDigest, PairAtRisk, SessionNudge
from bot.domain.sessions.nudges import (
    AT_RISK,
    DIGEST,
    FINE,
    NUDGES_ROUTINE,
    NUDGES_TRIGGER,
    SNOOZE_OVER,
    SNOOZED,
    SNOOZES,
    NudgePolicy,
    PairFacts,
    SnoozeOver,
)
from dialogs.core.events import Outcome
from dialogs.core.feature import DueContext, Feature, Recurring, Turn
from dialogs.matching.pairing import say_text
from dialogs.sessions.nudge_cards import FINE_ACTION, SNOOZE_DAY_ACTION, SNOOZE_WEEK_ACTION
from storage.enqueue import enqueue_due
from storage.models import Nudge
from storage.people.admins import admins_of
from storage.sessions.nudges import active_pairs, nudges_of, record_nudge

log = structlog.get_logger("tandem.nudges")
POLICY = NudgePolicy()


def _week(now: datetime) -> str:
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


def _earlier(facts: PairFacts, person_id: str, kind: str) -> int:
    return len([n for n in facts.nudges if n.person_id == person_id and n.kind == kind])


async def look_at_pairs(due: DueContext, only: int | None = None) -> None:
    """Evaluate every active pair; queue what the policy decides (about ``only`` if given)."""
    notifier = due.notifier
    now = notifier.clock.now()
    week = _week(now)
    sent = 0
    async with due.database.unit_of_work(immediate=True) as session:
        rows = {r.facts.pairing_id: r for r in await active_pairs(session)}
        decisions = POLICY.decide([r.facts for r in rows.values()], now)
        for nudge in decisions.nudges:
            item = nudge.item
            if only is not None and item.pairing_id != only:
                continue
            row = rows[item.pairing_id]
            n = _earlier(row.facts, nudge.person_id, item.kind)
            record = record_nudge(session, item.pairing_id, nudge.person_id, item.kind, now)
            await session.flush()
            nudge_notice = SessionNudge(
                record.id, item.kind, row.program.name, (item.partner_id,), item.check_in_id
            )
            key = f"nudge:{item.pairing_id}:{nudge.person_id}:{item.kind}:{week}:{n}"
            sent += await _queue(session, due, nudge.person_id, nudge_notice, key, record)
        for digest in decisions.digests:
            if only is not None and all(i.pairing_id != only for i in digest.items):
                continue
            pairing_ids = sorted({i.pairing_id for i in digest.items})
            n = sum(_earlier(rows[p].facts, digest.person_id, DIGEST) for p in pairing_ids)
            records = [record_nudge(session, p, digest.person_id, DIGEST, now) for p in pairing_ids]
            await session.flush()
            partners = tuple(dict.fromkeys(i.partner_id for i in digest.items))
            digest_notice = NudgeDigest(
                tuple(r.id for r in records),
                tuple((i.kind, i.partner_id) for i in digest.items),
                partners,
            )
            key = f"digest:{digest.person_id}:{week}:{n}"
            sent += await _queue(session, due, digest.person_id, digest_notice, key, *records)
        for alert in decisions.alerts:
            if only is not None and alert.pairing_id != only:
                continue
            row = rows[alert.pairing_id]
            about = alert.ignored[0][0] if alert.ignored else alert.mentee_id
            record = record_nudge(session, alert.pairing_id, about, AT_RISK, now)
            await session.flush()
            notice = PairAtRisk(
                alert.pairing_id,
                row.program.name,
                row.program.slug,
                (alert.mentor_id, alert.mentee_id),
                alert.ignored,
                alert.dormant_days,
                alert.open_items,
            )
            for admin_id in await admins_of(session, [row.program.id], notifier.config.admins):
                await notifier.notify(
                    session, admin_id, notice, key=f"at-risk:{record.id}:{admin_id}"
                )
            log.info("nudges.at_risk", pairing_id=alert.pairing_id)
    log.info("nudges.looked", pairs=len(rows), sent=sent, only=only)


async def _queue(
    session: AsyncSession,
    due: DueContext,
    person_id: str,
    notice: Notification,
    key: str,
    *records: Nudge,
) -> int:
    """Queue the message; a key already used (a rerun) leaves no second record behind."""
    if await due.notifier.notify(session, person_id, notice, key=key):
        return 1
    for record in records:
        await session.delete(record)
    return 0


async def daily(due: DueContext) -> None:
    await look_at_pairs(due)


async def snooze_over(due: DueContext, payload: SnoozeOver) -> None:
    await look_at_pairs(due, only=payload.pairing_id)


async def answered_already(session: AsyncSession, card: Notification, person_id: str) -> bool:
    """A nudge held by quiet hours and answered meanwhile (from its digest twin, or a
    pair that changed) is not sent."""
    if not isinstance(card, SessionNudge):
        return False
    row = await session.get(Nudge, card.nudge_id)
    return row is None or row.answer is not None


def _ids(value: str) -> list[int]:
    return [int(v) for v in value.split(",") if v.strip().isdigit()][:20]


async def _answer(turn: Turn, answer: str, snooze: str | None = None) -> Outcome:
    ctx, t = turn.ctx, turn.ctx.t
    rows = await nudges_of(ctx.session, ctx.person.id, _ids(turn.inbound.value))
    if not rows:
        return turn.reply(say_text(t("This reminder is not for you.")), close_source=True)
    if all(r.answer is not None for r in rows):
        return turn.reply(
            say_text(t("You have answered this reminder already.")), close_source=True
        )
    now = ctx.now()
    for row in rows:
        row.answer, row.answered_at = answer, now
        if snooze is not None:
            row.snoozed_until = now + SNOOZES[snooze]
            await enqueue_due(
                ctx.session,
                SNOOZE_OVER,
                SnoozeOver(row.pairing_id, row.snoozed_until.isoformat()),
                row.snoozed_until,
            )
    text = {
        "day": t("Snoozed: I will remind you tomorrow."),
        "week": t("Snoozed: I will remind you in a week."),
        None: t("Noted, thank you: I will not remind you of this unless something changes."),
    }[snooze]
    return turn.reply(say_text(text), close_source=True)


async def snooze_day(turn: Turn) -> Outcome:
    return await _answer(turn, SNOOZED, "day")


async def snooze_week(turn: Turn) -> Outcome:
    return await _answer(turn, SNOOZED, "week")


async def fine(turn: Turn) -> Outcome:
    return await _answer(turn, FINE)


NUDGES = Feature(
    "nudges",
    actions={
        SNOOZE_DAY_ACTION: snooze_day,
        SNOOZE_WEEK_ACTION: snooze_week,
        FINE_ACTION: fine,
    },
    due={SNOOZE_OVER: snooze_over},
    routines=(Recurring(NUDGES_ROUTINE, NUDGES_TRIGGER, daily),),
    outdated={SessionNudge.type: answered_already},
)
