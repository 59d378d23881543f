"""The monthly report, for programs that ask for it (``admin report monthly <program>
on|off``): on the first of the month each of the program's admins gets a short notice in
their language, with a button that shows last month's report (card and charts) as
``admin report`` does. Off by default."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

import structlog
from babel.dates import format_date
from sqlalchemy import select

from bot.domain.notifications import Notification
from bot.domain.reports.monthly import MONTHLY_RULE, MonthlyReportReady, last_month, wants_monthly
from dialogs.core.content import Paragraph
from dialogs.core.events import Outcome
from dialogs.core.feature import DueContext, Turn
from dialogs.core.i18n import Translator
from dialogs.core.ui import Actions, Button, Header, Message, Section
from dialogs.programs.replies import program_or_apology, say
from storage.audit import record_audit
from storage.models import Person, Program
from storage.people.admins import admins_of

log = structlog.get_logger("tandem.reports")

REPORT_ACTION = "report:admin"  # the same button as the program picker: value = slug
MONTHLY_TYPES = frozenset({MonthlyReportReady.type})
SWITCH = {"on": True, "oui": True, "off": False, "non": False}


def month_words(t: Translator, month: str) -> str:
    year, number = (int(part) for part in month.split("-"))
    return format_date(date(year, number, 1), "LLLL yyyy", locale=t.locale)


def monthly_notice(notification: MonthlyReportReady, t: Translator) -> Message:
    title = t("Monthly report: {program}", program=notification.program_name)
    text = t(
        "The figures of {month} are ready, under the program's usual privacy rules.",
        month=month_words(t, notification.month),
    )
    show = Button(t("Show the report"), REPORT_ACTION, value=notification.program_slug)
    return Message((Header(title), Section((Paragraph.of(text),)), Actions((show,))), summary=title)


def present_monthly(
    notification: Notification, t: Translator, people: Mapping[str, Person]
) -> Message:
    if isinstance(notification, MonthlyReportReady):
        return monthly_notice(notification, t)
    raise ValueError(f"no presenter for {notification.type}")


def monthly_examples() -> list[Notification]:
    """The longest notice, for the platform-limits test."""
    return [MonthlyReportReady("p" * 64, "Programme <!channel> *x* " * 8, "2027-09")]


async def monthly(due: DueContext) -> None:
    """The routine on the first of the month: a notice to each admin of each program that
    asked for it (once per program, admin and month, whatever replays)."""
    sent = 0
    async with due.database.unit_of_work() as session:
        programs = await session.scalars(
            select(Program).where(Program.status.in_(("open", "running", "closed")))
        )
        for program in list(programs):
            if not wants_monthly(program.rules):
                continue
            month = last_month(due.due_at, program.timezone)
            notice = MonthlyReportReady(program.slug, program.name, month)
            for admin_id in await admins_of(session, [program.id], due.notifier.config.admins):
                sent += await due.notifier.notify(
                    session, admin_id, notice,
                    key=f"report-monthly:{program.id}:{admin_id}:{month}",
                )  # fmt: skip
    log.info("reports.monthly", notices=sent)


async def monthly_setting(turn: Turn, slug: str | None, args: tuple[str, ...]) -> Outcome:
    """``admin report monthly <program> [on|off]``: shows or sets the program's choice."""
    t = turn.ctx.t
    if not slug:
        return say(turn, t("Name the program: admin report monthly <program> on"))
    program, apology = await program_or_apology(turn, slug)
    if program is None:
        return apology
    if args:
        typed = args[0].strip().lower()
        if typed not in SWITCH:
            return say(turn, t("Write on or off, not:"), args[0])
        program.rules = {**(program.rules or {}), MONTHLY_RULE: SWITCH[typed]}
        record_audit(
            turn.ctx.session, "report.monthly_set", actor_id=turn.ctx.person.id,
            program_id=program.id, details={"on": SWITCH[typed]}, at=turn.ctx.now(),
        )  # fmt: skip
    if wants_monthly(program.rules):
        return say(turn, t("The admins of {program} get a report on the first of each month.",
                           program=program.name))  # fmt: skip
    return say(turn, t("No monthly report for {program}. To get one: admin report monthly "
                       "{slug} on", program=program.name, slug=program.slug))  # fmt: skip
