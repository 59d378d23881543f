"""``privacy``: may Tandem read when I am busy in my calendar to propose session times?

show --click(off)--> not read (the person's answer, kept until they change it)
     --click(on)---> read (busy times only, when the organisation connected a calendar)
A person who never answered follows their programs' setting (SessionSettings.read_calendars).
"""

from __future__ import annotations

from sqlalchemy import select

from bot.domain.sessions.settings import SessionSettings
from dialogs.core.content import Paragraph
from dialogs.core.events import Outcome
from dialogs.core.feature import Feature, Turn
from dialogs.core.i18n import Translator
from dialogs.core.ui import Actions, Button, Message, Section
from storage.models import Enrollment, Program

CALENDAR_OFF = "sessions:calendar-off"
CALENDAR_ON = "sessions:calendar-on"


async def programs_default(turn: Turn) -> bool:
    """Read unless one of the person's programs says not to read calendars by default."""
    rows = await turn.ctx.session.scalars(
        select(Program.session_settings)
        .join(Enrollment, Enrollment.program_id == Program.id)
        .where(Enrollment.person_id == turn.ctx.person.id)
    )
    return all(SessionSettings.of(stored).read_calendars for stored in rows)


def privacy_card(t: Translator, reads: bool) -> Message:
    what = t(
        "To propose session times, I can read when you are busy in your work calendar "
        "(Microsoft 365 or Google), if your organisation connected it: only the busy times, "
        "never the titles, the people or the places, and I keep nothing once the times are "
        "proposed."
    )
    state = (
        t("Right now I may read your busy times.")
        if reads
        else t("Right now I do not read your calendar: I use the availability you gave me.")
    )
    buttons = (
        Button(t("Don't read my calendar"), CALENDAR_OFF, style="primary" if reads else "default"),
        Button(t("Read my busy times"), CALENDAR_ON, style="default" if reads else "primary"),
    )
    return Message(
        (Section((Paragraph.of(what), Paragraph.of(state))), Actions(buttons)), summary=state
    )


async def show_privacy(turn: Turn) -> Outcome:
    person = turn.ctx.person
    reads = person.reads_calendar
    if reads is None:
        reads = await programs_default(turn)
    return turn.reply(privacy_card(turn.ctx.t, reads))


async def calendar_off(turn: Turn) -> Outcome:
    turn.ctx.person.reads_calendar = False
    text = turn.ctx.t(
        "Done: I will not read your calendar. I propose times from the availability you gave "
        "me; type privacy to change your mind."
    )
    return turn.reply(Message((Section((Paragraph.of(text),)),), summary=text), close_source=True)


async def calendar_on(turn: Turn) -> Outcome:
    turn.ctx.person.reads_calendar = True
    text = turn.ctx.t(
        "Done: when your organisation connected a calendar, I read only when you are busy, to "
        "propose times that suit you."
    )
    return turn.reply(Message((Section((Paragraph.of(text),)),), summary=text), close_source=True)


SESSIONS_PRIVACY = Feature(
    name="sessions-privacy",
    commands={"privacy": show_privacy},
    actions={CALENDAR_OFF: calendar_off, CALENDAR_ON: calendar_on},
)
