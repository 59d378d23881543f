"""The monthly pulse in the reader's words: the question (a junior mentor's, a leader's),
the card once its month is over, and the follow-up alert for the pulse's readers only.

The question's buttons carry ``<request id>:<answer>``; *Add a comment* carries the
request id and opens the small comment form (``dialogs.feedback.pulse``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.domain.feedback.pulse import (
    ANSWERS,
    CONCERN,
    FINE,
    MAX_COMMENT,
    TALK,
    PulseAsked,
    PulseClosed,
    PulseFollowUp,
)
from bot.domain.notifications import Notification
from dialogs.core.content import Paragraph, PersonRef, Text, Timestamp, UserText
from dialogs.core.i18n import N_, Translator
from dialogs.core.names import shown_name
from dialogs.core.ui import Actions, Button, Header, Message, Section
from storage.models import Person

ANSWER_ACTION = "feedback:pulse"  # value: "<request id>:<fine|concern|talk>"
COMMENT_ACTION = "feedback:pulse_comment"  # value: the request id; opens the comment form
PULSE_TYPES = frozenset(cls.type for cls in (PulseAsked, PulseClosed, PulseFollowUp))

# The three answers, in each side's own words: a leader is not asked like a junior.
CHOICES = {
    "mentor": {
        FINE: N_("Fine"),
        CONCERN: N_("A concern"),
        TALK: N_("I'd like to talk"),
    },
    "mentee": {
        FINE: N_("All is well"),
        CONCERN: N_("A point of attention"),
        TALK: N_("I would welcome a word"),
    },
}
# How an admin reads an answer (the same for both sides).
FOR_ADMINS = {
    FINE: N_("fine"),
    CONCERN: N_("a concern"),
    TALK: N_("would like to talk"),
}


def choice_words(t: Translator, role: str, answer: str) -> str:
    return t(CHOICES.get(role, CHOICES["mentor"]).get(answer, FOR_ADMINS[FINE]))


def _name(people: Mapping[str, Person], person_id: str) -> str:
    return shown_name(people.get(person_id))


def pulse_card(t: Translator, asked: PulseAsked, people: Mapping[str, Person]) -> Message:
    """The question with its three buttons (also what ``feedback`` shows again)."""
    partner = asked.person_ids[0] if asked.person_ids else ""
    who = PersonRef(partner, _name(people, partner))
    if asked.role == "mentee":
        title = t("Your reverse mentoring this month")
        question = Paragraph(
            (
                Text(t("How is your reverse mentoring with ")),
                who,
                Text(t(" going? Is there anything you would like the program team to know?")),
            )
        )
        private = t(
            "Your answer goes to the program team only: your mentor never sees it, nor does "
            "anyone in either of your management lines."
        )
    else:
        title = t("How is it going?")
        question = Paragraph(
            (
                Text(t("How is it going with ")),
                who,
                Text(t("? Anything the program team should know?")),
            )
        )
        private = t(
            "Only the program team reads your answer: never your mentee, nor anyone in your "
            "management line."
        )
    lines = [question, Paragraph.of(private)]
    if asked.program_name:
        lines.append(Paragraph((Text(t("Program: ")), UserText(asked.program_name))))
    closes = datetime.fromisoformat(asked.expires_at) - timedelta(seconds=1)
    lines.append(Paragraph((Text(t("You can answer until ")), Timestamp(closes, "date"))))
    if asked.reminder:
        lines.insert(0, Paragraph.of(t("A gentle reminder, in case my question slipped by.")))
    buttons = tuple(
        Button(
            choice_words(t, asked.role, answer),
            ANSWER_ACTION,
            value=f"{asked.request_id}:{answer}",
            style="primary" if answer == FINE else "default",
        )
        for answer in ANSWERS
    )
    return Message((Header(title), Section(tuple(lines)), Actions(buttons)), summary=title)


def answered_messages(
    t: Translator, request_id: int, role: str, answer: str, *, again: bool
) -> tuple[Message, Message]:
    """The reply to a click: what was noted (it takes the card's place where a platform
    replaces the clicked card), then the optional comment as a second step."""
    said = choice_words(t, role, answer)
    first = (
        t("Your answer is updated: {answer}.", answer=said)
        if again
        else t("Thank you, noted: {answer}.", answer=said)
    )
    lines = [Paragraph.of(first)]
    if answer == TALK:
        lines.append(Paragraph.of(t("Someone from the program team will get in touch with you.")))
    elif answer == CONCERN:
        lines.append(Paragraph.of(t("The program team will read it and may follow up with you.")))
    noted = Message((Section(tuple(lines)),), summary=first, visibility="private")
    offer = t("Anything to add? A comment is optional and stays with the program team.")
    comment = Button(t("Add a comment"), COMMENT_ACTION, value=str(request_id), opens_form=True)
    second = Message(
        (Section((Paragraph.of(offer),)), Actions((comment,))), summary=offer, visibility="private"
    )
    return noted, second


def closed_card(t: Translator) -> Message:
    title = t("This month's pulse is closed")
    line = Paragraph.of(t("Thank you. I will ask again next month."))
    return Message((Header(title), Section((line,))), summary=title)


def follow_up_alert(alert: PulseFollowUp, t: Translator, people: Mapping[str, Person]) -> Message:
    title = t("A pulse asks for a follow-up")
    writer, partner = (*alert.person_ids, "", "")[:2]
    mentor, mentee = (partner, writer) if alert.role == "mentee" else (writer, partner)
    side = t("mentor") if alert.role == "mentor" else t("mentee")
    lines = [
        Paragraph(
            (
                PersonRef(writer, _name(people, writer)),
                Text(" (" + side + ")" + t(" answered the monthly pulse: ")),
                Text(t(FOR_ADMINS.get(alert.answer, FOR_ADMINS[CONCERN])), strong=True),
                Text("."),
            )
        ),
        Paragraph(
            (
                Text(t("Pair: ")),
                PersonRef(mentor, _name(people, mentor)),
                Text(" ↔ "),
                PersonRef(mentee, _name(people, mentee)),
                Text(t(", in ")),
                UserText(alert.program_name),
                Text("."),
            )
        ),
    ]
    if alert.changed:
        lines.append(Paragraph.of(t("They changed their answer or added a comment.")))
    if alert.comment:
        lines.append(Paragraph((Text(t("Their comment: ")), UserText(alert.comment))))
    lines.append(
        Paragraph(
            (
                Text(
                    t(
                        "You read this because you are on the program team and outside the "
                        "pair's management lines; their partner never sees it. To follow the "
                        "pair: admin sessions "
                    )
                ),
                UserText(alert.program_slug),
            )
        )
    )
    return Message((Header(title), Section(tuple(lines))), summary=title)


def present_pulse(
    notification: Notification, t: Translator, people: Mapping[str, Person]
) -> Message:
    match notification:
        case PulseAsked():
            return pulse_card(t, notification, people)
        case PulseClosed():
            return closed_card(t)
        case PulseFollowUp():
            return follow_up_alert(notification, t, people)
    raise ValueError(f"no presenter for {notification.type}")


def follow_up_mark(t: Translator, answer: str) -> str:
    """The marker ``admin sessions`` shows on a pair whose last pulse asks for a follow-up."""
    return t("follow up: {answer} (pulse)", answer=t(FOR_ADMINS.get(answer, FOR_ADMINS[CONCERN])))


def pulse_examples(reader_id: str, other_id: str, program: str, slug: str) -> list[Notification]:
    """Worst cases for the platform-limits test (``dialogs/notify/examples.py``)."""
    end = "2027-04-01T00:00:00+02:00"
    comment = ("<!channel> *gras* <b>html</b> & " * 40)[:MAX_COMMENT]
    return [
        PulseAsked(2**31 - 1, "mentor", program, (other_id,), end),
        PulseAsked(2**31 - 1, "mentee", program, (other_id,), end, reminder=True),
        PulseClosed(2**31 - 1),
        PulseFollowUp(2**31 - 1, program, slug, (other_id, reader_id), "mentor", CONCERN, comment),
        PulseFollowUp(2**31 - 1, program, slug, (reader_id, other_id), "mentee", TALK, "", True),
    ]
