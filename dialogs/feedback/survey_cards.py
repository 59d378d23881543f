"""The session survey's cards in the reader's words (mentor and mentee words differ).

Step one, the notification: "How was it?" and five buttons. Step two replaces it: the
rating given (tap another to change it), the pair's skills as chips to tick, an optional
comment, *Done* and *Skip*. Two taps answer it; nothing is a form of ten fields.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from bot.domain.feedback.survey import RATINGS, SurveyAsked
from bot.domain.notifications import Notification
from dialogs.core.content import Inline, Paragraph, PersonRef, Text, Timestamp, UserText
from dialogs.core.i18n import N_, Translator
from dialogs.core.names import shown_name
from dialogs.core.ui import Actions, Block, Button, Header, Message, Section
from storage.models import Person

# Buttons without a flow reference; each value starts with the request's id.
RATE_ACTION = "feedback:rate"  # "<request id>:<1-5>"
CHIP_ACTION = "feedback:chip"  # "<request id>:on|off:<skill key>"
COMMENT_ACTION = "feedback:comment"  # "<request id>": opens the comment form
DONE_ACTION = "feedback:done"  # "<request id>"
SKIP_ACTION = "feedback:skip"  # "<request id>"

SURVEY_TYPES = frozenset({SurveyAsked.type})

RATING_HINT = N_("1 = not useful, 5 = very useful.")


def _partner(people: Mapping[str, Person], ids: Sequence[str]) -> Inline:
    if not ids:
        return Text("—")
    return PersonRef(ids[0], shown_name(people.get(ids[0])))


def rating_buttons(t: Translator, request_id: int, chosen: int | None = None) -> Actions:
    return Actions(
        tuple(
            Button(
                f"✓ {n}" if n == chosen else str(n),
                RATE_ACTION,
                value=f"{request_id}:{n}",
                style="primary" if n == chosen else "default",
            )
            for n in RATINGS
        )
    )


def survey_card(
    t: Translator,
    request_id: int,
    role: str,
    partner: Inline,
    starts_at: datetime,
    *,
    reminder: bool = False,
) -> Message:
    """Step one: the rating, one tap."""
    title = t("A reminder: how was your session?") if reminder else t("How was your session?")
    if role == "mentor":
        question = t("How did your session as a mentor go with ")
    else:
        question = t("How much did you get out of your session with ")
    line = Paragraph((Text(question), partner, Text(t(" on ")), Timestamp(starts_at), Text(t("?"))))
    private = Paragraph.of(
        t("Your answer is private: your partner never sees it. One tap is enough."),
    )
    blocks: tuple[Block, ...] = (
        Header(title),
        Section((line, Paragraph.of(t(RATING_HINT)), private)),
        rating_buttons(t, request_id),
    )
    return Message(blocks, summary=title, visibility="private")


def present_survey(
    notification: Notification, t: Translator, reader: Person, people: Mapping[str, Person]
) -> Message:
    if not isinstance(notification, SurveyAsked):
        raise ValueError(f"no presenter for {notification.type}")
    n = notification
    return survey_card(
        t,
        n.request_id,
        n.role,
        _partner(people, n.person_ids),
        datetime.fromisoformat(n.starts_at),
        reminder=n.reminder,
    )


def chips_card(
    t: Translator,
    request_id: int,
    role: str,
    rating: int | None,
    skills: Sequence[tuple[str, str]],
    chosen: Sequence[str],
    comment: str | None,
) -> Message:
    """Step two: ``skills`` as (key, label in the reader's language) chips to toggle."""
    title = t("Thank you! One more thing, if you like")
    if role == "mentor":
        ask = t("What did you teach? Tap the skills, then Done.")
    else:
        ask = t("What did you learn? Tap the skills, then Done.")
    lines = [
        Paragraph.of(t("Your rating: {rating}/5 (tap another to change it).", rating=rating or 0)),
        Paragraph.of(ask if skills else t("Add a comment if you like, then Done.")),
    ]
    if comment:
        lines.append(Paragraph((Text(t("Your comment: ")), UserText(comment))))
    blocks: list[Block] = [
        Header(title),
        Section(tuple(lines)),
        rating_buttons(t, request_id, rating),
    ]
    if skills:
        picked = set(chosen)
        blocks.append(
            Actions(
                tuple(
                    Button(
                        f"✓ {label}" if key in picked else label,
                        CHIP_ACTION,
                        value=f"{request_id}:{'off' if key in picked else 'on'}:{key}",
                        style="primary" if key in picked else "default",
                    )
                    for key, label in skills
                )
            )
        )
    value = str(request_id)
    blocks.append(
        Actions(
            (
                Button(
                    t("Edit your comment") if comment else t("Add a comment"),
                    COMMENT_ACTION,
                    value=value,
                    opens_form=True,
                ),
                Button(t("Done"), DONE_ACTION, value=value, style="primary"),
                Button(t("Skip"), SKIP_ACTION, value=value),
            )
        )
    )
    return Message(tuple(blocks), summary=title, visibility="private")
