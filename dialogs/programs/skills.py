"""The skills taxonomy as forms: ``admin skills add|rename|retire`` typed without their
arguments opens one of these (typed with them, the same checks run without a form).

    add:    key, French name, English name --submit--> added (or errors by field)
    rename: skill, language, new name      --submit--> renamed
    retire: skill                          --submit--> retired
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain.programs import skill_key_problem, skill_name_problem
from dialogs.core.content import Paragraph, Text, UserText
from dialogs.core.flow import Flow, FlowContext, Step, Transition, text_value
from dialogs.core.i18n import LOCALES, Translator
from dialogs.core.ui import (
    ActionRef,
    FieldValue,
    Form,
    Message,
    Option,
    Section,
    SelectField,
    TextField,
)
from dialogs.programs.flows import problem_text
from storage.programs.programs import add_skill, rename_skill, retire_skill, skill_by_key

Errors = dict[str, str]


def said(text: str, typed: str | None = None) -> Message:
    """Our words, then (optionally) what the admin typed, shown inert."""
    parts = (Text(text), *((Text(" "), UserText(typed)) if typed is not None else ()))
    line = Paragraph(parts)
    return Message((Section((line,)),), summary=line.plain(), visibility="private")


def key_and_names_errors(t: Translator, key: str, fr: str, en: str) -> Errors:
    """A taxonomy entry's key and its two names (skills and career stages alike)."""
    errors: Errors = {}
    for field, problem in (
        ("key", skill_key_problem(key)),
        ("fr", skill_name_problem(fr)),
        ("en", skill_name_problem(en)),
    ):
        if problem is not None:
            errors[field] = problem_text(t, problem)
    return errors


async def add(ctx: FlowContext, key: str, fr: str, en: str) -> Message | Errors:
    t = ctx.t
    key = key.strip().lower()
    errors = key_and_names_errors(t, key, fr, en)
    if not errors and await skill_by_key(ctx.session, key) is not None:
        errors["key"] = t("This skill exists already:") + " " + key
    if errors:
        return errors
    await add_skill(ctx.session, key, {"fr": fr.strip(), "en": en.strip()}, ctx.person.id)
    return said(t("Skill added:"), key)


async def rename(ctx: FlowContext, key: str, locale: str, name: str) -> Message | Errors:
    t = ctx.t
    skill = await skill_by_key(ctx.session, key.strip().lower())
    if skill is None:
        return {"skill": t("I do not know this skill:") + " " + key}
    problem = skill_name_problem(name)
    if problem is not None:
        return {"name": problem_text(t, problem)}
    if locale not in LOCALES:
        return {"locale": t("Choose a language in the list.")}
    rename_skill(ctx.session, skill, locale, name.strip(), ctx.person.id)
    return said(t("Skill renamed:"), f"{skill.key} ({locale}) → {name.strip()}")


async def retire(ctx: FlowContext, key: str) -> Message | Errors:
    t = ctx.t
    skill = await skill_by_key(ctx.session, key.strip().lower())
    if skill is None:
        return {"skill": t("I do not know this skill:") + " " + key}
    if skill.retired_at is not None:
        return {"skill": t("This skill is retired already:") + " " + skill.key}
    retire_skill(ctx.session, skill, ctx.person.id, ctx.now())
    return said(t("Skill retired: nobody can choose it any more; past answers keep it."), key)


def ended(result: Message | Errors) -> Transition:
    if isinstance(result, Message):
        return Transition(message=result)
    return Transition(errors=result)


def typed_argument(data: Mapping[str, Any], n: int) -> str:
    """The n-th argument typed with the command (the form starts from what was typed)."""
    typed = data.get("typed", [])
    return str(typed[n]) if n < len(typed) else ""


def _skill_field(ctx: FlowContext, data: Mapping[str, Any]) -> SelectField:
    options = tuple(Option(key, f"{name} ({key})") for key, name in data.get("skills", []))
    first = typed_argument(data, 0).lower()
    initial = (first,) if first in {o.value for o in options} else ()
    return SelectField("skill", ctx.t("Skill"), options, initial=initial)


def add_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    return Form(
        title=t("Add a skill"),
        ref=ref,
        fields=(
            TextField(
                "key",
                t("Key"),
                max_length=40,
                initial=typed_argument(data, 0),
                hint=t("Lower-case letters, digits and _, e.g. no_code"),
            ),
            TextField("fr", t("Name in French"), max_length=80, initial=typed_argument(data, 1)),
            TextField("en", t("Name in English"), max_length=80, initial=typed_argument(data, 2)),
        ),
        submit_label=t("Add"),
    )


async def submit_add(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    return ended(
        await add(
            ctx, text_value(values, "key"), text_value(values, "fr"), text_value(values, "en")
        )
    )


def rename_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    languages = (Option("fr", "Français"), Option("en", "English"))
    return Form(
        title=t("Rename a skill"),
        ref=ref,
        fields=(
            _skill_field(ctx, data),
            SelectField(
                "locale",
                t("Language"),
                languages,
                initial=(typed_argument(data, 1).lower() or ctx.locale,),
            ),
            TextField("name", t("New name"), max_length=80, initial=typed_argument(data, 2)),
        ),
        submit_label=t("Rename"),
    )


async def submit_rename(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    return ended(
        await rename(
            ctx,
            text_value(values, "skill"),
            text_value(values, "locale"),
            text_value(values, "name"),
        )
    )


def retire_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    return Form(
        title=t("Retire a skill"),
        ref=ref,
        fields=(_skill_field(ctx, data),),
        submit_label=t("Retire"),
        intro=(Paragraph.of(t("Nobody can choose it any more; past answers keep it.")),),
    )


async def submit_retire(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    return ended(await retire(ctx, text_value(values, "skill")))


_EXAMPLE = {"skills": [["generative_ai", "IA générative"], ["seo", "SEO"]], "typed": ["seo"]}
SKILL_FLOWS = {
    "add": Flow("skill_add", "form", {"form": Step("form", add_form, submit_add)}, _EXAMPLE),
    "rename": Flow(
        "skill_rename", "form", {"form": Step("form", rename_form, submit_rename)}, _EXAMPLE
    ),
    "retire": Flow(
        "skill_retire", "form", {"form": Step("form", retire_form, submit_retire)}, _EXAMPLE
    ),
}
