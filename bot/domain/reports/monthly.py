"""The optional monthly report: on the first of each month, each admin of a program that
asked for it is told that last month's figures are ready, with one button that shows them
(computed when clicked, under the same privacy rules as ``admin report``: nothing is
frozen in a message that would outlive a batch or a raised threshold)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from bot.domain.notifications import NOTIFICATION_TYPES, Notification

# ``Program.rules[MONTHLY_RULE]``: True when the program's admins want the monthly report.
MONTHLY_RULE = "monthly_report"
ROUTINE = "reports.monthly"
TRIGGER: dict[str, Any] = {"day": 1, "hour": 8, "minute": 30}


def wants_monthly(rules: dict[str, Any] | None) -> bool:
    return bool((rules or {}).get(MONTHLY_RULE))


def last_month(at: datetime, zone: str) -> str:
    """The month just over at ``at`` in the program's zone, as YYYY-MM."""
    local = at.astimezone(ZoneInfo(zone))
    previous = local.replace(day=1) - timedelta(days=1)
    return f"{previous.year:04d}-{previous.month:02d}"


@dataclass(frozen=True)
class MonthlyReportReady(Notification):
    """For a program's admin: last month's report is ready; one button shows it."""

    type: ClassVar[str] = "monthly_report"
    program_slug: str
    program_name: str
    month: str  # YYYY-MM

    def purpose(self) -> str:
        return f"report-monthly:{self.program_slug}:{self.month}"


NOTIFICATION_TYPES.update({MonthlyReportReady.type: MonthlyReportReady})
