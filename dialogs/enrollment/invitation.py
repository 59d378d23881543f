"""Admins invite people personally: by email, or everyone of some career stages or
departments from the HRIS data.

invite --submit--> done        (no target, an unknown program or a bad delay keep the step)

Each invitation is an AuditEvent ``invitation.sent`` (the durable record: who invited whom
to which program, when; ``admin status`` counts the unanswered ones) plus two due actions:
the invitation itself now and one reminder after N days, whose handler first checks
whether the person enrolled meanwhile. The invitation's key makes a second invitation of
the same person to the same program a no-op, so nobody is invited (or reminded) twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.domain.participation import (
    INVITE,
    INVITE_REMINDER,
    INVITE_REMINDER_DAYS,
    MAX_INVITE_REMINDER_DAYS,
    Invite,
    InviteTargets,
    invite_targets,
    reminder_days_problem,
    split_list,
)
from dialogs.core.content import Paragraph, Text, UserText
from dialogs.core.flow import Flow, FlowContext, Step, Transition, list_value, text_value
from dialogs.core.i18n import Translator
from dialogs.core.ui import (
    ActionRef,
    FieldValue,
    Form,
    Header,
    Message,
    Option,
    Section,
    SelectField,
    TextField,
)
from storage.audit import record_audit
from storage.enqueue import enqueue_due
from storage.enrollment.enrollments import program_by_slug
from storage.enrollment.participation import (
    answered,
    departments,
    find_invitees,
    open_programs,
)
from storage.models import Program
from storage.programs.career_stages import ladder

INVITE_ACTION = "participation:invite"


@dataclass
class InviteResult:
    invited: list[str] = field(default_factory=list)  # person ids
    already_invited: list[str] = field(default_factory=list)
    already_enrolled: list[str] = field(default_factory=list)
    unknown_emails: list[str] = field(default_factory=list)
    not_emails: list[str] = field(default_factory=list)


async def send_invitations(
    ctx: FlowContext, program: Program, targets: InviteTargets, days: int, now: datetime
) -> InviteResult:
    found = await find_invitees(ctx.session, targets.emails, targets.stages, targets.departments)
    result = InviteResult(unknown_emails=found.unknown_emails, not_emails=list(targets.not_emails))
    for person in found.people:
        if await answered(ctx.session, person.id, program.id):
            result.already_enrolled.append(person.id)
            continue
        invite = Invite(person.id, program.id)
        if not await enqueue_due(ctx.session, INVITE, invite, now):
            result.already_invited.append(person.id)
            continue
        await enqueue_due(ctx.session, INVITE_REMINDER, invite, now + timedelta(days=days))
        record_audit(
            ctx.session,
            "invitation.sent",
            actor_id=ctx.person.id,
            subject_id=person.id,
            program_id=program.id,
            details={"remind_after_days": days},
            at=now,
        )
        result.invited.append(person.id)
    return result


def result_message(t: Translator, program: Program, result: InviteResult) -> Message:
    paragraphs = [
        Paragraph(
            (
                Text(t("Invitations to ")),
                UserText(program.name),
                Text(
                    t(
                        ": {sent}, {again}, {enrolled}.",
                        sent=t.tn("{count} sent", "{count} sent", len(result.invited)),
                        again=t.tn(
                            "{count} already invited",
                            "{count} already invited",
                            len(result.already_invited),
                        ),
                        enrolled=t.tn(
                            "{count} already enrolled",
                            "{count} already enrolled",
                            len(result.already_enrolled),
                        ),
                    )
                ),
            )
        )
    ]
    if result.invited:
        paragraphs.append(Paragraph.of(t("Those who do not answer get one reminder.")))
    if result.unknown_emails:
        paragraphs.append(
            Paragraph(
                (
                    Text(t("Nobody has these emails, nothing was sent to them: ")),
                    UserText(", ".join(result.unknown_emails)),
                )
            )
        )
    if result.not_emails:
        paragraphs.append(
            Paragraph((Text(t("These are not emails: ")), UserText(", ".join(result.not_emails))))
        )
    title = t("Invitations")
    return Message((Header(title), Section(tuple(paragraphs))), summary=title, visibility="private")


async def invite_form_fields(ctx: FlowContext) -> dict[str, Any]:
    """Choices read once when the flow starts (the form builder cannot query)."""
    return {
        "programs": [
            [p.slug, p.name] for p in await open_programs(ctx.session) if ctx.administers(p.id)
        ],
        "stages": [
            [s.key, s.label_fr if ctx.locale == "fr" else s.label_en]
            for s in await ladder(ctx.session)
        ],
        "departments": await departments(ctx.session),
    }


def invite_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    programs = [Option(slug, name) for slug, name in data.get("programs", [])]
    program: TextField | SelectField = (
        SelectField(
            "program",
            t("Program"),
            tuple(programs),
            initial=(programs[0].value,) if len(programs) == 1 else (),
        )
        if programs
        else TextField("program", t("Program"), hint=t("The program's short name (slug)."))
    )  # no choice to offer: the feature says so before, but a typed slug still works
    fields: list[TextField | SelectField] = [
        program,
        TextField(
            "emails",
            t("Emails"),
            required=False,
            multiline=True,
            hint=t("One or more, separated by commas or new lines."),
        ),
    ]
    stages = [Option(key, label) for key, label in data.get("stages", [])]
    if stages:
        fields.append(
            SelectField(
                "stages",
                t("Everyone of these career stages"),
                tuple(stages),
                multi=True,
                required=False,
            )
        )
    names = [Option(name, name) for name in data.get("departments", [])]
    if names:
        fields.append(
            SelectField(
                "departments",
                t("Everyone in these departments"),
                tuple(names),
                multi=True,
                required=False,
            )
        )
    fields.append(
        TextField(
            "days",
            t("Remind after (days)"),
            initial=str(INVITE_REMINDER_DAYS),
            max_length=3,
            hint=t("Those who have not answered by then get one reminder."),
        )
    )
    return Form(title=t("Invite people"), ref=ref, fields=tuple(fields), submit_label=t("Invite"))


def days_error(t: Translator, text: str) -> tuple[int, str | None]:
    if not text:
        return INVITE_REMINDER_DAYS, None
    if not text.isdigit() or reminder_days_problem(int(text)):
        return 0, t("A number of days from 1 to {n}.", n=MAX_INVITE_REMINDER_DAYS)
    return int(text), None


async def submit_invite(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    t = ctx.t
    errors: dict[str, str] = {}
    program = await program_by_slug(ctx.session, text_value(values, "program"))
    if program is None or program.status != "open" or not ctx.administers(program.id):
        errors["program"] = t("Choose an open program.")
    targets = invite_targets(
        text_value(values, "emails"),
        list_value(values, "stages"),
        list_value(values, "departments"),
    )
    if targets.empty:
        errors["emails"] = t("Give at least one email, career stage or department.")
    days, problem = days_error(t, text_value(values, "days"))
    if problem:
        errors["days"] = problem
    if errors or program is None:
        return Transition(errors=errors)
    result = await send_invitations(ctx, program, targets, days, ctx.now())
    return Transition(message=result_message(t, program, result))


INVITE_FLOW = Flow(
    name="invite",
    first_step="invite",
    steps={"invite": Step("invite", invite_form, submit_invite)},
)


async def invite_from_arguments(
    ctx: FlowContext, args: tuple[str, ...], options: Mapping[str, str]
) -> Message:
    """``admin invite a@x.example b@y.example --program slug --stages s1,s2
    --departments "Finance" --days 7``: the same as the form, without it."""
    t = ctx.t
    programs = [p for p in await open_programs(ctx.session) if ctx.administers(p.id)]
    slug = options.get("program", "")
    if not slug and len(programs) == 1:
        slug = programs[0].slug
    program = await program_by_slug(ctx.session, slug) if slug else None
    if program is None or program.status != "open" or not ctx.administers(program.id):
        choices = ", ".join(p.slug for p in programs) or "—"
        return _text(
            t("Name an open program with --program (open programs: {slugs}).", slugs=choices)
        )
    targets = invite_targets(
        " ".join(args),
        split_list(options.get("stages", "").replace(",", " ")),
        tuple(d.strip() for d in options.get("departments", "").split(",")),
    )
    if targets.empty:
        return _text(t("Give at least one email, career stage or department."))
    days, problem = days_error(t, options.get("days", "").strip())
    if problem:
        return _text(problem)
    result = await send_invitations(ctx, program, targets, days, ctx.now())
    return result_message(t, program, result)


def no_open_program(t: Translator) -> Message:
    return _text(t("No program is open for enrollment: open one first (admin program open)."))


def _text(text: str) -> Message:
    return Message((Section((Paragraph.of(text),)),), summary=text, visibility="private")
