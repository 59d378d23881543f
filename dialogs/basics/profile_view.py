"""``profile``: the whole profile in words, the person's basics then their answers for each
program they take part in, with the buttons that edit them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dialogs.core.content import Paragraph, Text, UserText
from dialogs.core.flow import FlowContext
from dialogs.core.i18n import Translator
from dialogs.core.replies import JOIN_ACTION, PROFILE_EDIT_ACTION
from dialogs.core.ui import Actions, Button, Facts, Header, Message, Section
from dialogs.enrollment.flow import enrollment_facts
from storage.enrollment.enrollments import accepts_enrollment
from storage.enrollment.participation import enrollments_of
from storage.models import Person

SHOWN_STATUSES = ("active", "pending", "paused")


@dataclass(frozen=True)
class ProgramAnswers:
    name: str
    slug: str
    status: str  # active | pending | paused
    facts: Facts
    editable: bool  # the program still accepts enrollment: a second join edits the answers


def _status(t: Translator, status: str) -> str:
    return {
        "pending": t("waiting for the program team’s approval"),
        "paused": t("paused"),
    }.get(status, t("enrolled"))


def profile_message(
    t: Translator,
    person: Person,
    programs: Sequence[ProgramAnswers] = (),
    spoken: Sequence[str] = (),
) -> Message:
    unknown = t("not set")

    def value(text: str | None) -> Paragraph:
        return Paragraph((UserText(text),)) if text else Paragraph((Text(unknown),))

    languages = t.languages(person.languages or spoken) or None
    zone = t.zone(person.timezone) if person.timezone else None
    blocks: list[Header | Section | Facts | Actions] = [
        Header(t("Your profile")),
        Facts(
            (
                (t("Name"), value(person.display_name if person.first_name else None)),
                (t("Title"), value(person.title)),
                (t("Department"), value(person.department)),
                (t("Time zone"), value(zone)),
                (t("Languages"), value(languages)),
            )
        ),
        Actions((Button(t("Edit"), PROFILE_EDIT_ACTION, opens_form=True, style="primary"),)),
    ]
    for program in programs:
        line = Paragraph(
            (Text(t("Program: ")), UserText(program.name), Text(f" · {_status(t, program.status)}"))
        )
        blocks += [Section((line,)), program.facts]
        if program.editable:
            edit = Button(t("Edit my answers"), JOIN_ACTION, value=program.slug, opens_form=True)
            blocks.append(Actions((edit,)))
    if not programs:
        blocks.append(Section((Paragraph.of(t("You are not enrolled in a program yet.")),)))
    return Message(tuple(blocks), summary=t("Your profile"), visibility="private")


async def profile_of(ctx: FlowContext) -> Message:
    """The profile as the person reads it now, with their answers for every program."""
    enrolled = await enrollments_of(ctx.session, ctx.person.id, SHOWN_STATUSES)
    # Enrollment asks the languages one can meet in: they say what the person speaks too.
    spoken = list(dict.fromkeys(code for e, _ in enrolled for code in e.languages))
    answers = [
        ProgramAnswers(
            program.name,
            program.slug,
            enrollment.status,
            await enrollment_facts(ctx, program, enrollment),
            accepts_enrollment(program, ctx.now()),
        )
        for enrollment, program in await enrollments_of(ctx.session, ctx.person.id, SHOWN_STATUSES)
    ]
    return profile_message(ctx.t, ctx.person, answers, spoken)
