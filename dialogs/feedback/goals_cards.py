"""Goals in the reader's words: the mid-point card, the "try it this week" card, the
``goals`` overview and the form that checks each goal (one select per goal).

The goals are the pair's own words (``UserText``); a check is shown with who made it and
when, never with anything else either person answered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.domain.feedback.goals import GOAL_STATUSES, OPEN, MidpointCheck
from bot.domain.feedback.tips import TipSuggestion
from bot.domain.notifications import Notification
from dialogs.core.content import Inline, Paragraph, PersonRef, Text, Timestamp, UserText
from dialogs.core.flow import FlowContext
from dialogs.core.i18n import N_, Translator
from dialogs.core.names import shown_name
from dialogs.core.ui import (
    ActionRef,
    Actions,
    Button,
    Divider,
    Form,
    Header,
    Message,
    Option,
    Section,
    SelectField,
)
from dialogs.matching.cards import GOALS_ACTION
from storage.models import Person

MIDPOINT_ACTION = "goals:midpoint"  # value: the request's id; opens the check form
UPDATE_ACTION = "goals:update"  # value: the pairing's id; opens the check form
TIP_OFF_ACTION = "goals:tips_off"  # value: the pairing's id
GOALS_TYPES = frozenset({MidpointCheck.type, TipSuggestion.type})
FIELD_PREFIX = "goal_"

STATUS_WORDS = {
    OPEN: N_("not checked yet"),
    "on_track": N_("on track"),
    "stuck": N_("stuck"),
    "done": N_("done"),
}
STATUS_MARKS = {OPEN: "○", "on_track": "◔", "stuck": "■", "done": "✓"}


def status_word(t: Translator, status: str) -> str:
    return t(STATUS_WORDS.get(status, STATUS_WORDS[OPEN]))


def _name(people: Mapping[str, Person], person_id: str) -> str:
    return shown_name(people.get(person_id))


def goal_line(t: Translator, text: str, status: str) -> Paragraph:
    mark = STATUS_MARKS.get(status, STATUS_MARKS[OPEN])
    return Paragraph((Text(f"{mark} "), UserText(text), Text(" — " + status_word(t, status))))


def present_goals(
    notification: Notification, t: Translator, reader: Person, people: Mapping[str, Person]
) -> Message:
    match notification:
        case MidpointCheck(request_id=request_id, person_ids=ids, goals=goals, reminder=again):
            partner = ids[0] if ids else ""
            title = t("Reminder: half-way through") if again else t("Half-way through")
            intro = Paragraph(
                (
                    Text(t("You and ")),
                    PersonRef(partner, _name(people, partner)),
                    Text(t(" are half-way through your pairing. Where is each goal?")),
                )
            )
            lines = [goal_line(t, text, status) for text, status in goals]
            after = Paragraph.of(
                t("Either of you may answer; the other sees the goals' status, nothing else.")
            )
            button = Button(
                t("Check our goals"),
                MIDPOINT_ACTION,
                value=str(request_id),
                style="primary",
                opens_form=True,
            )
            return Message(
                (Header(title), Section((intro, *lines, after)), Actions((button,))),
                summary=title,
            )
        case TipSuggestion():
            return _tip(notification, t)
    raise ValueError(f"no presenter for {notification.type}")


def _tip(tip: TipSuggestion, t: Translator) -> Message:
    french = t.locale == "fr"
    title = t("Try it this week")
    skill = Paragraph((Text(t("Skill: ")), UserText(tip.skill_fr if french else tip.skill_en)))
    words = Paragraph((UserText(tip.text_fr if french else tip.text_en),))
    after = Paragraph.of(t("About fifteen minutes. Optional: skip it if the week is full."))
    off = Button(t("Not for me"), TIP_OFF_ACTION, value=str(tip.pairing_id))
    return Message((Header(title), Section((skill, words, after)), Actions((off,))), summary=title)


# -- the check form (mid-point and any-time update) ----------------------------------------


def check_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    """One select per goal: on track / stuck / done, starting from its current status."""
    t = ctx.t
    options = tuple(Option(s, status_word(t, s)) for s in GOAL_STATUSES)
    fields = []
    for goal_id, text, status in data.get("goals", []):
        initial = (status,) if status in GOAL_STATUSES else ()
        fields.append(
            SelectField(f"{FIELD_PREFIX}{goal_id}", text, options, required=False, initial=initial)
        )
    intro = (
        t("Half-way through: where is each goal? Your partner sees the status, nothing else.")
        if data.get("stage") == "midpoint"
        else t("Where is each goal now? Your partner sees the status.")
    )
    return Form(
        title=t("Our goals"),
        ref=ref,
        fields=tuple(fields),
        submit_label=t("Save"),
        intro=(Paragraph.of(intro),),
    )


CHECK_EXAMPLE = {
    "stage": "midpoint",
    "request_id": 2**31 - 1,
    "pairing_id": 2**31 - 1,
    "goals": [[2**31 - n, ("<!channel> *" * 40)[:280], "stuck"] for n in range(1, 7)],
}


# -- the goals command -----------------------------------------------------------------------


@dataclass(frozen=True)
class PairGoals:
    """One of the reader's pairings, as the ``goals`` command shows it."""

    pairing_id: int
    partner_id: str
    # (text, status, who checked last or "", when or None)
    goals: Sequence[tuple[str, str, str, datetime | None]]


def goals_overview(
    t: Translator, pairs: Sequence[PairGoals], people: Mapping[str, Person]
) -> Message:
    title = t("Your goals")
    blocks: list[Header | Section | Actions | Divider] = [Header(title)]
    for n, pair in enumerate(pairs):
        if n:
            blocks.append(Divider())
        head = Paragraph(
            (
                Text(t("With ")),
                PersonRef(pair.partner_id, _name(people, pair.partner_id)),
                Text(t(":")),
            )
        )
        lines = [head]
        for text, status, who, when in pair.goals:
            parts: list[Inline] = list(goal_line(t, text, status).parts)
            if who and when is not None:
                parts += [
                    Text(t(" (checked by ")),
                    PersonRef(who, _name(people, who)),
                    Text(", "),
                    Timestamp(when, "date"),
                    Text(")"),
                ]
            lines.append(Paragraph(tuple(parts)))
        value = str(pair.pairing_id)
        if pair.goals:
            button = Button(t("Update a status"), UPDATE_ACTION, value=value, opens_form=True)
        else:
            lines.append(Paragraph.of(t("No goals yet: set one to three together.")))
            button = Button(t("Set our goals"), GOALS_ACTION, value=value, opens_form=True)
        blocks += [Section(tuple(lines)), Actions((button,))]
    return Message(tuple(blocks), summary=title, visibility="private")


def overview_example(person_id: str, other_id: str) -> list[PairGoals]:
    """A mentor with three pairs, at their longest (the platform-limits test renders it)."""
    at = datetime.fromisoformat("2027-03-29T06:30:00+00:00")
    goals = [(("<!channel> *" * 40)[:280], "stuck", other_id, at)] * 6
    return [PairGoals(2**31 - n, other_id, goals if n < 3 else []) for n in range(3)]
