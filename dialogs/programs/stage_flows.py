"""The career ladder as forms: ``admin stages add|move|rename`` typed without their
arguments opens one of these (typed with them, the same checks run without a form).

    add:    key, French label, English label, position --submit--> added
    move:   stage, position                             --submit--> moved
    rename: stage, language, new label                  --submit--> renamed
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain.programs import skill_name_problem
from dialogs.core.flow import Flow, FlowContext, Step, Transition, text_value
from dialogs.core.ui import ActionRef, FieldValue, Form, Message, Option, SelectField, TextField
from dialogs.programs.flows import problem_text
from dialogs.programs.skills import ended, key_and_names_errors, said, typed_argument
from storage.programs.career_stages import add_stage, ladder, move_stage, rename_stage, stage_by_key

Errors = dict[str, str]


def _position(ctx: FlowContext, typed: str, size: int) -> int | None:
    return int(typed) if typed.isdigit() and 1 <= int(typed) <= size else None


async def add(ctx: FlowContext, key: str, fr: str, en: str, position: str) -> Message | Errors:
    t = ctx.t
    key = key.strip().lower()
    errors = key_and_names_errors(t, key, fr, en)
    if not errors and await stage_by_key(ctx.session, key) is not None:
        errors["key"] = t("This career stage exists already:") + " " + key
    size = len(await ladder(ctx.session)) + 1
    at = _position(ctx, position.strip() or str(size), size)
    if at is None:
        errors["position"] = t("A position from 1 to {n}.", n=size)
    if errors:
        return errors
    assert at is not None
    await add_stage(ctx.session, key, fr.strip(), en.strip(), at, ctx.person.id)
    return said(t("Career stage added:"), f"{at}. {key}")


async def move(ctx: FlowContext, key: str, position: str) -> Message | Errors:
    t = ctx.t
    stage = await stage_by_key(ctx.session, key)
    if stage is None:
        return {"stage": t("I do not know this career stage:") + " " + key}
    size = len(await ladder(ctx.session))
    at = _position(ctx, position.strip(), size)
    if at is None:
        return {"position": t("A position from 1 to {n}.", n=size)}
    await move_stage(ctx.session, stage, at, ctx.person.id)
    return said(t("Career stage moved:"), f"{at}. {stage.key}")


async def rename(ctx: FlowContext, key: str, locale: str, name: str) -> Message | Errors:
    t = ctx.t
    stage = await stage_by_key(ctx.session, key)
    if stage is None:
        return {"stage": t("I do not know this career stage:") + " " + key}
    problem = skill_name_problem(name)
    if problem is not None:
        return {"name": problem_text(t, problem)}
    if locale not in ("fr", "en"):
        return {"locale": t("Choose a language in the list.")}
    rename_stage(stage, locale, name.strip(), ctx.session, ctx.person.id)
    return said(t("Career stage renamed:"), f"{stage.key} ({locale}) → {name.strip()}")


def _stage_field(ctx: FlowContext, data: Mapping[str, Any]) -> SelectField:
    options = tuple(Option(key, f"{rank}. {name}") for key, rank, name in data.get("stages", []))
    first = typed_argument(data, 0).lower()
    initial = (first,) if first in {o.value for o in options} else ()
    return SelectField("stage", ctx.t("Career stage"), options, initial=initial)


def _position_field(ctx: FlowContext, data: Mapping[str, Any], n: int, extra: int) -> TextField:
    size = len(data.get("stages", [])) + extra
    return TextField(
        "position",
        ctx.t("Position (1 = earliest in a career)"),
        max_length=3,
        initial=typed_argument(data, n) or str(size),
        hint=ctx.t("From 1 to {n}.", n=size),
    )


def add_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    fields = (
        TextField(
            "key",
            t("Key"),
            max_length=40,
            initial=typed_argument(data, 0),
            hint=t("Lower-case letters, digits and _, e.g. lead_expert"),
        ),
        TextField("fr", t("Name in French"), max_length=80, initial=typed_argument(data, 1)),
        TextField("en", t("Name in English"), max_length=80, initial=typed_argument(data, 2)),
        _position_field(ctx, data, 3, 1),
    )
    return Form(title=t("Add a career stage"), ref=ref, fields=fields, submit_label=t("Add"))


async def submit_add(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    v = {k: text_value(values, k) for k in ("key", "fr", "en", "position")}
    return ended(await add(ctx, v["key"], v["fr"], v["en"], v["position"]))


def move_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    fields = (_stage_field(ctx, data), _position_field(ctx, data, 1, 0))
    return Form(title=t("Move a career stage"), ref=ref, fields=fields, submit_label=t("Move"))


async def submit_move(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    return ended(await move(ctx, text_value(values, "stage"), text_value(values, "position")))


def rename_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    languages = (Option("fr", "Français"), Option("en", "English"))
    fields = (
        _stage_field(ctx, data),
        SelectField(
            "locale",
            t("Language"),
            languages,
            initial=(typed_argument(data, 1).lower() or ctx.locale,),
        ),
        TextField("name", t("New name"), max_length=80, initial=typed_argument(data, 2)),
    )
    return Form(title=t("Rename a career stage"), ref=ref, fields=fields, submit_label=t("Rename"))


async def submit_rename(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    return ended(
        await rename(
            ctx,
            text_value(values, "stage"),
            text_value(values, "locale"),
            text_value(values, "name"),
        )
    )


EXAMPLE = {"stages": [["junior", 2, "Junior"], ["director", 6, "Directeur·rice"]], "typed": []}
STAGE_FLOWS = {
    "add": Flow("stage_add", "add", {"add": Step("add", add_form, submit_add)}, EXAMPLE),
    "move": Flow("stage_move", "move", {"move": Step("move", move_form, submit_move)}, EXAMPLE),
    "rename": Flow(
        "stage_rename", "rename", {"rename": Step("rename", rename_form, submit_rename)}, EXAMPLE
    ),
}
