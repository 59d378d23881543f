"""The enrollment form's last two steps: the charter and privacy notice, each read and
accepted on its own, then the summary whose *Confirm* enrolls the person (or takes them
back to the part they want to change)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain.enrollment import learns, teaches
from bot.domain.programs import TEXT_KINDS
from dialogs.core.content import Paragraph, Text, UserText
from dialogs.core.flow import FlowContext, Transition, list_value, text_value
from dialogs.core.i18n import Translator
from dialogs.core.ui import (
    ActionRef,
    CheckboxesField,
    Facts,
    Field,
    FieldValue,
    Form,
    Option,
    SelectField,
)
from dialogs.enrollment.practical import weekday_names
from dialogs.enrollment.saving import chosen_levels, enroll, not_ready_message
from dialogs.enrollment.steps import level_options, role_labels, step_title

ACCEPT = "accept"
CHANGE = "change"  # the summary's field: which part to go back to (empty: enroll)


def text_labels(t: Translator) -> dict[str, str]:
    return {"charter": t("Charter"), "privacy": t("Privacy notice")}


# -- charter and privacy notice -------------------------------------------------------


def consent_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    """Both texts in full, each with its own acceptance (a text missing says so)."""
    t = ctx.t
    texts: Mapping[str, Any] = data.get("texts") or {}
    intro: list[Paragraph] = [Paragraph.of(t("Please read the charter and the privacy notice."))]
    fields: list[Field] = []
    accept = {"charter": t("I accept the charter"), "privacy": t("I have read the privacy notice")}
    for kind in TEXT_KINDS:
        text = texts.get(kind)
        heading = text_labels(t)[kind]
        if not text:
            intro.append(Paragraph.of(f"{heading} · " + t("not published yet")))
            continue
        version = t("Version {version}", version=text["version"])
        intro.append(Paragraph.of(f"{heading} · {version}"))
        intro += [Paragraph((UserText(part),)) for part in str(text["body"]).split("\n\n")]
        accepted = (ACCEPT,) if kind in (data.get("accepted") or ()) else ()
        fields.append(
            CheckboxesField(
                kind, accept[kind], (Option(ACCEPT, accept[kind]),), required=True, initial=accepted
            )
        )
    return Form(
        title=step_title(t, "consent"),
        ref=ref,
        fields=tuple(fields),
        submit_label=t("Next"),
        intro=tuple(intro),
    )


async def submit_consent(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    texts: Mapping[str, Any] = data.get("texts") or {}
    if any(kind not in texts for kind in TEXT_KINDS):  # nothing to accept: nobody can join
        return Transition(message=not_ready_message(ctx.t, str(data.get("program_name", ""))))
    errors = {
        kind: ctx.t("Please accept it to take part.")
        for kind in TEXT_KINDS
        if ACCEPT not in list_value(values, kind)
    }
    if errors:
        return Transition(errors=errors)
    return Transition(next_step="summary", data={"accepted": list(TEXT_KINDS)})


# -- the summary: Confirm enrolls ----------------------------------------------------------


def facts(t: Translator, data: Mapping[str, Any], *, with_title: bool = True) -> Facts:
    """Every answer, in words, as the person gave it (the profile shows the job title
    above, hence ``with_title``)."""
    names = {str(k): str(v) for k, v in [*data.get("skills", ()), *data.get("offer_back", ())]}
    levels = {o.value: o.label for o in level_options(t)}
    role = str(data.get("role"))

    def skills(side: str) -> Paragraph:
        chosen = chosen_levels(data, side)
        return Paragraph.of(
            ", ".join(
                f"{names.get(s['skill'], s['skill'])} ({levels[str(s['level'])]})" for s in chosen
            )
        )

    def typed(key: str) -> Paragraph:
        return Paragraph((UserText(str(data.get(key) or "—")),))

    days = weekday_names(t)
    items: list[tuple[str, Paragraph]] = [(t("Role"), Paragraph.of(role_labels(t).get(role, role)))]
    if with_title:
        items.append((t("Job title"), typed("title")))
    if teaches(role):
        items.append((t("Skills you can share"), skills("offered")))
    if learns(role):
        items.append((t("Skills you want to learn"), skills("wanted")))
        back = ", ".join(names.get(k, k) for k in data.get("offers_back") or ())
        items.append((t("What you can offer back"), Paragraph.of(back or "—")))
    availability = t(
        "{days}, {start}–{end} ({zone})",
        days=", ".join(days[d] for d in data.get("days") or ()),
        start=data.get("start"),
        end=data.get("end"),
        zone=t.zone(str(data.get("zone") or "")),
    )
    items += [
        (t("Goals"), typed("goals")),
        (t("Availability"), Paragraph.of(availability)),
        (t("Languages"), Paragraph.of(t.languages(data.get("languages") or ()))),
        (t("Format"), Paragraph((UserText(_format_text(t, data)),))),
    ]
    if teaches(role):
        items += [
            (t("How many people you can mentor"), Paragraph.of(str(data.get("capacity")))),
            (t("Why you want to mentor"), typed("motivation")),
        ]
    if data.get("assistant"):
        items.append((t("Assistant"), typed("assistant")))
    return Facts(tuple(items))


def _format_text(t: Translator, data: Mapping[str, Any]) -> str:
    label = {"remote": t("Remote"), "in_person": t("In person"), "either": t("Either")}
    text = label.get(str(data.get("format")), "")
    return f"{text} · {data['location']}" if data.get("location") else text


def parts(t: Translator) -> dict[str, str]:
    """The steps a person can go back to from the summary, in the form's order."""
    return {
        "role": t("Role and job title"),
        "skills": t("Skills and goals"),
        "levels": t("Levels"),
        "practical": t("Availability, languages and format"),
        "consent": t("Charter and privacy notice"),
    }


def summary_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    program = Paragraph((Text(t("Program: ")), UserText(str(data.get("program_name", "")))))
    accepted = [text_labels(t)[k] for k in TEXT_KINDS if k in (data.get("accepted") or ())]
    answers = [*facts(t, data).items, (t("Accepted"), Paragraph.of(", ".join(accepted) or "—"))]
    lines = [
        Paragraph((Text(t("{label}:", label=label) + " "), *value.parts))
        for label, value in answers
    ]
    change = SelectField(
        CHANGE,
        t("Change an answer first"),
        tuple(Option(step, label) for step, label in parts(t).items()),
        required=False,
        hint=t("Leave this empty to enroll. Choose a part to go back to it: nothing is lost."),
    )
    return Form(
        title=t("Check your answers"),
        ref=ref,
        fields=(change,),
        submit_label=t("Confirm"),
        intro=(
            program,
            *lines,
            Paragraph.of(t("Confirm to enroll: I will confirm it in a direct message.")),
        ),
    )


async def submit_summary(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    back_to = text_value(values, CHANGE)
    if back_to in parts(ctx.t):
        return Transition(next_step=back_to)
    if back_to:
        return Transition(errors={CHANGE: ctx.t("Choose from the list.")})
    return await enroll(ctx, data)
