"""The first form steps of the enrollment flow (program, role, skills, levels); the
practical step is in ``practical.py``, the texts and the summary in ``review.py`` (see
``dialogs.enrollment.flow`` for the diagram).

Form builders cannot query the database, so everything a form shows (the program, the
roles it allows, the taxonomy in the person's language, the texts to accept) is put in
the flow's data when the program is chosen (``program_data``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain.enrollment import (
    MAX_GOALS,
    MAX_TITLE,
    Problem,
    goals_problem,
    learns,
    parse_level,
    skills_problem,
    teaches,
)
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

STEPS = ("role", "skills", "levels", "practical", "consent")  # numbered; then the summary


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


def who_sees(t: Translator, partner: bool) -> str:
    return t("Your partner will see this.") if partner else t("Only the program team sees this.")


def step_title(t: Translator, step: str) -> str:
    return t("Join: {n}/{total}", n=STEPS.index(step) + 1, total=len(STEPS))


def program_intro(t: Translator, data: Mapping[str, Any], line: str) -> tuple[Paragraph, ...]:
    program = Paragraph((Text(t("Program: ")), UserText(str(data.get("program_name", "")))))
    return (program, Paragraph.of(line))


def options_of(pairs: Any) -> tuple[Option, ...]:
    return tuple(Option(str(value), str(label)) for value, label in pairs)


def initial_values(value: Any) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list | tuple) else (str(value),)


def field_errors(problems: Mapping[str, Problem | None], t: Translator) -> dict[str, str]:
    return {name: problem_text(t, p) for name, p in problems.items() if p is not None}


# -- program (only when several programs are open) ---------------------------------------


def program_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    return Form(
        title=t("Join a program"),
        ref=ref,
        fields=(SelectField("program", t("Program"), options_of(data.get("programs", ()))),),
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
        title=step_title(t, "role"),
        ref=ref,
        fields=(
            SelectField(
                "role",
                t("Your role"),
                tuple(Option(r, labels[r]) for r in roles),
                initial=initial_values(data.get("role") or (roles[0] if len(roles) == 1 else None)),
                hint=who_sees(t, True),
            ),
            TextField(
                "title",
                t("Job title"),
                required=False,
                initial=str(data.get("title") or ""),
                max_length=MAX_TITLE,
                hint=who_sees(t, True),
            ),
        ),
        submit_label=t("Next"),
        intro=program_intro(t, data, t("Learning runs both ways: choose the role that suits you.")),
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
    skills = options_of(data.get("skills", ()))
    fields: list[Field] = []
    if teaches(role):
        fields.append(
            SelectField(
                "offered",
                t("Skills you can share"),
                skills,
                multi=True,
                initial=initial_values(data.get("offered")),
                hint=who_sees(t, True),
            )
        )
    if learns(role):
        fields.append(
            SelectField(
                "wanted",
                t("Skills you want to learn"),
                skills,
                multi=True,
                initial=initial_values(data.get("wanted")),
                hint=who_sees(t, True),
            )
        )
        back = options_of(data.get("offer_back", ()))
        if back:
            fields.append(
                CheckboxesField(
                    "offers_back",
                    t("What you can offer back"),
                    back,
                    initial=initial_values(data.get("offers_back")),
                    hint=who_sees(t, True),
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
            hint=who_sees(t, True),
        )
    )
    return Form(
        title=step_title(t, "skills"),
        ref=ref,
        fields=tuple(fields),
        submit_label=t("Next"),
        intro=program_intro(
            t, data, t("You will give your level for each skill on the next step.")
        ),
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
    errors = field_errors(problems, ctx.t)
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
        ("offered", who_sees(t, True)),
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
                    initial=initial_values(levels.get(key)),
                    hint=hint,
                )
            )
    return Form(
        title=step_title(t, "levels"),
        ref=ref,
        fields=tuple(fields),
        submit_label=t("Next"),
        intro=program_intro(
            t, data, t("From 1 (beginner) to 5 (expert): an honest guess is enough.")
        ),
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
