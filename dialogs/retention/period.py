"""Changing a program's retention period, typed (``admin retention set SLUG MONTHS``) or
through the form that ``admin retention set`` alone opens; one check and one change for
both.

    set: program, months --submit--> done (or an error next to the field)
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.domain.retention import MAX_MONTHS, MIN_MONTHS, months_problem
from dialogs.core.content import Paragraph, Text, Timestamp, UserText
from dialogs.core.flow import Flow, FlowContext, Step, Transition, text_value
from dialogs.core.ui import (
    ActionRef,
    FieldValue,
    Form,
    Message,
    Option,
    Section,
    SelectField,
    TextField,
)
from dialogs.retention.jobs import queue_if_due
from storage.models import Program
from storage.programs.programs import list_programs
from storage.retention import program_erase_at, set_retention

RETENTION_FLOW_NAME = "retention_set"
MAX_OPTIONS = 100  # a static select's limit on Slack


def months_error(ctx: FlowContext, typed: str) -> str | None:
    """Why a typed period is refused, in the reader's words (None: it is fine)."""
    match months_problem(typed):
        case "not_a_number":
            return ctx.t("The period is a whole number of months, for example 12:")
        case "out_of_range":
            return ctx.t(
                "The period is from {low} to {high} months:", low=MIN_MONTHS, high=MAX_MONTHS
            )
    return None


async def change_period(ctx: FlowContext, program: Program, months: int) -> Message:
    """Set the period (checked by the caller) and queue the erasure if its date has come;
    what to answer."""
    t, now = ctx.t, ctx.now()
    if months == program.retention_months:
        said = t.tn(
            "Nothing changed: it was {count} month already.",
            "Nothing changed: it was {count} months already.",
            months,
        )
        return Message((Section((Paragraph.of(said),)),), summary=said, visibility="private")
    set_retention(ctx.session, program, months, ctx.person.id, now)
    queued = await queue_if_due(ctx.session, program, now)
    return done_message(ctx, program, months, queued, now)


def done_message(
    ctx: FlowContext, program: Program, months: int, queued: datetime | None, now: datetime
) -> Message:
    t = ctx.t
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
    return Message((Section(tuple(lines)),), summary=Paragraph(parts).plain(), visibility="private")


def period_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    programs = [
        (str(slug), str(name), int(months)) for slug, name, months in data.get("programs", [])
    ]
    options = tuple(Option(slug, f"{name} ({months})") for slug, name, months in programs)
    one = len(programs) == 1
    return Form(
        title=t("Retention period"),
        ref=ref,
        fields=(
            SelectField("program", t("Program"), options[:MAX_OPTIONS],
                        initial=(programs[0][0],) if one else ()),
            TextField(
                "months",
                t("Months kept after the program ends"),
                initial=str(programs[0][2]) if one else "",
                max_length=3,
                hint=t("From {low} to {high}. Then the free text is erased; the numbers stay.",
                       low=MIN_MONTHS, high=MAX_MONTHS),
            ),
        ),
        submit_label=t("Save"),
    )  # fmt: skip


async def submit_period(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    t = ctx.t
    slug, typed = text_value(values, "program"), text_value(values, "months")
    programs = {p.slug: p for p in await list_programs(ctx.session) if ctx.administers(p.id)}
    errors = {}
    if slug not in programs:
        errors["program"] = t("Choose a program in the list.")
    if (problem := months_error(ctx, typed)) is not None:
        errors["months"] = f"{problem} {typed}".strip()
    if errors:
        return Transition(errors=errors)
    return Transition(message=await change_period(ctx, programs[slug], int(typed)))


RETENTION_FLOW = Flow(
    name=RETENTION_FLOW_NAME,
    first_step="set",
    steps={"set": Step("set", period_form, submit_period)},
    example={"programs": [["rm-2027", "Mentorat inversé 2027", 12]]},
)
