"""``admin report privacy [program] [--answers N] [--comments N] [--people N]``: the
program's privacy thresholds, shown, or raised (never lowered: a report read once with
smaller groups cannot be taken back, and a lower threshold would show more of the same
people)."""

from __future__ import annotations

from bot.domain.reports.privacy import ThresholdRefused, Thresholds
from dialogs.core.content import Paragraph
from dialogs.core.events import Outcome
from dialogs.core.feature import Turn
from dialogs.core.ui import Facts, Header, Message, Section
from dialogs.programs.replies import program_or_apology, say
from storage.models import Program
from storage.reports.thresholds import raise_thresholds

OPTIONS = ("answers", "comments", "people")
HIGHEST = 1000


def thresholds_card(turn: Turn, program: Program, limits: Thresholds) -> Outcome:
    t = turn.ctx.t
    title = t("Report privacy: {program}", program=program.name)
    facts = (
        (t("People who answered, for a figure"), Paragraph.of(t.number(limits.answers))),
        (t("People who wrote, for testimonials"), Paragraph.of(t.number(limits.comments))),
        (t("People in a group, for a count"), Paragraph.of(t.number(limits.people))),
    )
    note = Paragraph.of(t("Thresholds can be raised, never lowered."))
    blocks = (Header(title), Facts(facts), Section((note,)))
    return turn.reply(Message(blocks, summary=title, visibility="private"))


async def thresholds(turn: Turn, slug: str | None, options: dict[str, str]) -> Outcome:
    t = turn.ctx.t
    if not slug:
        return say(turn, t("Name the program: admin report privacy <program> --answers 8"))
    program, apology = await program_or_apology(turn, slug)
    if program is None:
        return apology
    changes: dict[str, int] = {}
    for name, typed in options.items():
        if name not in OPTIONS:
            return say(turn, t("Raise --answers, --comments or --people, not:"), f"--{name}")
        if not typed.strip().isdigit() or not 1 <= int(typed) <= HIGHEST:
            return say(turn, t("Write a whole number from 1 to 1000, not:"), typed)
        changes[name] = int(typed)
    try:
        raised = raise_thresholds(
            turn.ctx.session, program, turn.ctx.person.id, turn.ctx.now(), **changes
        )
    except ThresholdRefused as refused:
        current = getattr(Thresholds.of(program.rules), refused.name)
        return say(
            turn,
            t(
                "Thresholds can only be raised: --{name} is {current} for this program.",
                name=refused.name,
                current=current,
            ),
        )
    return thresholds_card(turn, program, raised)
