"""Program administration forms: a new program and editing one (a program's text:
``text_flow.py``).

program_new / program_edit (the same two steps; edit starts prefilled and keeps the slug):

    settings --submit--> rules --submit--> done (created or saved)
    (field errors keep the step; nothing is saved before the last step)

A new program starts with default drafts of its charter and privacy notice; it opens for
enrollment once both are published.

Form builders cannot query, so the starter puts what they show (career stages) in the
flow's data.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from zoneinfo import available_timezones

from bot.domain.enrollment import CADENCES, Problem
from bot.domain.programs import (
    CROSS_DEPARTMENT,
    DEFAULT_SESSION,
    REVERSE_ORDER,
    ProgramRules,
    rules_problems,
    settings_problems,
)
from dialogs.basics.profile import time_zone_options
from dialogs.core.content import Paragraph
from dialogs.core.flow import Flow, FlowContext, Step, Transition, list_value, text_value
from dialogs.core.i18n import Translator
from dialogs.core.ui import (
    ActionRef,
    CheckboxesField,
    DateField,
    FieldValue,
    Form,
    Header,
    Message,
    Option,
    Section,
    SelectField,
    TextField,
)
from storage.models import Program
from storage.programs.programs import create_program, slug_taken, update_program

SETTINGS_FIELDS = (
    "name",
    "slug",
    "timezone",
    "starts_on",
    "ends_on",
    "enrollment_closes_on",
    "cadence",
    "session_minutes",
    "capacity_default",
    "approval_required",
    "proposal_expiry_days",
)


def problem_text(t: Translator, problem: Problem) -> str:
    p = problem.params
    match problem.code:
        case "required":
            return t("Please fill this in.")
        case "too_long":
            return t.tn("At most {count} character.", "At most {count} characters.", int(p["n"]))
        case "slug_format":
            return t("Lowercase letters, digits and dashes only (for example mi-2027).")
        case "slug_taken":
            return t("Another program already uses this short name.")
        case "date_required":
            return t("A date, please.")
        case "end_before_start":
            return t("The end must come after the start.")
        case "closes_after_end":
            return t("Enrollment must close before the program ends.")
        case "minutes_range":
            return t("A number of minutes from {low} to {high}.", low=p["low"], high=p["high"])
        case "capacity_range":
            return t("A number from {low} to {high}.", low=p["low"], high=p["high"])
        case "days_range":
            return t("A number of days from {low} to {high}.", low=p["low"], high=p["high"])
        case "skill_key_format":
            return t("Lowercase letters, digits and underscores only (for example data_viz).")
    return t("Choose from the list.")


def cadence_label(t: Translator, cadence: str) -> str:
    labels = {
        "weekly": t("Every week"),
        "biweekly": t("Every 2 weeks"),
        "monthly": t("Every month"),
    }
    return labels.get(cadence, cadence)


def settings_of(program: Program) -> dict[str, str]:
    """A program as the form's answers (strings, JSON-safe for the flow's data)."""
    closes = program.enrollment_closes_on
    return {
        "name": program.name,
        "slug": program.slug,
        "timezone": program.timezone,
        "starts_on": program.starts_on.isoformat(),
        "ends_on": program.ends_on.isoformat(),
        "enrollment_closes_on": closes.isoformat() if closes else "",
        "cadence": program.cadence,
        "session_minutes": str(program.session_minutes),
        "capacity_default": str(program.capacity_default),
        "approval_required": "yes" if program.approval_required else "no",
        "proposal_expiry_days": str(program.proposal_expiry_days),
    }


def _initial(value: str | None) -> tuple[str, ...]:
    return (value,) if value else ()


def settings_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    raw: Mapping[str, str] = data.get("settings") or {}
    editing = "program_id" in data
    zone = raw.get("timezone") or ctx.person.timezone or ""
    dates = {
        name: _parsed_date(raw.get(name, ""))
        for name in ("starts_on", "ends_on", "enrollment_closes_on")
    }
    slug = (
        ()
        if editing
        else (
            TextField(
                "slug",
                t("Short name"),
                initial=raw.get("slug", ""),
                max_length=64,
                hint=t("Lowercase letters, digits and dashes: admins type it in commands."),
            ),
        )
    )
    return Form(
        title=t("Edit program") if editing else t("New program"),
        ref=ref,
        fields=(
            TextField("name", t("Program name"), initial=raw.get("name", ""), max_length=200),
            *slug,
            SelectField(
                "timezone",
                t("Time zone of the program's dates"),
                time_zone_options(t.locale),
                initial=_initial(zone),
            ),
            DateField("starts_on", t("Start date"), initial=dates["starts_on"]),
            DateField("ends_on", t("End date"), initial=dates["ends_on"]),
            DateField(
                "enrollment_closes_on",
                t("Enrollment closes on"),
                required=False,
                initial=dates["enrollment_closes_on"],
                hint=t("Empty: people can join until the program closes."),
            ),
            SelectField(
                "cadence",
                t("Cadence"),
                tuple(Option(c, cadence_label(t, c)) for c in CADENCES),
                initial=_initial(raw.get("cadence") or "biweekly"),
            ),
            TextField(
                "session_minutes",
                t("Session length (minutes)"),
                max_length=3,
                initial=raw.get("session_minutes") or str(DEFAULT_SESSION),
            ),
            TextField(
                "capacity_default",
                t("Mentees per mentor (default)"),
                max_length=1,
                initial=raw.get("capacity_default") or "1",
                hint=t("From 1 to 3."),
            ),
            SelectField(
                "approval_required",
                t("Approve each enrollment?"),
                (
                    Option("no", t("No, people join at once")),
                    Option("yes", t("Yes, an admin approves each one")),
                ),
                initial=_initial(raw.get("approval_required") or "no"),
            ),
            TextField(
                "proposal_expiry_days",
                t("Days to answer a pairing proposal"),
                max_length=2,
                initial=raw.get("proposal_expiry_days") or "7",
                hint=t("From 1 to 30; one reminder halfway."),
            ),
        ),
        submit_label=t("Next"),
    )


def _parsed_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


async def submit_settings(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    editing = "program_id" in data
    raw = {name: text_value(values, name) for name in SETTINGS_FIELDS}
    if editing:
        raw["slug"] = (data.get("settings") or {}).get("slug", "")
    _, problems = settings_problems(raw, available_timezones(), slug_fixed=editing)
    if not editing and "slug" not in problems and await slug_taken(ctx.session, raw["slug"]):
        problems["slug"] = Problem("slug_taken")
    if problems:
        return Transition(errors={k: problem_text(ctx.t, p) for k, p in problems.items()})
    raw["slug"] = raw["slug"].lower()
    return Transition(next_step="rules", data={"settings": raw})


def rules_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    rules = ProgramRules.from_json(data.get("rules"))
    stages = tuple(
        Option(key, label_fr if ctx.locale == "fr" else label_en)
        for key, label_fr, label_en in data.get("stages") or ()
    )
    checked = tuple(
        key
        for key, on in (
            (CROSS_DEPARTMENT, rules.cross_department),
            (REVERSE_ORDER, rules.reverse_career_order),
        )
        if on
    )
    return Form(
        title=t("Who can take part"),
        ref=ref,
        fields=(
            SelectField(
                "mentor_stages",
                t("Career stages that can mentor"),
                stages,
                multi=True,
                required=False,
                initial=rules.mentor_stages,
                hint=t("Empty: everyone."),
            ),
            SelectField(
                "mentee_stages",
                t("Career stages that can be mentored"),
                stages,
                multi=True,
                required=False,
                initial=rules.mentee_stages,
                hint=t("Empty: everyone."),
            ),
            CheckboxesField(
                "rules",
                t("Pairing rules"),
                (
                    Option(CROSS_DEPARTMENT, t("Pair people from different departments only")),
                    Option(REVERSE_ORDER, t("Mentors earlier in their career than their mentees")),
                ),
                initial=checked,
            ),
        ),
        submit_label=t("Save"),
    )


async def submit_rules(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    t = ctx.t
    known = [key for key, *_ in data.get("stages") or ()]
    rules, problems = rules_problems(
        list_value(values, "mentor_stages"),
        list_value(values, "mentee_stages"),
        list_value(values, "rules"),
        known,
    )
    settings, _ = settings_problems(
        data.get("settings") or {}, available_timezones(), slug_fixed="program_id" in data
    )
    if problems or rules is None or settings is None:
        return Transition(errors={k: problem_text(t, p) for k, p in problems.items()})
    if "program_id" in data:
        program = await ctx.session.get(Program, int(data["program_id"]))
        if program is None:
            return Transition(errors={"rules": t("This program no longer exists.")})
        await update_program(ctx.session, program, settings, rules, ctx.person.id)
        return Transition(message=saved_message(t, program, t("Program saved.")))
    if await slug_taken(ctx.session, settings.slug):  # another admin took it meanwhile
        return Transition(errors={"rules": problem_text(t, Problem("slug_taken"))})
    program = await create_program(ctx.session, settings, rules, ctx.person.id)
    # The whole command, slug included, in the notification text too: a phone shows only
    # that line, and the admin copies it as it is.
    done = t(
        "Program created as a draft. Open it for enrollment with: admin program open {slug}",
        slug=program.slug,
    )
    return Transition(message=saved_message(t, program, done, drafts=True))


def saved_message(t: Translator, program: Program, done: str, drafts: bool = False) -> Message:
    """``done`` holds the slug: a lowercase word the slug rules allow, safe as plain text.
    ``drafts``: a new program, whose default texts wait to be read and published."""
    texts = Paragraph.of(
        t(
            "Its charter and privacy notice wait as drafts, in French and English: read them "
            "(admin texts show), adapt them (admin texts edit) and publish both "
            "(admin texts publish) before opening enrollment."
        )
    )
    paragraphs = (Paragraph.of(done), texts) if drafts else (Paragraph.of(done),)
    return Message((Header(program.name), Section(paragraphs)), summary=done, visibility="private")


_PROGRAM_STEPS = {
    "settings": Step("settings", form=settings_form, submit=submit_settings),
    "rules": Step("rules", form=rules_form, submit=submit_rules),
}
_EXAMPLE_SETTINGS = {
    "name": "Mentorat inversé 2027",
    "slug": "mi-2027",
    "timezone": "Europe/Paris",
    "starts_on": "2027-01-11",
    "ends_on": "2027-07-09",
    "enrollment_closes_on": "",
    "cadence": "biweekly",
    "session_minutes": "45",
    "capacity_default": "1",
    "approval_required": "no",
}
_EXAMPLE_STAGES = [["junior", "Junior", "Junior"], ["executive", "Dirigeant·e", "Executive"]]

PROGRAM_NEW_FLOW = Flow(
    name="program_new",
    first_step="settings",
    steps=_PROGRAM_STEPS,
    example={"settings": _EXAMPLE_SETTINGS, "stages": _EXAMPLE_STAGES},
)
PROGRAM_EDIT_FLOW = Flow(
    name="program_edit",
    first_step="settings",
    steps=_PROGRAM_STEPS,
    example={"settings": _EXAMPLE_SETTINGS, "stages": _EXAMPLE_STAGES, "program_id": 1},
)
