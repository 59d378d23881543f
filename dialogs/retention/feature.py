"""``admin retention [SLUG]`` and ``admin retention set SLUG MONTHS``: how long each program
keeps the free text people wrote, when it is erased, and how many texts wait.

Program admins see and change their own programs (deployment admins all of them); the core
refuses everyone else before these handlers run. A bad period, an unknown program or
someone else's program gets an answer and changes nothing. A shorter period whose date has
passed queues the erasure at once (it runs in the background, as the nightly one does).
"""

from __future__ import annotations

from datetime import datetime

from bot.domain.retention import (
    ERASE,
    MAX_MONTHS,
    MIN_MONTHS,
    ROUTINE,
    TRIGGER,
    Texts,
    months_problem,
)
from dialogs.core.content import Paragraph, Text, Timestamp, UserText
from dialogs.core.events import Outcome
from dialogs.core.feature import Feature, Recurring, Turn
from dialogs.core.ui import Message, Section
from dialogs.programs.replies import program_or_apology, programs_in_scope, say
from dialogs.retention.cards import MAX_PROGRAMS, Retention, retention_report
from dialogs.retention.jobs import erase, nightly, queue_if_due
from storage.models import Program
from storage.retention import program_erase_at, set_retention, waiting_texts


async def _rows(turn: Turn, programs: list[Program]) -> list[Retention]:
    waiting = await waiting_texts(turn.ctx.session, [p.id for p in programs])
    rows = [
        Retention(p.name, p.slug, p.retention_months, p.ends_on, p.timezone,
                  program_erase_at(p), waiting.get(p.id, Texts()))
        for p in programs
    ]  # fmt: skip
    return sorted(rows, key=lambda r: (r.erase_at, r.slug))


async def show(turn: Turn, slug: str | None) -> Outcome:
    ctx = turn.ctx
    if slug:
        program, apology = await program_or_apology(turn, slug)
        if program is None:
            return apology
        programs = [program]
    else:
        programs = await programs_in_scope(turn)
    if not programs:
        return say(turn, ctx.t("No program yet. Create one with: admin program new"))
    rows = await _rows(turn, programs)
    shown, more = rows[:MAX_PROGRAMS], len(rows[MAX_PROGRAMS:])
    return turn.reply(retention_report(ctx.t, shown, ctx.now(), more))


def _usage(turn: Turn) -> Outcome:
    t = turn.ctx.t
    return say(
        turn,
        t(
            "Usage: admin retention set SLUG MONTHS ({low} to {high}), for example: "
            "admin retention set rm-2027 12",
            low=MIN_MONTHS,
            high=MAX_MONTHS,
        ),
    )


def _done(turn: Turn, program: Program, months: int, queued: datetime | None) -> Outcome:
    t, now = turn.ctx.t, turn.ctx.now()
    at = program_erase_at(program)
    parts = (
        Text(t("Done:") + " "),
        UserText(program.name),
        Text(
            " "
            + t.tn(
                "keeps free text {count} month after its end; it is erased on ",
                "keeps free text {count} months after its end; it is erased on ",
                months,
            )
        ),
        Timestamp(at, "date"),
        Text("."),
    )
    lines = [Paragraph(parts)]
    if at <= now:
        lines.append(
            Paragraph.of(
                t("That date has passed: the texts waiting are being erased now.")
                if queued is not None
                else t("That date has passed; no text is waiting.")
            )
        )
    message = Message((Section(tuple(lines)),), summary=Paragraph(parts).plain(),
                      visibility="private")  # fmt: skip
    return turn.reply(message)


async def change(turn: Turn, args: tuple[str, ...]) -> Outcome:
    ctx, t = turn.ctx, turn.ctx.t
    if len(args) != 2:
        return _usage(turn)
    slug, typed = args
    program, apology = await program_or_apology(turn, slug)
    if program is None:
        return apology
    problem = months_problem(typed)
    if problem is not None:
        why = (
            t("The period is a whole number of months, for example 12:")
            if problem == "not_a_number"
            else t("The period is from {low} to {high} months:", low=MIN_MONTHS, high=MAX_MONTHS)
        )
        return say(turn, why, typed)
    months = int(typed)
    if months == program.retention_months:
        return say(
            turn,
            t.tn(
                "Nothing changed: it was {count} month already.",
                "Nothing changed: it was {count} months already.",
                months,
            ),
        )
    set_retention(ctx.session, program, months, ctx.person.id, ctx.now())
    queued = await queue_if_due(ctx.session, program, ctx.now())
    return _done(turn, program, months, queued)


async def retention_command(turn: Turn) -> Outcome:
    command = turn.command
    args = command.args if command else ()
    if command is not None and command.action == "set":
        return await change(turn, args)
    slug = args[0] if args else (command.options.get("program") if command else None)
    return await show(turn, slug)


RETENTION = Feature(
    "retention",
    commands={"admin retention": retention_command},
    due={ERASE: erase},
    routines=(Recurring(ROUTINE, TRIGGER, nightly),),
)
