"""Editing a program's charter or privacy notice in one language (``admin texts edit``):

    body --submit--> done (a draft of the next version; ``admin texts publish`` publishes it)

The starter puts the current text (or the pending draft) in the flow's data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain.enrollment import Problem
from dialogs.core.content import Paragraph, Text, UserText
from dialogs.core.flow import Flow, FlowContext, Step, Transition, text_value
from dialogs.core.ui import ActionRef, FieldValue, Form, Message, Section, TextField
from dialogs.programs.flows import problem_text
from storage.models import Program
from storage.programs.texts import save_draft

MAX_TEXT = 3000  # a Slack text input holds at most 3,000 characters


def text_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    kind = t("Charter") if data.get("kind") == "charter" else t("Privacy notice")
    language = "Français" if data.get("locale") == "fr" else "English"
    intro = Paragraph(
        (Text(f"{kind} · {language} · "), UserText(str(data.get("program_name", ""))))
    )
    after = Paragraph.of(t("Saved as a draft: people see it once you publish it."))
    return Form(
        title=t("Edit a text"),
        ref=ref,
        fields=(
            TextField(
                "body", kind, multiline=True, initial=str(data.get("body", "")), max_length=MAX_TEXT
            ),
        ),
        submit_label=t("Save the draft"),
        intro=(intro, after),
    )


async def submit_text(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    t = ctx.t
    body = text_value(values, "body")
    if not body:
        return Transition(errors={"body": problem_text(t, Problem("required"))})
    if len(body) > MAX_TEXT:
        return Transition(errors={"body": problem_text(t, Problem("too_long", {"n": MAX_TEXT}))})
    program = await ctx.session.get(Program, int(data["program_id"]))
    if program is None:
        return Transition(errors={"body": t("This program no longer exists.")})
    kind, locale = str(data["kind"]), str(data["locale"])
    version = await save_draft(ctx.session, program, kind, locale, body, ctx.person.id)
    done = t(
        "Draft of version {version} saved. Publish it with: admin texts publish {slug} {kind}",
        version=version,
        slug=program.slug,
        kind=kind,
    )
    return Transition(
        message=Message((Section((Paragraph.of(done),)),), summary=done, visibility="private")
    )


TEXT_FLOW = Flow(
    name="program_text",
    first_step="body",
    steps={"body": Step("body", form=text_form, submit=submit_text)},
    example={
        "program_id": 1,
        "program_name": "MI 2027",
        "kind": "charter",
        "locale": "fr",
        "body": "Charte",
    },
)
