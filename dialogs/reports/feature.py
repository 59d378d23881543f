"""``admin report [program] [--by department|stage|location|role] [--from D] [--to D]``,
and ``admin report privacy`` (``thresholds``).

Program admins read their program's figures in a card, in their language; the program
is named, or the only one they run, or picked with one click. Options typed wrong get a
clear answer and nothing else; a cut that would single people out is refused with why.
"""

from __future__ import annotations

from datetime import timedelta

from bot.domain.reports.monthly import ROUTINE, TRIGGER
from dialogs.core.events import Outcome
from dialogs.core.feature import Feature, Recurring, Turn
from dialogs.core.ui import Button
from dialogs.files import file_keys, file_message
from dialogs.programs.replies import picker, program_or_apology, programs_in_scope, say
from dialogs.reports.build import BadOption, parse_options, program_report
from dialogs.reports.card import report_card
from dialogs.reports.charts import charts_of, render_png
from dialogs.reports.files import period_words
from dialogs.reports.monthly import monthly, monthly_setting
from dialogs.reports.thresholds import thresholds
from storage.files import store_file
from storage.models import Program

REPORT_ACTION = "report:admin"  # value: program slug (admins)
REPORTED = ("open", "running", "closed")
CHARTS_KEPT = timedelta(days=30)  # the admin's copy; forgetting the admin removes it sooner


async def _program(turn: Turn, slug: str | None) -> Program | Outcome:
    if slug:
        program, apology = await program_or_apology(turn, slug)
        return program if program is not None else apology
    programs = [p for p in await programs_in_scope(turn) if p.status in REPORTED]
    if len(programs) == 1:
        return programs[0]
    t = turn.ctx.t
    if not programs:
        return say(turn, t("No program has started yet: there is nothing to report."))
    buttons = [Button(p.name, REPORT_ACTION, value=p.slug) for p in programs[:5]]
    return turn.reply(picker(t("Which program?"), buttons))


def _bad_option(turn: Turn, bad: BadOption) -> Outcome:
    t = turn.ctx.t
    if bad.what == "by":
        return say(turn, t("Break down by department, stage, location or role, not:"), bad.typed)
    if bad.what == "order":
        return say(turn, t("The end of the period comes before its start."))
    return say(turn, t("Write dates as YYYY-MM-DD (2027-03-31), not:"), bad.typed)


async def _show(turn: Turn, slug: str | None, options: dict[str, str]) -> Outcome:
    try:
        asked = parse_options(options.get("by"), options.get("from"), options.get("to"))
    except BadOption as bad:
        return _bad_option(turn, bad)
    found = await _program(turn, slug)
    if isinstance(found, Outcome):
        return found
    ctx = turn.ctx
    built = await program_report(ctx.session, found, ctx.now(), asked)
    period = period_words(ctx.t, asked.start, asked.end)
    card = report_card(ctx.t, found.name, built.report, period=period, stages=built.stages)
    charts = charts_of(ctx.t, found.name, built.report, built.stages)
    if not charts:  # a refused report draws nothing
        return turn.reply(card)
    # The same hidden cells as the card (the charts read the same words); drawn in the
    # chart worker, off the event loop. Slack gets the PNG uploaded in the admin's DM,
    # Teams and the console a signed link to ``/files/{token}``.
    now = ctx.now()
    stored = await store_file(
        ctx.session,
        owner_id=ctx.person.id,
        purpose="chart",
        filename=f"tandem-report-{found.slug}-{now.date().isoformat()}.png",
        media_type="image/png",
        content=await render_png(charts),
        now=now,
        expires_at=now + CHARTS_KEPT,
    )
    title = ctx.t("Charts: {program}", program=found.name)
    text = ctx.t("The same figures as above, as charts (hidden cells stay hidden).")
    chart = file_message(
        stored, file_keys(ctx.calendar), title=title, text=text,
        label=ctx.t("Open the charts"), now=now, visibility="private",
    )  # fmt: skip
    return turn.reply(card, chart)


async def report(turn: Turn) -> Outcome:
    command = turn.command
    slug = command.args[0] if command and command.args else None
    options = dict(command.options) if command else {}
    if slug is None:
        slug = options.pop("program", None)
    if command is not None and command.action == "privacy":
        return await thresholds(turn, slug, options)
    if command is not None and command.action == "monthly":
        return await monthly_setting(turn, slug, command.args[1:])
    return await _show(turn, slug, options)


async def report_from_button(turn: Turn) -> Outcome:
    return await _show(turn, turn.inbound.value or None, {})


REPORTS = Feature(
    "reports",
    commands={"admin report": report},
    actions={REPORT_ACTION: report_from_button},
    admin_actions=frozenset({REPORT_ACTION}),
    routines=(Recurring(ROUTINE, TRIGGER, monthly),),
)
