"""One report, from options as typed (chat or command line) to the figures with their
hidden cells: both ``admin report`` and ``tandem report`` come through here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.reports.facts import Period
from bot.domain.reports.figures import BREAKDOWNS, Report, build_report
from bot.domain.reports.privacy import Thresholds
from storage.models import Program
from storage.programs.career_stages import stage_labels
from storage.reports.facts import program_facts

# Breakdown words accepted, French too (the card and the help show the English word).
BY_WORDS = {
    "department": "department", "departement": "department", "service": "department",
    "stage": "stage", "career": "stage", "etape": "stage", "carriere": "stage",
    "location": "location", "site": "location", "lieu": "location",
    "role": "role",
}  # fmt: skip


class BadOption(ValueError):
    """An option the report cannot take: ``what`` says which (by | from | to | order)."""

    def __init__(self, what: str, typed: str) -> None:
        super().__init__(f"{what}: {typed!r}")
        self.what, self.typed = what, typed


@dataclass(frozen=True)
class Asked:
    by: str | None = None
    start: date | None = None
    end: date | None = None  # included: the report runs to the end of that day


def parse_options(by: str | None, start: str | None, end: str | None) -> Asked:
    chosen = None
    if by:
        chosen = BY_WORDS.get(by.strip().casefold().replace("é", "e").replace("è", "e"))
        if chosen is None or chosen not in BREAKDOWNS:
            raise BadOption("by", by)
    dates = []
    for what, typed in (("from", start), ("to", end)):
        try:
            dates.append(date.fromisoformat(typed.strip()) if typed else None)
        except ValueError:
            raise BadOption(what, typed or "") from None
    first, last = dates
    if first is not None and last is not None and last < first:
        raise BadOption("order", f"{first} > {last}")
    return Asked(chosen, first, last)


def period_of(program: Program, asked: Asked) -> Period:
    """The dates read in the program's own zone: from the start of the first day to the end
    of the last."""
    zone = ZoneInfo(program.timezone)

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(0), zone)

    return Period(
        midnight(asked.start) if asked.start else None,
        midnight(asked.end + timedelta(days=1)) if asked.end else None,
    )


@dataclass(frozen=True)
class Built:
    report: Report
    stages: Mapping[str, Mapping[str, str]]
    until: date | None  # the latest batch's day, in the program's zone


async def program_report(
    session: AsyncSession, program: Program, now: datetime, asked: Asked
) -> Built:
    facts = await program_facts(session, program, now)
    report = build_report(
        facts, Thresholds.of(program.rules), period=period_of(program, asked), by=asked.by
    )
    until = report.answers_until
    day = until.astimezone(ZoneInfo(program.timezone)).date() if until else None
    return Built(report, await stage_labels(session), day)
