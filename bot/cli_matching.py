"""`tandem demo-data` and `tandem match`: try matching at your own size, from the shell.

NumPy, SciPy and the engine are imported inside the commands, so `tandem --help` and the
other commands start without them.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.cli_support import fail, run_with_database, settings_or_exit

if TYPE_CHECKING:
    from dialogs.core.i18n import Translator
    from storage.db import Database
    from storage.matching.program_match import ProgramMatch

CSV_COLUMNS = (
    "mentor_email",
    "mentee_email",
    "score",
    "reasons",
    "mentor_name",
    "mentee_name",
    "pinned",
    "flags",
)
# Reasons that ask the admin to look, rather than explain the pair: the "flags" column.
FLAG_CODES = frozenset(
    {"pinned", "pin_breaks_rule", "reporting_line_unknown", "department_unknown"}
)
TOP = 5


def demo_data(
    program: Annotated[str, typer.Option("--program", help="Program slug (created if missing).")],
    people: Annotated[
        int, typer.Option("--people", min=2, max=200_000, help="Enrolled people (half mentees).")
    ],
    seed: Annotated[int, typer.Option("--seed", min=0, help="Same seed, same people.")] = 0,
) -> None:
    """Fill a program with a realistic synthetic organisation, to try matching at your size."""
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from bot.clock import SystemClock
    from bot.domain.programs import SLUG
    from storage.demo_data import write_demo_program

    settings = settings_or_exit()
    if not SLUG.match(program):
        fail(f"--program: {program!r} is not a slug (lowercase letters, digits and dashes)", 2)

    async def _go(database: Database) -> str:
        with Progress(
            SpinnerColumn(), TextColumn("Writing rows: {task.completed:,.0f}"), transient=True
        ) as progress:
            task = progress.add_task("rows", total=None)
            report = await write_demo_program(
                database,
                program,
                people,
                seed,
                now=SystemClock().now(),
                timezone=settings.timezone,
                progress=lambda n: progress.advance(task, n),
            )
        state = "Created program" if report.program_created else "Program"
        return (
            f"{state} {report.program_slug}: {report.people_created} people created "
            f"({report.people_existing} already there), {report.enrollments_created} "
            f"enrollments added ({report.mentors} mentors, {report.mentees} mentees in the "
            f"seed {seed} population). Next: tandem match --program {program} --dry-run"
        )

    typer.echo(run_with_database(settings, _go))


def match(
    program: Annotated[str, typer.Option("--program", help="Program slug.")],
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="Propose and report; record nothing (else: a draft run to send)."
        ),
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write every proposed pair to this CSV file.")
    ] = None,
    lang: Annotated[
        str | None, typer.Option("--lang", help="Language of the reasons: fr or en.")
    ] = None,
) -> None:
    """Propose pairings for a program: a summary here, every pair in --out (CSV)."""
    from dialogs.core.i18n import LOCALES, Translator
    from storage.enrollment.enrollments import program_by_slug

    settings = settings_or_exit()
    locale = lang or settings.locale
    if locale not in LOCALES:
        fail(f"--lang: use one of {', '.join(LOCALES)}", 2)

    async def _go(database: Database) -> tuple[ProgramMatch, int | None] | None:
        from bot.clock import SystemClock
        from storage.matching.program_match import match_program
        from storage.matching.runs import record_run

        async with database.unit_of_work() as session:
            found = await program_by_slug(session, program)
            program_id = found.id if found else None
        if program_id is None:
            return None
        now = SystemClock().now()
        done = await match_program(
            database.url, program_id, now=now, in_process=True, database=database
        )
        if dry_run:
            return done, None
        # a draft run, as `admin match` makes: admins review, edit and send it from chat
        async with database.unit_of_work() as session:
            run = await record_run(
                session, program_id, done.result, created_by=None, trigger="cli", now=now
            )
            await session.flush()
            return done, run.id

    outcome = run_with_database(settings, _go)
    if outcome is None:
        fail(f"no program {program!r} (see tandem program list)")
    done, run_id = outcome
    t = Translator(locale)
    _summary(done, t)
    if out is not None:
        try:
            rows = write_csv(out, done, t)
        except OSError as exc:
            fail(f"cannot write {out}: {exc.strerror or exc}")
        typer.echo(f"{rows} proposed pairs written to {out}.")
    if run_id is not None:
        typer.echo(
            f"Recorded as draft run {run_id} ({len(done.result.pairs)} proposals, nobody told "
            f"yet). In chat, `/tandem admin match remove N` or `swap N M` edits it and "
            f"`/tandem admin match send {program}` sends it (sending needs the Slack or Teams "
            "channels, so it is done from chat; a new `admin match` replaces this draft)."
        )


def _labels(t: Translator, done: ProgramMatch) -> tuple[dict[str, str], dict[str, str]]:
    def pick(labels: dict[str, dict[str, str]]) -> dict[str, str]:
        return {k: v.get(t.locale) or v.get("en") or k for k, v in labels.items()}

    return pick(done.skill_labels), pick(done.stage_labels)


def write_csv(path: Path, done: ProgramMatch, t: Translator) -> int:
    from dialogs.matching.reasons import describe_all

    skills, stages = _labels(t, done)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for pair in done.result.pairs:
            why = [r for r in pair.reasons if r.get("code") not in FLAG_CODES]
            flags = [r for r in pair.reasons if r.get("code") in FLAG_CODES]
            words: dict[str, Any] = {
                "names": done.names,
                "skill_labels": skills,
                "stage_labels": stages,
                "mentor": pair.mentor_id,
                "mentee": pair.mentee_id,
            }
            writer.writerow(
                {
                    "mentor_email": done.emails.get(pair.mentor_id) or "",
                    "mentee_email": done.emails.get(pair.mentee_id) or "",
                    "score": f"{pair.score:.3f}",
                    "reasons": "; ".join(describe_all(why, t, **words)),
                    "mentor_name": done.names.get(pair.mentor_id, ""),
                    "mentee_name": done.names.get(pair.mentee_id, ""),
                    "pinned": "yes" if pair.pinned else "no",
                    "flags": "; ".join(describe_all(flags, t, **words)),
                }
            )
    return len(done.result.pairs)


def _summary(done: ProgramMatch, t: Translator) -> None:
    from rich.console import Console
    from rich.table import Table

    from dialogs.matching.reasons import describe

    result, stats = done.result, done.result.stats
    skills, stages = _labels(t, done)
    words: dict[str, Any] = {"names": done.names, "skill_labels": skills, "stage_labels": stages}
    console = Console()
    table = Table("", "", show_header=False, title="Matching (nobody told)")
    opt = stats.optimality
    optimality = (
        "optimal over all pairs"
        if opt.status == "optimal"
        else f"proven gap {opt.gap_score:.3f} score points"
    )
    for name, value in (
        ("mentors (eligible / enrolled)", f"{stats.eligible_mentors} / {stats.mentors}"),
        ("mentees (free / enrolled)", f"{stats.eligible_mentees} / {stats.mentees}"),
        ("mentor capacity", str(stats.capacity)),
        ("pairs proposed", f"{stats.served} (pinned {stats.pinned})"),
        ("mentees without a partner", str(len(result.unmatched))),
        ("average score", f"{stats.average_score:.3f}"),
        ("optimality", optimality),
        (
            "time",
            f"load {done.timings.get('load', 0):.2f} s, solve {done.timings.get('solve', 0):.2f} s",
        ),
    ):
        table.add_row(name, value)
    console.print(table)
    if stats.mentors == 0 or stats.mentees == 0:
        missing = "mentors" if stats.mentors == 0 else "mentees"
        console.print(f"No active {missing} in this program: nobody can be paired yet.")
    sections = (
        ("Why mentees are left without a partner", _top_unmatched(done, t, words)),
        ("Recruiting hints", [describe(h, t, **words) for h in result.hints]),
        ("Warnings", [describe(w, t, **words) for w in result.warnings[:TOP]]),
    )
    for title, lines in sections:
        if lines:
            console.print(f"[bold]{title}[/bold]")
            for line in lines:
                console.print(f"  • {line}", markup=False, highlight=False)
    if len(result.warnings) > TOP:
        console.print(f"  … and {len(result.warnings) - TOP} more warnings")


def _top_unmatched(done: ProgramMatch, t: Translator, words: dict[str, Any]) -> list[str]:
    """The most frequent kinds of reason, each with one example in words and its count."""
    from dialogs.matching.reasons import describe

    counts: Counter[str] = Counter()
    example: dict[str, str] = {}
    for mentee in done.result.unmatched:
        for reason in mentee.reasons:
            code = str(reason.get("code"))
            counts[code] += 1
            example.setdefault(code, describe(reason, t, **words))
    return [f"{example[code]} (mentees: {n})" for code, n in counts.most_common(TOP)]
