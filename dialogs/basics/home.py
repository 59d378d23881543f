"""The person's home (Slack App Home): their programs, their partner or proposal, and the
next step for each, so that the page answers "where am I?" at a glance."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.proposals import answer_of
from dialogs.core.content import Inline, Paragraph, PersonRef, Text, Timestamp, UserText
from dialogs.core.flow import FlowContext
from dialogs.core.i18n import Translator
from dialogs.core.names import shown_name
from dialogs.core.replies import main_buttons
from dialogs.core.ui import Actions, Header, Message, Section
from storage.enrollment.standing import Standing, standing_of
from storage.models import Person


def _name(person: Person | None) -> str:
    return shown_name(person)


def _my_answer(person: Person, standing: Standing) -> str | None:
    proposal = standing.proposal
    if proposal is None:
        return None
    return answer_of(proposal, person.id)


def next_step(t: Translator, person: Person, standing: Standing) -> Paragraph:
    """What the person does next in this program, in one sentence."""
    enrollment = standing.enrollment
    if enrollment.status == "pending":
        return Paragraph.of(
            t("Next step: the program team reviews your enrollment; I will tell you.")
        )
    if enrollment.status == "paused":
        parts: list[Inline] = [Text(t("Next step: your pause ends on "))]
        if enrollment.paused_until is not None:
            parts.append(Timestamp(enrollment.paused_until, "date"))
        parts.append(Text(t(". Type resume to come back earlier.")))
        return Paragraph(tuple(parts))
    if standing.pairing is not None:
        return Paragraph.of(
            t(
                "Next step: agree on a time for your next session with your partner; type "
                "goals to set the goals of your pairing."
            )
        )
    if standing.proposal is not None:
        if _my_answer(person, standing) is None:
            return Paragraph.of(
                t("Next step: answer the proposal card in our messages, Accept or Decline.")
            )
        return Paragraph.of(
            t("Next step: you accepted; I will tell you when your partner answers.")
        )
    return Paragraph.of(
        t("Next step: nothing to do; I will tell you as soon as a partner is proposed.")
    )


def _program_section(t: Translator, person: Person, standing: Standing) -> Section:
    lines = [Paragraph((Text(t("Program: ")), UserText(standing.program.name)))]
    if standing.partner is not None and standing.pairing is not None:
        lines.append(
            Paragraph(
                (Text(t("Your partner: ")), PersonRef(standing.partner.id, _name(standing.partner)))
            )
        )
    elif standing.partner is not None:
        lines.append(
            Paragraph(
                (
                    Text(t("Proposed partner: ")),
                    PersonRef(standing.partner.id, _name(standing.partner)),
                )
            )
        )
    return Section((*lines, next_step(t, person, standing)))


def home_message(t: Translator, person: Person, standings: Sequence[Standing] = ()) -> Message:
    name = person.first_name or person.display_name
    blocks: list[Header | Section | Actions] = [Header(t("Hello {name}!", name=name))]
    if standings:
        blocks += [_program_section(t, person, standing) for standing in standings]
    else:
        blocks.append(
            Section(
                (
                    Paragraph.of(t("You are not enrolled in a program yet.")),
                    Paragraph.of(t("Next step: click Join a program to take part.")),
                )
            )
        )
    blocks.append(main_buttons(t))
    return Message(tuple(blocks), summary=t("Tandem"))


async def home_of(ctx: FlowContext) -> Message:
    return home_message(ctx.t, ctx.person, await standing_of(ctx.session, ctx.person.id))
