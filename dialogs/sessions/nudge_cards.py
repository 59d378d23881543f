"""Nudges, weekly digests and at-risk alerts in the reader's words.

A nudge and a digest carry *Snooze 1 day*, *Snooze 1 week* and *We're fine*; their value
is the ids of the ``nudges`` rows the message was recorded as. A nudge about a session
nobody answered also carries that session's *Yes* / *No* / *Moved*, the very buttons of
"did it happen?" (one flow answers both).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.notifications import Notification
from bot.domain.sessions.nudge_notices import NudgeDigest, PairAtRisk, SessionNudge
from bot.domain.sessions.nudges import DORMANT, NO_GOALS, NO_SESSION, UNANSWERED
from dialogs.core.content import Inline, Paragraph, PersonRef, Text, UserText
from dialogs.core.i18n import N_, Translator
from dialogs.core.names import shown_name
from dialogs.core.ui import Actions, Block, Button, Header, Message, Section
from dialogs.sessions.cards import did_it_happen_buttons
from storage.models import Person

SNOOZE_DAY_ACTION = "sessions:snooze_day"  # value: nudge ids, comma-separated
SNOOZE_WEEK_ACTION = "sessions:snooze_week"
FINE_ACTION = "sessions:fine"
NUDGE_TYPES = frozenset(cls.type for cls in (SessionNudge, NudgeDigest, PairAtRisk))

# A nudge's title and what it says, with {partner} standing for the partner's name.
TITLES = {
    NO_SESSION: N_("Your first session"),
    UNANSWERED: N_("Did your session happen?"),
    NO_GOALS: N_("Your goals"),
    DORMANT: N_("It has been a while"),
}
BODIES = {
    NO_SESSION: (
        N_("You and "),
        N_(" have not planned your first session yet. A short call is enough to begin."),
    ),
    UNANSWERED: (
        N_("Your last session with "),
        N_(" is over and I do not know whether it happened: please answer Yes, No or Moved."),
    ),
    NO_GOALS: (
        N_("You and "),
        N_(" have met but not set your goals yet: type goals to set one to three together."),
    ),
    DORMANT: (
        N_("You and "),
        N_(" have not met for a while. Plan your next session when it suits you both."),
    ),
}
# The same, as one short line of a digest or an alert.
ITEMS = {
    NO_SESSION: N_("first session not planned yet"),
    UNANSWERED: N_("last session not confirmed as held"),
    NO_GOALS: N_("goals not set yet"),
    DORMANT: N_("no session for a while"),
}


def _name(people: Mapping[str, Person], person_id: str) -> str:
    return shown_name(people.get(person_id))


def answer_buttons(t: Translator, ids: tuple[int, ...]) -> Actions:
    value = ",".join(str(i) for i in ids)
    return Actions(
        (
            Button(t("Snooze 1 day"), SNOOZE_DAY_ACTION, value=value),
            Button(t("Snooze 1 week"), SNOOZE_WEEK_ACTION, value=value),
            Button(t("We're fine"), FINE_ACTION, value=value, style="primary"),
        )
    )


def present_nudges(
    notification: Notification, t: Translator, people: Mapping[str, Person]
) -> Message:
    match notification:
        case SessionNudge(
            nudge_id=nudge_id, kind=kind, person_ids=ids, program_name=program, check_in_id=cid
        ):
            partner = ids[0] if ids else ""
            before, after = BODIES.get(kind, BODIES[DORMANT])
            title = t(TITLES.get(kind, TITLES[DORMANT]))
            body = Paragraph(
                (Text(t(before)), PersonRef(partner, _name(people, partner)), Text(t(after)))
            )
            paragraphs = [body]
            if program:
                paragraphs.append(Paragraph((Text(t("Program: ")), UserText(program))))
            paragraphs.append(Paragraph.of(t("Busy? Snooze me, or tell me all is well.")))
            blocks: list[Block] = [Header(title), Section(tuple(paragraphs))]
            if kind == UNANSWERED and cid is not None:
                blocks.append(did_it_happen_buttons(t, cid))
            blocks.append(answer_buttons(t, (nudge_id,)))
            return Message(tuple(blocks), summary=title)
        case NudgeDigest(nudge_ids=ids, items=items):
            title = t("Your mentoring this week")
            lines = [Paragraph.of(t("A few things are waiting, in one message:"))]
            for kind, partner in items:
                parts: list[Inline] = [
                    Text("• "),
                    PersonRef(partner, _name(people, partner)),
                    Text(" — " + t(ITEMS.get(kind, ITEMS[DORMANT]))),
                ]
                lines.append(Paragraph(tuple(parts)))
            lines.append(Paragraph.of(t("Busy? Snooze me, or tell me all is well.")))
            return Message(
                (Header(title), Section(tuple(lines)), answer_buttons(t, ids)), summary=title
            )
        case PairAtRisk():
            return _at_risk(notification, t, people)
    raise ValueError(f"no presenter for {notification.type}")


def _at_risk(alert: PairAtRisk, t: Translator, people: Mapping[str, Person]) -> Message:
    title = t("A pair may need your help")
    mentor, mentee = (*alert.person_ids, "", "")[:2]
    lines = [
        Paragraph(
            (
                PersonRef(mentor, _name(people, mentor)),
                Text(t(" and ")),
                PersonRef(mentee, _name(people, mentee)),
                Text(t(", in ")),
                UserText(alert.program_name),
                Text("."),
            )
        )
    ]
    for person_id, count in alert.ignored:
        lines.append(
            Paragraph(
                (
                    Text("• "),
                    PersonRef(person_id, _name(people, person_id)),
                    Text(
                        t.tn(
                            " did not answer {count} reminder.",
                            " did not answer {count} reminders.",
                            count,
                        )
                    ),
                )
            )
        )
    if alert.dormant_days:
        lines.append(
            Paragraph.of(
                "• "
                + t.tn(
                    "No session for {count} day past their cadence.",
                    "No session for {count} days past their cadence.",
                    alert.dormant_days,
                )
            )
        )
    if alert.open_items:
        still = ", ".join(t(ITEMS[k]) for k in alert.open_items if k in ITEMS)
        lines.append(Paragraph.of("• " + t("Still open: {items}.", items=still)))
    lines.append(
        Paragraph(
            (
                Text(
                    t("I stopped reminding them and removed nobody; the details: admin sessions ")
                ),
                UserText(alert.program_slug),
            )
        )
    )
    return Message((Header(title), Section(tuple(lines))), summary=title)
