"""Moving a session: ``reschedule``, a reminder's *Reschedule* button, or *Moved* after it.

reschedule:  when --submit--> done   (a day and time in the reader's zone; past, outside
                                      hours or malformed keeps the step: nothing changes)
A rescheduled session keeps its row (its calendar UID) with ``sequence`` + 1. The series is
anchored in the leader's zone by default; a reader in another zone may keep the new hour in
their own zone instead (the pair chooses): the sessions after it follow that zone's clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.domain.sessions.series import TimeProblem, parse_local, time_problem, wall_time
from dialogs.core.content import Paragraph, Text, Timestamp
from dialogs.core.events import Outcome
from dialogs.core.feature import Turn
from dialogs.core.flow import Flow, FlowContext, Step, Transition, text_value
from dialogs.core.i18n import N_
from dialogs.core.ui import (
    ActionRef,
    DateField,
    Field,
    FieldValue,
    Form,
    Option,
    SelectField,
    TimeField,
)
from dialogs.participation.flows import say
from dialogs.sessions.commands import (
    FALLBACK_ZONE,
    RESCHEDULE_FLOW_NAME,
    no_session,
    not_planned,
    own_session,
    tell_partner,
    zone_for,
)
from dialogs.sessions.lifecycle import session_confirmed
from storage.models import CheckIn, Person
from storage.sessions.series import cancel_due_of

# -- reschedule ------------------------------------------------------------------------------


async def reschedule(turn: Turn) -> Outcome:
    found = await own_session(turn.ctx, turn.inbound.value)
    if found is None:
        return turn.reply(no_session(turn.ctx.t))
    if found[0].status != "planned":
        return turn.reply(not_planned(turn.ctx.t))
    data = {"check_in_id": found[0].id, "zone": found[0].zone or ""}
    return await turn.start(RESCHEDULE_FLOW_NAME, opener="sessions:reschedule", data=data)


def reschedule_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    zone = ctx.person.timezone or FALLBACK_ZONE
    fields: list[Field] = [
        DateField("day", t("New day")),
        TimeField("time", t("New time"), hint=t("In your time zone: {zone}.", zone=t.zone(zone))),
    ]
    series = str(data.get("zone") or "")
    if series and series != zone:  # the reader may anchor the series in their own zone
        fields.append(
            SelectField(
                "keep",
                t("From now on, keep this hour in"),
                tuple(Option(z, t.zone(z)) for z in (series, zone)),
                initial=(series,),
                hint=t(ONE_CLOCK_CHANGES),
            )
        )
    return Form(
        title=t("Move the session"),
        ref=ref,
        fields=tuple(fields),
        submit_label=t("Move it"),
        intro=(Paragraph.of(t("Your partner is told, and your calendars are updated.")),),
    )


ONE_CLOCK_CHANGES = N_(
    "When only one of your clocks changes, the other's hour moves for a week or two."
)
PROBLEMS = {
    "malformed": N_("Write the day as YYYY-MM-DD and the time as HH:MM."),
    "past": N_("This moment has passed: choose a later day or time."),
    "too_far": N_("Choose a day within four months."),
    "outside_hours": N_("Choose a time between 07:00 and 21:00 for both of you."),
}


async def submit_reschedule(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    t = ctx.t
    found = await own_session(ctx, str(data.get("check_in_id", "")))
    if found is None:
        return Transition(message=no_session(t))
    check_in, pairing, member = found
    if check_in.status != "planned":
        return Transition(message=not_planned(t))
    reader_zone = await zone_for(ctx.session, ctx.person, pairing)
    start = parse_local(text_value(values, "day"), text_value(values, "time"), reader_zone)
    zones = []
    for person_id in (pairing.mentor_id, pairing.mentee_id):
        person = await ctx.session.get(Person, person_id)
        if person is not None:
            zones.append(await zone_for(ctx.session, person, pairing))
    problem = (
        start
        if isinstance(start, TimeProblem)
        else time_problem(start, check_in.duration_minutes, tuple(zones), ctx.now())
    )
    if problem is not None or isinstance(start, TimeProblem):
        code = problem.code if problem is not None else "malformed"
        return Transition(errors={"time": t(PROBLEMS[code])})
    keep = text_value(values, "keep")
    await move(ctx, check_in, start, keep if keep in (check_in.zone, reader_zone) else None)
    await tell_partner(ctx, check_in, pairing, member, "rescheduled")
    moved = Paragraph((Text(t("Done: your session is now on ")), Timestamp(start), Text(".")))
    return Transition(message=say(moved, Paragraph.of(t("Your partner is told."))))


async def move(
    ctx: FlowContext, check_in: CheckIn, start: datetime, keep: str | None = None
) -> None:
    """The same session (the same calendar UID) at a new time: sequence + 1, its pending
    reminders cancelled in this transaction and planned anew; from now on the series keeps
    the new wall time, in ``keep`` when the person chose that zone."""
    await cancel_due_of(ctx.session, check_in.id, ctx.now())
    zone = keep or check_in.zone or ctx.person.timezone or FALLBACK_ZONE
    check_in.zone = zone
    check_in.scheduled_at = start
    check_in.local_start = wall_time(start, zone)
    check_in.sequence += 1
    check_in.answers = {}
    check_in.picked_by = ctx.person.id
    check_in.confirmed_at = ctx.now()
    await session_confirmed(ctx.session, check_in, now=ctx.now())


RESCHEDULE_FLOW = Flow(
    name=RESCHEDULE_FLOW_NAME,
    first_step="when",
    steps={"when": Step("when", reschedule_form, submit_reschedule)},
    example={"check_in_id": 1, "zone": "America/Argentina/ComodRivadavia"},
)
