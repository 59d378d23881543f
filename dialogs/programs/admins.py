"""``admin program admins add`` typed without its arguments opens this form (typed with
them, the same checks run without a form).

    add: program, email --submit--> added (or an error next to the field)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dialogs.core.content import Paragraph, PersonRef, Text
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
from storage.enrollment.enrollments import person_by_email
from storage.models import Program
from storage.programs.programs import add_program_admin, list_programs

ADMIN_ADD_FLOW_NAME = "program_admin_add"


async def add_admin(ctx: FlowContext, program: Program, email: str) -> Message | dict[str, str]:
    """Make the person with ``email`` an admin of ``program``; errors keyed by field."""
    t = ctx.t
    person = await person_by_email(ctx.session, email.strip())
    if person is None:
        return {
            "email": t(
                "I know nobody with this email yet: they must be imported or write to me once."
            )
        }
    added = await add_program_admin(ctx.session, program, person, ctx.person.id)
    done = t("is now an admin of this program.") if added else t("was an admin already.")
    line = Paragraph((PersonRef(person.id, person.display_name), Text(" " + done)))
    return Message((Section((line,)),), summary=done, visibility="private")


def admin_add_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    programs = [Option(str(slug), str(name)) for slug, name in data.get("programs", [])]
    return Form(
        title=t("Add a program admin"),
        ref=ref,
        fields=(
            SelectField(
                "program",
                t("Program"),
                tuple(programs),
                initial=(programs[0].value,) if len(programs) == 1 else (),
            ),
            TextField(
                "email",
                t("Their work email"),
                max_length=320,
                hint=t("They can then run this program's admin commands."),
            ),
        ),
        submit_label=t("Add"),
    )


async def submit_admin_add(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    t = ctx.t
    slug, email = text_value(values, "program"), text_value(values, "email")
    programs = {p.slug: p for p in await list_programs(ctx.session) if ctx.administers(p.id)}
    errors = {}
    if slug not in programs:
        errors["program"] = t("Choose a program in the list.")
    if "@" not in email:
        errors["email"] = t("Write an email address.")
    if errors:
        return Transition(errors=errors)
    answer = await add_admin(ctx, programs[slug], email)
    if isinstance(answer, dict):
        return Transition(errors=answer)
    return Transition(message=answer)


ADMIN_ADD_FLOW = Flow(
    name=ADMIN_ADD_FLOW_NAME,
    first_step="add",
    steps={"add": Step("add", admin_add_form, submit_admin_add)},
    example={"programs": [["rm-2027", "Mentorat inversé 2027"]]},
)
