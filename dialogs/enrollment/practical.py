"""The enrollment form's practical step: availability, cadence, languages, format,
capacity and motivation (mentors), and an optional assistant."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain.enrollment import (
    CADENCES,
    CAPACITIES,
    MAX_LOCATION,
    MAX_MOTIVATION,
    TIME_CHOICES,
    Problem,
    availability_problems,
    format_problem,
    parse_capacity,
    teaches,
    text_problem,
)
from dialogs.basics.names import SPOKEN_LANGUAGES
from dialogs.core.flow import FlowContext, Transition, list_value, text_value
from dialogs.core.i18n import Translator
from dialogs.core.ui import (
    ActionRef,
    CheckboxesField,
    Field,
    FieldValue,
    Form,
    Option,
    SelectField,
    TextField,
)
from dialogs.enrollment.steps import (
    field_errors,
    initial_values,
    program_intro,
    step_title,
    who_sees,
)
from storage.enrollment.enrollments import person_by_email


def weekday_names(t: Translator) -> tuple[str, ...]:
    return (
        t("Monday"),
        t("Tuesday"),
        t("Wednesday"),
        t("Thursday"),
        t("Friday"),
        t("Saturday"),
        t("Sunday"),
    )


def practical_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t, role, zone = ctx.t, str(data.get("role")), str(data.get("zone"))
    times = tuple(Option(f"{c:%H:%M}", f"{c:%H:%M}") for c in TIME_CHOICES)
    cadences = {
        "weekly": t("Every week"),
        "biweekly": t("Every 2 weeks"),
        "monthly": t("Every month"),
    }
    formats = {"remote": t("Remote"), "in_person": t("In person"), "either": t("Either")}
    scheduling = t("Used to schedule sessions with your partner.")
    fields: list[Field] = [
        CheckboxesField(
            "days",
            t("Days you are available"),
            tuple(Option(str(i), n) for i, n in enumerate(weekday_names(t))),
            required=True,
            initial=initial_values(data.get("days")),
            hint=scheduling,
        ),
        SelectField(
            "start",
            t("From ({zone})", zone=t.zone(zone)),
            times,
            initial=initial_values(data.get("start")),
            hint=scheduling,
        ),
        SelectField(
            "end",
            t("Until ({zone})", zone=t.zone(zone)),
            times,
            initial=initial_values(data.get("end")),
            hint=scheduling,
        ),
        SelectField(
            "cadence",
            t("Preferred cadence"),
            tuple(Option(c, cadences[c]) for c in CADENCES),
            initial=initial_values(data.get("cadence")),
        ),
        SelectField(
            "languages",
            t("Languages you can meet in"),
            tuple(Option(c, n) for c, n in SPOKEN_LANGUAGES.items()),
            multi=True,
            initial=initial_values(data.get("languages")),
            hint=who_sees(t, True),
        ),
        SelectField(
            "format",
            t("Format"),
            tuple(Option(k, v) for k, v in formats.items()),
            initial=initial_values(data.get("format")),
            hint=who_sees(t, True),
        ),
        TextField(
            "location",
            t("Where, for in-person sessions"),
            required=False,
            initial=str(data.get("location") or ""),
            max_length=MAX_LOCATION,
            hint=who_sees(t, True),
        ),
    ]
    if teaches(role):
        fields += [
            SelectField(
                "capacity",
                t("How many people you can mentor"),
                tuple(Option(str(c), str(c)) for c in CAPACITIES),
                initial=initial_values(data.get("capacity")),
                hint=who_sees(t, False),
            ),
            TextField(
                "motivation",
                t("Why you want to mentor"),
                multiline=True,
                initial=str(data.get("motivation") or ""),
                max_length=MAX_MOTIVATION,
                hint=who_sees(t, False),
            ),
        ]
    fields.append(
        TextField(
            "assistant",
            t("Your assistant's email"),
            required=False,
            initial=str(data.get("assistant") or ""),
            max_length=320,
            hint=t("They may help with scheduling. Only the program team sees this."),
        )
    )
    return Form(
        title=step_title(t, "practical"),
        ref=ref,
        fields=tuple(fields),
        submit_label=t("Next"),
        intro=program_intro(t, data, t("Times are in your time zone, {zone}.", zone=t.zone(zone))),
    )


async def submit_practical(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    t, role = ctx.t, str(data.get("role"))
    days = list_value(values, "days")
    start, end = text_value(values, "start"), text_value(values, "end")
    _, problems = availability_problems(days, start, end)
    cadence = text_value(values, "cadence")
    languages = list(dict.fromkeys(list_value(values, "languages")))
    fmt, location = text_value(values, "format"), text_value(values, "location")
    problems.update(format_problem(fmt, location))
    if cadence not in CADENCES:
        problems["cadence"] = Problem("unknown_choice")
    if not languages or any(code not in SPOKEN_LANGUAGES for code in languages):
        problems["languages"] = Problem("unknown_choice")
    capacity, motivation = None, text_value(values, "motivation")
    if teaches(role):
        capacity = parse_capacity(text_value(values, "capacity"))
        if capacity is None:
            problems["capacity"] = Problem("unknown_choice")
        if problem := text_problem(motivation, MAX_MOTIVATION, required=True):
            problems["motivation"] = problem
    errors = field_errors(problems, t)
    email = text_value(values, "assistant")
    assistant_id = None
    if email:
        assistant = await person_by_email(ctx.session, email)
        if assistant is None:
            errors["assistant"] = t("No one with this email is known here.")
        elif assistant.id == ctx.person.id:
            errors["assistant"] = t("Your assistant is someone else.")
        else:
            assistant_id = assistant.id
    if errors:
        return Transition(errors=errors)
    return Transition(
        next_step="consent",
        data={
            "days": sorted(int(d) for d in days),
            "start": start,
            "end": end,
            "cadence": cadence,
            "languages": languages,
            "format": fmt,
            "location": location,
            "capacity": capacity,
            "motivation": motivation if teaches(role) else "",
            "assistant": email,
            "assistant_id": assistant_id,
        },
    )
