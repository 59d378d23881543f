"""``admin retention [SLUG]`` and ``admin retention set SLUG MONTHS``: how long each program
keeps the free text people wrote, when it is erased, and how many texts wait.

Program admins see and change their own programs (deployment admins all of them); the core
refuses everyone else before these handlers run. A bad period, an unknown program or
someone else's program gets an answer and changes nothing. ``admin retention set`` alone
opens a form. A shorter period whose date has passed queues the erasure at once (it runs
in the background, as the nightly one does).
"""

from __future__ import annotations

from bot.domain.retention import ERASE, MAX_MONTHS, MIN_MONTHS, ROUTINE, TRIGGER, Texts
from dialogs.core.events import Outcome
from dialogs.core.feature import Feature, Recurring, Turn
from dialogs.programs.replies import program_or_apology, programs_in_scope, say
from dialogs.retention.cards import MAX_PROGRAMS, Retention, retention_report
from dialogs.retention.jobs import erase, nightly
from dialogs.retention.period import RETENTION_FLOW, change_period, months_error
from storage.models import Program
from storage.retention import program_erase_at, waiting_texts

SET_ACTION = "retention:set"  # opens the form when it could not open at once (Slack)
NO_PROGRAM = "No program yet. Create one with: admin program new"


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
        return say(turn, ctx.t(NO_PROGRAM))
    rows = await _rows(turn, programs)
    shown, more = rows[:MAX_PROGRAMS], len(rows[MAX_PROGRAMS:])
    return turn.reply(retention_report(ctx.t, shown, ctx.now(), more))


async def open_form(turn: Turn) -> Outcome:
    programs = [[p.slug, p.name, p.retention_months] for p in await programs_in_scope(turn)]
    if not programs:
        return say(turn, turn.ctx.t(NO_PROGRAM))
    return await turn.start(RETENTION_FLOW.name, opener=SET_ACTION, data={"programs": programs})


async def change(turn: Turn, args: tuple[str, ...]) -> Outcome:
    ctx, t = turn.ctx, turn.ctx.t
    if not args:
        return await open_form(turn)
    if len(args) != 2:
        return say(
            turn,
            t(
                "Usage: admin retention set SLUG MONTHS ({low} to {high}), for example: "
                "admin retention set rm-2027 12",
                low=MIN_MONTHS,
                high=MAX_MONTHS,
            ),
        )
    slug, typed = args
    program, apology = await program_or_apology(turn, slug)
    if program is None:
        return apology
    if (problem := months_error(ctx, typed)) is not None:
        return say(turn, problem, typed)
    return turn.reply(await change_period(ctx, program, int(typed)))


async def retention_command(turn: Turn) -> Outcome:
    command = turn.command
    args = command.args if command else ()
    if command is not None and command.action == "set":
        return await change(turn, args)
    slug = args[0] if args else (command.options.get("program") if command else None)
    return await show(turn, slug)


RETENTION = Feature(
    "retention",
    flows=(RETENTION_FLOW,),
    commands={"admin retention": retention_command},
    actions={SET_ACTION: open_form},
    due={ERASE: erase},
    routines=(Recurring(ROUTINE, TRIGGER, nightly),),
    admin_actions=frozenset({SET_ACTION}),
    admin_flows=frozenset({RETENTION_FLOW.name}),
)
