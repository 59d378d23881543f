"""``tandem report --program P``: the program's figures as text (a terminal) or CSV (HR's
BI tools), with exactly the cells the chat card hides hidden, with the same markers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from bot.cli_support import fail, parse_instant, run_with_database, settings_or_exit

if TYPE_CHECKING:
    from storage.db import Database

Format = Literal["text", "csv"]


def report(
    program: Annotated[str, typer.Option("--program", help="The program's slug.")],
    format: Annotated[
        str, typer.Option("--format", help="text (to read), csv (for BI tools) or png (charts).")
    ] = "text",
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to this file (else standard output).")
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="One breakdown: department, stage, location or role."),
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="First day of the period (YYYY-MM-DD).")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last day of the period (YYYY-MM-DD), included.")
    ] = None,
    locale: Annotated[
        str | None, typer.Option("--locale", help="fr or en (default: TANDEM_LOCALE).")
    ] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="Report as of this ISO 8601 instant (default: now).")
    ] = None,
) -> None:
    """The program's report: enrolled, matched, sessions, answers, at-risk pairs, with small
    groups hidden."""
    from dialogs.core.i18n import LOCALES, Translator
    from dialogs.reports.build import BadOption, parse_options, program_report
    from dialogs.reports.charts import charts_of, render_png, shutdown_charts
    from dialogs.reports.files import period_words, report_csv, report_text
    from dialogs.reports.words import refusal_words
    from storage.enrollment.enrollments import program_by_slug

    if format not in ("text", "csv", "png"):
        fail(f"--format: {format!r} is not text, csv or png", 2)
    if format == "png" and out is None:
        fail("--format png writes a file: give it with --out FILE.png", 2)
    settings = settings_or_exit()
    language = locale or settings.locale
    if language not in LOCALES:
        fail(f"--locale: {language!r} is not one of {', '.join(LOCALES)}", 2)
    try:
        asked = parse_options(by, start, end)
    except BadOption as bad:
        what = {"by": "--by", "from": "--from", "to": "--to", "order": "--from/--to"}[bad.what]
        fail(f"{what}: {bad.typed!r}: " + {
            "by": "use department, stage, location or role",
            "order": "the end of the period comes before its start",
        }.get(bad.what, "write dates as YYYY-MM-DD"), 2)  # fmt: skip
    now = parse_instant(at)
    t = Translator(language)

    async def work(database: Database) -> str | bytes:
        async with database.unit_of_work() as session:
            found = await program_by_slug(session, program)
            if found is None:
                fail(f"no program with the slug {program!r}")
            built = await program_report(session, found, now, asked)
        if built.report.refusal is not None:
            fail(refusal_words(t, built.report.refusal), 3)
        if format == "csv":
            return report_csv(t, built.report, built.stages)
        if format == "png":
            return await render_png(charts_of(t, found.name, built.report, built.stages))
        return report_text(t, found.name, built.report, stages=built.stages, until=built.until,
                           period=period_words(t, asked.start, asked.end))  # fmt: skip

    try:
        written = run_with_database(settings, work)
    finally:
        shutdown_charts()
    if isinstance(written, bytes):
        assert out is not None
        out.write_bytes(written)
    elif out is None:
        typer.echo(written, nl=False)
        return
    else:
        out.write_text(written, encoding="utf-8")
    typer.echo(f"Report written to {out}.", err=True)
