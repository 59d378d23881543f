"""Replies every program admin command shares: a line of our words (with what the admin
typed shown inert), the programs an admin runs, the program a command names (or why not),
and a one-click picker among a few programs."""

from __future__ import annotations

from dialogs.core.content import Paragraph, Text, UserText
from dialogs.core.events import Outcome
from dialogs.core.feature import Turn
from dialogs.core.ui import Actions, Button, Message, Section
from storage.audit import record_audit
from storage.enrollment.enrollments import program_by_slug
from storage.models import Program
from storage.programs.programs import list_programs


def say(turn: Turn, text: str, typed: str | None = None) -> Outcome:
    """Our words, then (optionally) something the admin typed, shown inert."""
    parts = (Text(text), *((Text(" "), UserText(typed)) if typed is not None else ()))
    line = Paragraph(parts)
    return turn.reply(Message((Section((line,)),), summary=line.plain(), visibility="private"))


def not_their_program(turn: Turn, program: Program) -> Outcome:
    """A program admin naming someone else's program: refused, audited, nothing changes."""
    ctx = turn.ctx
    what = turn.command.name if turn.command else turn.inbound.action
    record_audit(
        ctx.session,
        "admin.refused",
        actor_id=ctx.person.id,
        program_id=program.id,
        details={"command": what, "reason": "not_program_admin"},
    )
    return say(turn, ctx.t("You are not an admin of this program:"), program.slug)


async def programs_in_scope(turn: Turn) -> list[Program]:
    """The programs the admin runs (all of them for deployment admins)."""
    ctx = turn.ctx
    return [p for p in await list_programs(ctx.session) if ctx.administers(p.id)]


async def program_or_apology(turn: Turn, slug: str) -> tuple[Program | None, Outcome]:
    """The program an admin command names, if it exists and the admin runs it."""
    program = await program_by_slug(turn.ctx.session, slug)
    if program is not None and not turn.ctx.administers(program.id):
        return None, not_their_program(turn, program)
    if program is not None:
        return program, turn.reply()
    t = turn.ctx.t
    known = ", ".join(p.slug for p in await programs_in_scope(turn)) or "—"
    apology = say(turn, t("I do not know a program called"), slug)
    line = Paragraph.of(t("Programs: {slugs}", slugs=known))
    message = apology.messages[0]
    section = Section((*message.blocks[0].paragraphs, line))  # type: ignore[union-attr]
    return None, turn.reply(Message((section,), summary=message.summary, visibility="private"))


def picker(question: str, buttons: list[Button]) -> Message:
    """A question answered by one click among a few programs (no form to fill)."""
    return Message(
        (Section((Paragraph.of(question),)), Actions(tuple(buttons))),
        summary=question,
        visibility="private",
    )
