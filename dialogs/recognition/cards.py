"""Recognition in the reader's words: the thank-you, the certificate, the consent question,
the manager's note and the public shout-out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from bot.domain.notifications import Notification
from bot.domain.recognition import (
    RECOGNITION_NOTIFICATIONS,
    CertificateReady,
    ManagerNote,
    PublicThanksAsked,
    ShoutOutFailed,
    ThanksOffered,
    ThanksReceived,
)
from dialogs.core.content import Inline, Paragraph, PersonRef, Text, UserText
from dialogs.core.i18n import Translator
from dialogs.core.names import shown_name
from dialogs.core.ui import Actions, Attachment, Button, Header, Message, Section
from dialogs.recognition.certificate import reader_date
from storage.models import Person

THANK_ACTION = "recognition:thank"  # value: the pairing id; opens the thank-you form
CONSENT_ACTION = "recognition:consent"  # value: "<pairing id>:yes|no"
RECOGNITION_TYPES = frozenset(cls.type for cls in RECOGNITION_NOTIFICATIONS)


def _person(people: Mapping[str, Person], ids: Sequence[str]) -> Inline:
    who = ids[0] if ids else ""
    return PersonRef(who, shown_name(people.get(who)))


def _day(text: str, t: Translator) -> str:
    try:
        return reader_date(date.fromisoformat(text), t.locale)
    except ValueError:
        return text


def present_recognition(
    notification: Notification, t: Translator, people: Mapping[str, Person]
) -> Message:
    match notification:
        case ThanksReceived(person_ids=ids, program_name=program, text=text):
            title = t("A thank-you from your mentee")
            line = Paragraph(
                (_person(people, ids), Text(t(" thanks you for your coaching in ")),
                 UserText(program), Text(t(":")))
            )  # fmt: skip
            return Message(
                (Header(title), Section((line, Paragraph((UserText(text),))))), summary=title
            )
        case ThanksOffered(pairing_id=pid, person_ids=ids, program_name=program):
            title = t("Thank your mentor")
            line = Paragraph(
                (Text(t("Your pairing in ")), UserText(program), Text(t(" has come to an end. ")),
                 Text(t("A few words to ")), _person(people, ids),
                 Text(t(" would mean a lot: they reach them privately.")))
            )  # fmt: skip
            button = Button(
                t("Say thank you"), THANK_ACTION, value=str(pid), style="primary", opens_form=True
            )
            return Message((Header(title), Section((line,)), Actions((button,))), summary=title)
        case CertificateReady(program_name=program, files=files):
            title = t("Your reverse-mentoring certificate")
            line = Paragraph(
                (Text(t("Thank you for coaching a leader in ")), UserText(program),
                 Text(t(". Here is your certificate, as a PDF and as an image.")))
            )  # fmt: skip
            # Slack uploads each file into the conversation; Teams and the console link to it.
            attached = tuple(
                Attachment(file_id, name, media, t("Download {name}", name=name), url)
                for file_id, name, media, url in files[:2]
            )
            return Message((Header(title), Section((line,)), *attached), summary=title)
        case PublicThanksAsked():
            return consent_card(notification, t)
        case ManagerNote():
            return manager_note(notification, t, people)
        case ShoutOutFailed(channel=channel, program_name=program, reason=reason):
            title = t("A shout-out was not posted")
            line = Paragraph(
                (Text(t("I could not post a mentor's shout-out for ")), UserText(program),
                 Text(t(" in ")), UserText(channel), Text(" ("), UserText(reason), Text(").")),
            )  # fmt: skip
            advice = Paragraph.of(
                t("Add me to the channel, or choose another with admin recognition channel.")
            )
            return Message((Header(title), Section((line, advice))), summary=title)
    raise ValueError(f"no presenter for {notification.type}")


def consent_card(asked: PublicThanksAsked, t: Translator) -> Message:
    title = t("May we thank you publicly?")
    parts: list[Inline] = [Text(t("The program team would like to thank you for ")),
                           UserText(asked.program_name), Text(". ")]  # fmt: skip
    if asked.channel:
        parts += [Text(t("A short message in ")), UserText(asked.channel), Text(". ")]
    if asked.has_manager:
        parts.append(Text(t("A note to your manager about what you taught. ")))
    parts.append(Text(t("Only if you agree: say no and nothing is posted or sent.")))
    buttons = (
        Button(t("Yes, gladly"), CONSENT_ACTION, value=f"{asked.pairing_id}:yes", style="primary"),
        Button(t("No, thank you"), CONSENT_ACTION, value=f"{asked.pairing_id}:no"),
    )
    return Message(
        (Header(title), Section((Paragraph(tuple(parts)),)), Actions(buttons)), summary=title
    )


def manager_note(note: ManagerNote, t: Translator, people: Mapping[str, Person]) -> Message:
    title = t("Your team member coached a leader")
    line = Paragraph(
        (_person(people, note.person_ids), Text(t(" mentored a leader in ")),
         UserText(note.program_name),
         Text(t(", from {start} to {end}.", start=_day(note.started_on, t),
                end=_day(note.ended_on, t))))
    )  # fmt: skip
    body = [line]
    skills = note.skills.get(t.locale) or note.skills.get("en") or []
    if skills:
        body.append(Paragraph((Text(t("Skills taught: ")), UserText(", ".join(skills)))))
    if note.held_sessions:
        body.append(Paragraph.of(t.tn("{count} session held", "{count} sessions held",
                                      note.held_sessions)))  # fmt: skip
    body.append(Paragraph.of(t("They agreed that we tell you. A word from you would be welcome.")))
    return Message((Header(title), Section(tuple(body))), summary=title)


def shout_out(
    t: Translator, mentor_id: str, mentor_name: str, program: str, skills: Sequence[str]
) -> Message:
    """The public post, in the language of the channel's admins."""
    title = t("Thank you, mentors!")
    parts: list[Inline] = [PersonRef(mentor_id, mentor_name),
                           Text(t(" coached a leader in ")), UserText(program)]  # fmt: skip
    if skills:
        parts += [Text(t(", sharing: ")), UserText(", ".join(skills))]
    parts.append(Text(t(". Thank you for giving your time and your skills.")))
    return Message(
        (Header(title), Section((Paragraph(tuple(parts)),))),
        summary=title,
        visibility="conversation",
    )
