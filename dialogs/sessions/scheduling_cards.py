"""Scheduling in the reader's words and clock: the slot card, "X picked…", the
confirmation, and "we'll organise it ourselves"."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from bot.domain.notifications import Notification
from bot.domain.sessions.scheduling import (
    SCHEDULING_NOTIFICATIONS,
    SelfOrganised,
    SessionConfirmed,
    SlotPicked,
    SlotsOffered,
)
from dialogs.core.content import Inline, Paragraph, PersonRef, Text, Timestamp
from dialogs.core.i18n import Translator
from dialogs.core.names import shown_name
from dialogs.core.ui import Actions, Block, Button, Header, Message, Section
from dialogs.sessions.calendar import calendar_paragraphs
from storage.models import Person
from storage.sessions.calendar import calendar_name

PICK_ACTION = "sessions:pick"  # value: "<check-in id>|<ISO instant>"
CONFIRM_ACTION = "sessions:confirm"  # value: check-in id
OTHER_ACTION = "sessions:other"  # value: check-in id
NONE_ACTION = "sessions:none"  # value: check-in id (opens the form: a time, or ourselves)
ASYNC_ACTION = "sessions:async"  # value: check-in id
SCHEDULING_TYPES = frozenset(cls.type for cls in SCHEDULING_NOTIFICATIONS)
FALLBACK_ZONE = "Europe/Paris"  # a reader with no zone (the deployment's usual default)


def reader_zone(reader: Person) -> ZoneInfo:
    try:
        return ZoneInfo(reader.timezone or FALLBACK_ZONE)
    except (ValueError, KeyError):
        return ZoneInfo(FALLBACK_ZONE)


def slot_label(at: datetime, t: Translator, reader: Person) -> str:
    """A button's words: the day and time in the reader's zone and language."""
    local = at.astimezone(reader_zone(reader))
    return format_datetime(local, "EEE d MMM, HH:mm", locale=t.locale)


def _name(people: Mapping[str, Person], person_id: str) -> str:
    return shown_name(people.get(person_id))


def _who(people: Mapping[str, Person], ids: tuple[str, ...]) -> PersonRef:
    other = ids[0] if ids else ""
    return PersonRef(other, _name(people, other))


def _on_behalf(t: Translator, people: Mapping[str, Person], leader: str) -> tuple[Paragraph, ...]:
    if not leader:
        return ()
    return (
        Paragraph(
            (
                Text(t("You receive this as the assistant of ")),
                PersonRef(leader, _name(people, leader)),
                Text(t(": you may choose for them; they get a copy once it is confirmed.")),
            )
        ),
    )


def _when(at: str) -> Timestamp:
    return Timestamp(datetime.fromisoformat(at))


def present_scheduling(
    notification: Notification, t: Translator, reader: Person, people: Mapping[str, Person]
) -> Message:
    match notification:
        case SlotsOffered():
            return slots_card(notification, t, reader, people)
        case SlotPicked():
            return picked_card(notification, t, people)
        case SessionConfirmed():
            return confirmed(notification, t, people)
        case SelfOrganised():
            return self_organised(notification, t, people)
    raise ValueError(f"no presenter for {notification.type}")


def slots_card(
    n: SlotsOffered, t: Translator, reader: Person, people: Mapping[str, Person]
) -> Message:
    title = t("Other times for your first session") if n.again else t("Your first session")
    partner = _who(people, n.person_ids)
    minutes = t.tn("{count} minute", "{count} minutes", n.minutes)
    intro: list[Paragraph] = [
        Paragraph(
            (
                Text(t("Pick a time for your first session with ")),
                partner,
                Text(t(" ({minutes}). Times are shown in your time zone.", minutes=minutes)),
            )
        )
    ]
    if n.overlap:
        intro.append(Paragraph.of(t("Each time fits both your hours; one click is enough.")))
    else:
        intro.append(
            Paragraph(
                (
                    Text(t("Your working hours and those of ")),
                    partner,
                    Text(
                        t(
                            " never overlap. Here are the nearest options, each early or late "
                            "for one of you; you may also exchange in writing at your own pace."
                        )
                    ),
                )
            )
        )
        for slot in n.slots:
            whose = [PersonRef(p, _name(people, p)) for p in n.outside.get(slot, [])]
            if whose:
                parts: list[Inline] = [_when(slot), Text(t(": outside the hours of "))]
                parts += [whose[0], Text(".")]
                intro.append(Paragraph(tuple(parts)))
    intro += _on_behalf(t, people, n.for_leader)
    buttons = [
        Button(
            slot_label(datetime.fromisoformat(s), t, reader),
            PICK_ACTION,
            value=f"{n.check_in_id}|{s}",
        )
        for s in n.slots
    ]
    if not n.overlap:
        buttons.append(Button(t("Exchange in writing"), ASYNC_ACTION, value=str(n.check_in_id)))
    buttons.append(
        Button(t("None of these"), NONE_ACTION, value=str(n.check_in_id), opens_form=True)
    )
    blocks: list[Block] = [Header(title), Section(tuple(intro)), Actions(tuple(buttons))]
    return Message(tuple(blocks), summary=title)


def picked_card(n: SlotPicked, t: Translator, people: Mapping[str, Person]) -> Message:
    title = t("Confirm your first session")
    picker = _who(people, n.person_ids)
    verb = t(" proposes ") if n.typed else t(" picked ")
    body: list[Paragraph] = [Paragraph((picker, Text(verb), _when(n.at), Text(t(" (your time)."))))]
    if n.outside_reader:
        body.append(
            Paragraph.of(t("This is outside your usual hours: confirm only if it suits you."))
        )
    body += _on_behalf(t, people, n.for_leader)
    buttons = (
        Button(t("Confirm"), CONFIRM_ACTION, value=str(n.check_in_id), style="primary"),
        Button(t("Other slots"), OTHER_ACTION, value=str(n.check_in_id)),
        Button(t("None of these"), NONE_ACTION, value=str(n.check_in_id), opens_form=True),
    )
    return Message((Header(title), Section(tuple(body)), Actions(buttons)), summary=title)


def confirmed(n: SessionConfirmed, t: Translator, people: Mapping[str, Person]) -> Message:
    title = t("Your first session is planned")
    partner = _who(people, n.person_ids)
    minutes = t.tn("{count} minute", "{count} minutes", n.minutes)
    body: list[Paragraph] = []
    if n.earlier:
        body.append(
            Paragraph((partner, Text(t(" had already picked another time; this one holds:"))))
        )
    body.append(
        Paragraph(
            (
                Text(t("With ")),
                partner,
                Text(t(": ")),
                _when(n.at),
                Text(t(" (your time, {minutes}).", minutes=minutes)),
            )
        )
    )
    if n.copy and len(n.person_ids) > 1:
        helper = n.person_ids[1]
        body.append(
            Paragraph(
                (
                    Text(t("Arranged by your assistant ")),
                    PersonRef(helper, _name(people, helper)),
                    Text("."),
                )
            )
        )
    if not n.card:
        body.append(Paragraph.of(t("I will remind you before it starts.")))
        name = calendar_name(people.get(n.person_ids[0])) if n.person_ids else None
        body += calendar_paragraphs(t, n.calendar, n.check_in_id, n.at, n.minutes, name)
    return Message((Header(title), Section(tuple(body))), summary=title)


def self_organised(n: SelfOrganised, t: Translator, people: Mapping[str, Person]) -> Message:
    partner = _who(people, n.person_ids)
    if n.ask:
        title = t("When is your first session?")
        body = Paragraph(
            (
                Text(t("You said you would agree on a time with ")),
                partner,
                Text(t(" directly. Which date did you choose? I will then remind you both.")),
            )
        )
        button = Button(
            t("Give the date"), NONE_ACTION, value=str(n.check_in_id), opens_form=True,
            style="primary",
        )  # fmt: skip
        return Message((Header(title), Section((body,)), Actions((button,))), summary=title)
    title = t("Your first session")
    if n.asynchronous:
        after = t(" suggests exchanging in writing, at your own pace: write to each other here.")
    else:
        after = t(" will agree on a time with you directly. I will ask you both for the date.")
    return Message((Header(title), Section((Paragraph((partner, Text(after))),))), summary=title)
