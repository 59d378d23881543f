"""A program's report thresholds, raised only (``Program.rules["report_privacy"]``).

Nothing here commits: the caller's unit of work does, with the audit event.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.reports.privacy import RULES_KEY, Thresholds
from storage.audit import record_audit
from storage.models import Program


def raise_thresholds(
    session: AsyncSession, program: Program, actor_id: str, now: datetime, **changes: int
) -> Thresholds:
    """The program's thresholds with ``changes`` applied; ``ThresholdRefused`` (and nothing
    changed) when one would be lower than it is."""
    before = Thresholds.of(program.rules)
    after = before.raised(**changes)
    if after == before:
        return after
    rules = dict(program.rules or {})
    rules[RULES_KEY] = after.stored()
    program.rules = rules  # a new dict: the JSON column sees the change
    record_audit(
        session,
        "report.thresholds_raised",
        actor_id=actor_id,
        program_id=program.id,
        details={"before": vars(before), "after": vars(after)},
        at=now,
    )
    return after
