"""A pair's sessions in the reader's words: reminders, "did it happen?", the next session
planned, a session changed by the partner, sessions cancelled by a pause, leave or end.

Times are ``Timestamp`` nodes: each platform shows them in the reader's own zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.domain.notifications import Notification
from bot.domain.sessions.lifecycle import (
    DidItHappen,
    SessionChanged,
    SessionPlanned,
    SessionReminder,
    SessionsCancelled,
)
from dialogs.core.content import Inline, Paragraph, PersonRef, Text, Timestamp
from dialogs.core.i18n import Translator
from dialogs.core.names import shown_name
from dialogs.core.ui import Actions, Block, Button, Confirm, Header, Message, Section
from dialogs.sessions.calendar import calendar_paragraphs
from storage.models import Person
from storage.sessions.calendar import calendar_name

# Buttons without a flow reference: the value is the session's id (or "cadence:pairing").
RESCHEDULE_ACTION = "sessions:reschedule"
SKIP_ACTION = "sessions:skip"
CANCEL_ACTION = "sessions:cancel"
ANSWER_ACTION = "sessions:answer"  # value: "<check-in id>:yes|no|moved"
CADENCE_ACTION = "sessions:cadence"  # value: "<pairing id>:weekly|biweekly|monthly"

SESSION_TYPES = frozenset(
    cls.type
    for cls in (SessionReminder, DidItHappen, SessionPlanned, SessionChanged, SessionsCancelled)
)


def _name(people: Mapping[str, Person], person_id: str) -> str:
    return shown_name(people.get(person_id))


def _partner(people: Mapping[str, Person], ids: tuple[str, ...]) -> Inline:
    if not ids:
        return Text("—")
    return PersonRef(ids[0], _name(people, ids[0]))


def _at(iso: str) -> Timestamp:
    return Timestamp(datetime.fromisoformat(iso))


def session_buttons(t: Translator, check_in_id: int) -> Actions:
    value = str(check_in_id)
    return Actions(
        (
            Button(t("Reschedule"), RESCHEDULE_ACTION, value=value, opens_form=True),
            Button(t("Skip this one"), SKIP_ACTION, value=value),
            Button(
                t("Cancel"),
                CANCEL_ACTION,
                value=value,
                style="danger",
                confirm=Confirm(
                    t("Cancel this session?"),
                    t("Your partner is told. The sessions after it are not planned."),
                    t("Cancel the session"),
                    t("Keep it"),
                ),
            ),
        )
    )


def did_it_happen_buttons(t: Translator, check_in_id: int) -> Actions:
    """*Yes* / *No* / *Moved*: on "did it happen?" and on the nudge about it alike, so a
    click is answered by the same flow wherever it comes from."""
    cid = check_in_id
    return Actions(
        (
            Button(t("Yes"), ANSWER_ACTION, value=f"{cid}:yes", style="primary"),
            Button(t("No"), ANSWER_ACTION, value=f"{cid}:no"),
            Button(t("Moved"), ANSWER_ACTION, value=f"{cid}:moved", opens_form=True),
        )
    )


def cadence_buttons(t: Translator, pairing_id: int) -> Actions:
    return Actions(
        tuple(
            Button(label, CADENCE_ACTION, value=f"{pairing_id}:{cadence}")
            for cadence, label in (
                ("weekly", t("Every week")),
                ("biweekly", t("Every two weeks")),
                ("monthly", t("Every four weeks")),
            )
        )
    )


def every(t: Translator, days: int) -> str:
    return t.tn("every {count} day", "every {count} days", days)


def present_sessions(
    notification: Notification, t: Translator, reader: Person, people: Mapping[str, Person]
) -> Message:
    match notification:
        case SessionReminder(check_in_id=cid, person_ids=ids, starts_at=at, minutes=minutes):
            title = t("Your session is coming up")
            line = Paragraph(
                (
                    Text(t("Your session with ")),
                    _partner(people, ids),
                    Text(t(" is on ")),
                    _at(at),
                    Text(t(" ({minutes} min).", minutes=minutes)),
                )
            )
            hint = Paragraph.of(t("If the time no longer suits you, change it here."))
            blocks: tuple[Block, ...] = (
                Header(title),
                Section((line, hint)),
                session_buttons(t, cid),
            )
            return Message(blocks, summary=title)
        case DidItHappen(check_in_id=cid, person_ids=ids, starts_at=at):
            title = t("Did your session happen?")
            line = Paragraph(
                (
                    Text(t("Your session with ")),
                    _partner(people, ids),
                    Text(t(" was planned for ")),
                    _at(at),
                    Text(t(". Did it happen?")),
                )
            )
            buttons = did_it_happen_buttons(t, cid)
            return Message((Header(title), Section((line,)), buttons), summary=title)
        case SessionPlanned():
            return _planned(notification, t, people)
        case SessionChanged():
            return _changed(notification, t, people)
        case SessionsCancelled(person_ids=ids, reason=reason, count=count):
            title = t("Sessions cancelled")
            why = {
                "pause": t(" paused their participation."),
                "leave": t(" left the program."),
                "end": t(" ended your pairing."),
                "forget": t(" is no longer in the program."),
            }.get(reason, ".")
            what = Paragraph.of(
                t.tn(
                    "I cancelled your {count} planned session and its reminders.",
                    "I cancelled your {count} planned sessions and their reminders.",
                    count,
                )
            )
            who: Inline = _partner(people, ids) if ids else Text(t("Your partner"))
            return Message(
                (Header(title), Section((Paragraph((who, Text(why))), what))), summary=title
            )
    raise ValueError(f"no presenter for {notification.type}")


def _planned(n: SessionPlanned, t: Translator, people: Mapping[str, Person]) -> Message:
    title = t("Your next session is planned")
    body = [
        Paragraph(
            (
                Text(t("Your next session with ")),
                _partner(people, n.person_ids),
                Text(t(" is on ")),
                _at(n.starts_at),
                Text(
                    t(
                        " ({minutes} min, {every}).",
                        minutes=n.minutes,
                        every=every(t, n.cadence_days),
                    )
                ),
            )
        )
    ]
    if n.shift_minutes:
        minutes = abs(n.shift_minutes)
        moved = (
            t.tn("{count} minute later", "{count} minutes later", minutes)
            if n.shift_minutes > 0
            else t.tn("{count} minute earlier", "{count} minutes earlier", minutes)
        )
        body.append(
            Paragraph(
                (
                    Text(t("Heads-up: the clocks change on a different day where you are. ")),
                    Text(t("On your clock this session is at ")),
                    Timestamp(datetime.fromisoformat(n.starts_at), "time"),
                    Text(t(", {moved} than usual.", moved=moved)),
                )
            )
        )
    name = calendar_name(people.get(n.person_ids[0])) if n.person_ids else None
    body += calendar_paragraphs(t, n.calendar, n.check_in_id, n.starts_at, n.minutes, name)
    blocks: tuple[Block, ...] = (
        Header(title),
        Section(tuple(body)),
        session_buttons(t, n.check_in_id),
    )
    return Message(blocks, summary=title)


def _changed(n: SessionChanged, t: Translator, people: Mapping[str, Person]) -> Message:
    who = _partner(people, n.person_ids)
    title = t("A session changed")
    match n.what:
        case "skipped":
            parts: tuple[Inline, ...] = (who, Text(t(" skipped the session of ")), _at(n.starts_at))
        case "cancelled":
            parts = (who, Text(t(" cancelled the session of ")), _at(n.starts_at))
        case "rescheduled":
            parts = (who, Text(t(" moved your session to ")), _at(n.starts_at))
        case _:  # cadence
            parts = (
                who,
                Text(t(" changed your sessions' rhythm: {every}.", every=every(t, n.cadence_days))),
            )
    end = Text(".") if n.what != "cadence" else Text("")
    return Message((Header(title), Section((Paragraph((*parts, end)),))), summary=title)
