"""The closing review in the reader's words: the card that asks for it (and its one
reminder), and what a person reads once it is saved (with the button that withdraws their
consent to quote their testimonial)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.domain.feedback.closing import ClosingReviewAsked, ClosingReviewClosed
from bot.domain.notifications import Notification
from dialogs.core.content import Paragraph, PersonRef, Text, Timestamp, UserText
from dialogs.core.i18n import Translator
from dialogs.core.names import shown_name
from dialogs.core.ui import Actions, Block, Button, Confirm, Header, Message, Section
from storage.models import Person

OPEN_ACTION = "feedback:closing"  # value: the request's id
WITHDRAW_ACTION = "feedback:closing_withdraw"  # value: the request's id

CLOSING_TYPES = frozenset({ClosingReviewAsked.type, ClosingReviewClosed.type})


def present_closing(
    notification: Notification, t: Translator, people: Mapping[str, Person]
) -> Message:
    if isinstance(notification, ClosingReviewClosed):
        title = t("Your closing review")
        closed = (
            t("This review has closed. Thank you for your answers.")
            if notification.answered
            else t("This review has closed: answers are no longer taken. Thank you all the same.")
        )
        return Message((Header(title), Section((Paragraph.of(closed),))), summary=title)
    if not isinstance(notification, ClosingReviewAsked):
        raise ValueError(f"no presenter for {notification.type}")
    asked = notification
    title = t("A reminder: your closing review") if asked.reminder else t("Your closing review")
    partner = asked.person_ids[0] if asked.person_ids else ""
    who = PersonRef(partner, shown_name(people.get(partner)))
    if asked.how == "ended":
        opening = Paragraph((Text(t("Your pairing with ")), who, Text(t(" has ended."))))
    else:
        opening = Paragraph(
            (
                Text(t("Your pairing with ")),
                who,
                Text(t(" in ")),
                UserText(asked.program_name),
                Text(t(" has come to its end. Thank you for the time you gave!")),
            )
        )
    body = [
        opening,
        Paragraph.of(
            t(
                "Three short steps, about two minutes: would you recommend the program, what "
                "changed for you, and where your skills stand now."
            )
        ),
    ]
    if asked.role == "mentor":
        body.append(
            Paragraph.of(
                t(
                    "What you gained counts too: in reverse mentoring, the mentor's own growth "
                    "is one of the results, not a side effect."
                )
            )
        )
    body.append(Paragraph.of(t("Your answers are private: your partner never sees them.")))
    button = Button(
        t("Give my review"), OPEN_ACTION, value=str(asked.request_id), style="primary",
        opens_form=True,
    )  # fmt: skip
    return Message((Header(title), Section(tuple(body)), Actions((button,))), summary=title)


def saved_message(
    t: Translator,
    request_id: int,
    *,
    changed: bool,
    open_until: datetime | None,
    testimonial: bool,
    quoted: bool,
) -> Message:
    """What a person reads once their review is saved."""
    title = t("Your closing review is updated") if changed else t("Thank you for your review")
    body = [
        Paragraph.of(
            t("Your answer replaces the one you gave before.")
            if changed
            else t("Your answers are saved. They stay private: your partner never sees them.")
        )
    ]
    if open_until is not None:
        body.append(
            Paragraph(
                (
                    Text(t("You can change them until ")),
                    Timestamp(open_until, "date"),
                    Text(t(": open the review again from the message that asked for it.")),
                )
            )
        )
    blocks: list[Block] = [Header(title)]
    if quoted:
        body.append(
            Paragraph.of(
                t(
                    "You allow the program team to quote your testimonial. You can withdraw "
                    "this at any time: with the button below, or by typing testimonial "
                    "withdraw."
                )
            )
        )
        blocks.append(Section(tuple(body)))
        blocks.append(Actions((withdraw_button(t, request_id),)))
    else:
        if testimonial:
            body.append(Paragraph.of(t("Your testimonial stays private: it will not be quoted.")))
        blocks.append(Section(tuple(body)))
    return Message(tuple(blocks), summary=title, visibility="private")


def withdraw_button(t: Translator, request_id: int) -> Button:
    return Button(
        t("Withdraw my consent to quote"),
        WITHDRAW_ACTION,
        value=str(request_id),
        style="danger",
        confirm=Confirm(
            t("Withdraw your consent?"),
            t("Your testimonial will no longer be quoted anywhere by the program team."),
            t("Withdraw it"),
            t("Keep it"),
        ),
    )
