"""Domain notifications in the reader's words."""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.notifications import (
    Announcement,
    Introduction,
    Notification,
    PersonUnreachable,
)
from dialogs.content import Inline, Paragraph, PersonRef, Text, UserText
from dialogs.i18n import Translator
from dialogs.ui import Header, Message, Section
from storage.models import Person


def _name(person: Person | None) -> str:
    return person.display_name if person is not None and person.erased_at is None else "—"


def present(
    notification: Notification, t: Translator, reader: Person, people: Mapping[str, Person]
) -> Message:
    match notification:
        case Introduction(person_ids=ids, program_name=program):
            others = [i for i in ids if i != reader.id]
            parts: list[Inline] = [Text(t("Meet "))]
            for n, other in enumerate(others):
                if n:
                    parts.append(Text(t(" and ")))
                parts.append(PersonRef(other, _name(people.get(other))))
            parts.append(Text("!"))
            title = t("Your reverse-mentoring partner")
            body = [Paragraph(tuple(parts))]
            if program:
                body.append(Paragraph((Text(t("Program: ")), UserText(program))))
            body.append(
                Paragraph.of(t("Say hello here and agree on a time for your first session."))
            )
            return Message((Header(title), Section(tuple(body))), summary=title)
        case PersonUnreachable(person_id=person_id, reason=reason):
            summary = t("Someone could not be reached")
            paragraph = Paragraph(
                (
                    Text(t("I could not reach ")),
                    PersonRef(person_id, _name(people.get(person_id))),
                    Text(t(" on any platform (")),
                    UserText(reason),
                    Text(t("). Please contact them directly.")),
                )
            )
            return Message((Section((paragraph,)),), summary=summary)
        case Announcement(text_fr=text_fr, text_en=text_en):
            text = text_fr if t.locale == "fr" else text_en
            return Message((Section((Paragraph((UserText(text),)),)),), summary=text[:150])
    raise ValueError(f"no presenter for {notification.type}")
