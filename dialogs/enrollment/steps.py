"""The form steps of the enrollment flow (see ``dialogs.enrollment.flow`` for the diagram).

Form builders cannot query the database, so everything a form shows (the program, the
roles it allows, the taxonomy in the person's language, the texts to accept) is put in
the flow's data when the program is chosen (``program_data``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain.enrollment import (
    CADENCES,
    CAPACITIES,
    MAX_GOALS,
    MAX_LOCATION,
    MAX_MOTIVATION,
    MAX_TITLE,
    TIME_CHOICES,
    Problem,
    availability_problems,
    format_problem,
    goals_problem,
    learns,
    parse_capacity,
    parse_level,
    skills_problem,
    teaches,
    text_problem,
)
from dialogs.basics.names import SPOKEN_LANGUAGES
from dialogs.core.content import Paragraph, Text, UserText
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
from storage.enrollments import person_by_email

STEPS = ("role", "skills", "levels", "practical", "consent")
ACCEPT = "accept"


def problem_text(t: Translator, problem: Problem) -> str:
    params = dict(problem.params)
    match problem.code:
        case "skills_required":
            return t("Choose at least one skill.")
        case "too_many_skills":
            return t.tn(
                "Choose at most {count} skill.", "Choose at most {count} skills.", int(params["n"])
            )
        case "too_long":
            return t.tn(
                "At most {count} character.", "At most {count} characters.", int(params["n"])
            )
        case "goals_required":
            return t.tn(
                "Say in a few words what you want to learn (at least {count} character).",
                "Say in a few words what you want to learn (at least {count} characters).",
                int(params["n"]),
            )
        case "required":
            return t("This field is required.")
        case "days_required":
            return t("Choose at least one day.")
        case "end_before_start":
            return t("The end must come after the start.")
        case "location_required":
            return t("Say where you can meet in person.")
    return t("Choose from the list.")


def _who(t: Translator, partner: bool) -> str:
    return t("Your partner will see this.") if partner else t("Only the program team sees this.")


def _title(t: Translator, step: str) -> str:
    return t("Join: {n}/{total}", n=STEPS.index(step) + 1, total=len(STEPS))


def _intro(t: Translator, data: Mapping[str, Any], line: str) -> tuple[Paragraph, ...]:
    program = Paragraph((Text(t("Program: ")), UserText(str(data.get("program_name", "")))))
    return (program, Paragraph.of(line))


def _options(pairs: Any) -> tuple[Option, ...]:
    return tuple(Option(str(value), str(label)) for value, label in pairs)


def _initial(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list | tuple) else (str(value),)


def _errors(problems: Mapping[str, Problem | None], t: Translator) -> dict[str, str]:
    return {name: problem_text(t, p) for name, p in problems.items() if p is not None}


# -- program (only when several programs are open) ---------------------------------------


def program_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    return Form(
        title=t("Join a program"),
        ref=ref,
        fields=(SelectField("program", t("Program"), _options(data.get("programs", ()))),),
        submit_label=t("Next"),
        intro=(Paragraph.of(t("Several programs are open. Which one do you want to join?")),),
    )


# -- role ---------------------------------------------------------------------------------


def role_labels(t: Translator) -> dict[str, str]:
    return {
        "mentor": t("Mentor: I share my digital skills"),
        "mentee": t("Mentee: I learn digital skills"),
        "both": t("Both"),
    }


def role_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    labels = role_labels(t)
    roles = data.get("roles", ())
    return Form(
        title=_title(t, "role"),
        ref=ref,
        fields=(
            SelectField(
                "role",
                t("Your role"),
                tuple(Option(r, labels[r]) for r in roles),
                initial=_initial(data.get("role") or (roles[0] if len(roles) == 1 else None)),
                hint=_who(t, True),
            ),
            TextField(
                "title",
                t("Job title"),
                required=False,
                initial=str(data.get("title") or ""),
                max_length=MAX_TITLE,
                hint=_who(t, True),
            ),
        ),
        submit_label=t("Next"),
        intro=_intro(t, data, t("Learning runs both ways: choose the role that suits you.")),
    )


async def submit_role(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    t = ctx.t
    role, title = text_value(values, "role"), text_value(values, "title")
    errors: dict[str, str] = {}
    if role not in data.get("roles", ()):
        errors["role"] = t("Choose a role from the list.")
    if len(title) > MAX_TITLE:
        errors["title"] = t.tn(
            "At most {count} character.", "At most {count} characters.", MAX_TITLE
        )
    if errors:
        return Transition(errors=errors)
    return Transition(next_step="skills", data={"role": role, "title": title})


# -- skills and goals ---------------------------------------------------------------------


def skills_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t, role = ctx.t, str(data.get("role"))
    skills = _options(data.get("skills", ()))
    fields: list[Field] = []
    if teaches(role):
        fields.append(
            SelectField(
                "offered",
                t("Skills you can share"),
                skills,
                multi=True,
                initial=_initial(data.get("offered")),
                hint=_who(t, True),
            )
        )
    if learns(role):
        fields.append(
            SelectField(
                "wanted",
                t("Skills you want to learn"),
                skills,
                multi=True,
                initial=_initial(data.get("wanted")),
                hint=_who(t, True),
            )
        )
        back = _options(data.get("offer_back", ()))
        if back:
            fields.append(
                CheckboxesField(
                    "offers_back",
                    t("What you can offer back"),
                    back,
                    initial=_initial(data.get("offers_back")),
                    hint=_who(t, True),
                )
            )
    fields.append(
        TextField(
            "goals",
            t("Your goals, in your own words"),
            required=learns(role),
            multiline=True,
            initial=str(data.get("goals") or ""),
            max_length=MAX_GOALS,
            hint=_who(t, True),
        )
    )
    return Form(
        title=_title(t, "skills"),
        ref=ref,
        fields=tuple(fields),
        submit_label=t("Next"),
        intro=_intro(t, data, t("You will give your level for each skill on the next step.")),
    )


async def submit_skills(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    role = str(data.get("role"))
    known = [str(key) for key, _ in data.get("skills", ())]
    known_back = [str(key) for key, _ in data.get("offer_back", ())]
    offered = list(dict.fromkeys(list_value(values, "offered"))) if teaches(role) else []
    wanted = list(dict.fromkeys(list_value(values, "wanted"))) if learns(role) else []
    back = list(dict.fromkeys(list_value(values, "offers_back"))) if learns(role) else []
    goals = text_value(values, "goals")
    problems = {
        "offered": skills_problem(teaches(role), offered, known),
        "wanted": skills_problem(learns(role), wanted, known),
        "offers_back": None if set(back) <= set(known_back) else Problem("unknown_choice"),
        "goals": goals_problem(goals, required=learns(role)),
    }
    errors = _errors(problems, ctx.t)
    if errors:
        return Transition(errors=errors)
    return Transition(
        next_step="levels",
        data={"offered": offered, "wanted": wanted, "offers_back": back, "goals": goals},
    )


# -- one level select per chosen skill ----------------------------------------------------


def level_options(t: Translator) -> tuple[Option, ...]:
    names = (t("Beginner"), t("Basic"), t("Comfortable"), t("Advanced"), t("Expert"))
    return tuple(Option(str(n), f"{n} · {name}") for n, name in enumerate(names, start=1))


def levels_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    names = {str(k): str(v) for k, v in data.get("skills", ())}
    fields: list[Field] = []
    for side, hint in (
        ("offered", _who(t, True)),
        ("wanted", t("The closing review compares against it.")),
    ):
        levels = data.get(f"levels_{side}") or {}
        for key in data.get(side) or ():
            skill = names.get(key, key)
            label = (
                t("Your proficiency: {skill}", skill=skill)
                if side == "offered"
                else t("Your level today: {skill}", skill=skill)
            )
            fields.append(
                SelectField(
                    f"{side}.{key}",
                    label,
                    level_options(t),
                    initial=_initial(levels.get(key)),
                    hint=hint,
                )
            )
    return Form(
        title=_title(t, "levels"),
        ref=ref,
        fields=tuple(fields),
        submit_label=t("Next"),
        intro=_intro(t, data, t("From 1 (beginner) to 5 (expert): an honest guess is enough.")),
    )


async def submit_levels(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    errors: dict[str, str] = {}
    levels: dict[str, dict[str, int]] = {"offered": {}, "wanted": {}}
    for side in ("offered", "wanted"):
        for key in data.get(side) or ():
            level = parse_level(text_value(values, f"{side}.{key}"))
            if level is None:
                errors[f"{side}.{key}"] = ctx.t("Choose a level from 1 to 5.")
            else:
                levels[side][key] = level
    if errors:
        return Transition(errors=errors)
    return Transition(
        next_step="practical",
        data={"levels_offered": levels["offered"], "levels_wanted": levels["wanted"]},
    )


# -- availability, format, languages, capacity, motivation, assistant -------------------


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
            initial=_initial(data.get("days")),
            hint=scheduling,
        ),
        SelectField(
            "start",
            t("From ({zone})", zone=t.zone(zone)),
            times,
            initial=_initial(data.get("start")),
            hint=scheduling,
        ),
        SelectField(
            "end",
            t("Until ({zone})", zone=t.zone(zone)),
            times,
            initial=_initial(data.get("end")),
            hint=scheduling,
        ),
        SelectField(
            "cadence",
            t("Preferred cadence"),
            tuple(Option(c, cadences[c]) for c in CADENCES),
            initial=_initial(data.get("cadence")),
        ),
        SelectField(
            "languages",
            t("Languages you can meet in"),
            tuple(Option(c, n) for c, n in SPOKEN_LANGUAGES.items()),
            multi=True,
            initial=_initial(data.get("languages")),
            hint=_who(t, True),
        ),
        SelectField(
            "format",
            t("Format"),
            tuple(Option(k, v) for k, v in formats.items()),
            initial=_initial(data.get("format")),
            hint=_who(t, True),
        ),
        TextField(
            "location",
            t("Where, for in-person sessions"),
            required=False,
            initial=str(data.get("location") or ""),
            max_length=MAX_LOCATION,
            hint=_who(t, True),
        ),
    ]
    if teaches(role):
        fields += [
            SelectField(
                "capacity",
                t("How many people you can mentor"),
                tuple(Option(str(c), str(c)) for c in CAPACITIES),
                initial=_initial(data.get("capacity")),
                hint=_who(t, False),
            ),
            TextField(
                "motivation",
                t("Why you want to mentor"),
                multiline=True,
                initial=str(data.get("motivation") or ""),
                max_length=MAX_MOTIVATION,
                hint=_who(t, False),
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
        title=_title(t, "practical"),
        ref=ref,
        fields=tuple(fields),
        submit_label=t("Next"),
        intro=_intro(t, data, t("Times are in your time zone, {zone}.", zone=t.zone(zone))),
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
    errors = _errors(problems, t)
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


# -- charter and privacy notice -------------------------------------------------------


def consent_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    texts: Mapping[str, Any] = data.get("texts") or {}
    intro: list[Paragraph] = [Paragraph.of(t("Please read the charter and the privacy notice."))]
    fields: list[Field] = []
    labels = {"charter": t("I accept the charter"), "privacy": t("I have read the privacy notice")}
    for kind in ("charter", "privacy"):
        text = texts.get(kind)
        if not text:
            continue
        intro += [Paragraph((UserText(part),)) for part in str(text["body"]).split("\n\n")]
        accepted = (ACCEPT,) if kind in (data.get("accepted") or ()) else ()
        fields.append(
            CheckboxesField(
                kind, labels[kind], (Option(ACCEPT, labels[kind]),), required=True, initial=accepted
            )
        )
    return Form(
        title=_title(t, "consent"),
        ref=ref,
        fields=tuple(fields),
        submit_label=t("Next"),
        intro=tuple(intro),
    )


async def submit_consent(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    texts: Mapping[str, Any] = data.get("texts") or {}
    errors = {
        kind: ctx.t("Please accept it to take part.")
        for kind in texts
        if ACCEPT not in list_value(values, kind)
    }
    if errors:
        return Transition(errors=errors)
    return Transition(next_step="summary", data={"accepted": sorted(texts)})
