"""Join a reverse-mentoring program: a multi-step form, a summary, then the enrollment.

    program --submit--> role          (only when several programs are open; else the
                                       instance starts at role, see ``begin``)
    role --submit--> skills --submit--> levels --submit--> practical --submit--> consent
    consent --submit--> summary       (a card: the modal closes, the summary is posted)
    summary --click(confirm)--> done  (Enrollment saved, Consents recorded, admins told
                                       when approval is required)
    summary --Edit button--> role     (``reopen``: everything stays prefilled)
    any form step: errors keep the step and save nothing.

A second ``join`` to the same program starts from the stored enrollment (an edit: the
row is unique per program and person). An open instance resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from typing import Any

from bot.domain.enrollment import (
    CAPACITIES,
    eligible_roles,
    initial_status,
    learns,
    teaches,
)
from dialogs.core.content import Paragraph, Text, UserText
from dialogs.core.flow import Flow, FlowContext, Step, Transition, text_value
from dialogs.core.i18n import Translator
from dialogs.core.ui import ActionRef, Actions, Button, Facts, FieldValue, Header, Message, Section
from dialogs.enrollment.steps import (
    consent_form,
    level_options,
    levels_form,
    practical_form,
    program_form,
    role_form,
    role_labels,
    skills_form,
    submit_consent,
    submit_levels,
    submit_practical,
    submit_role,
    submit_skills,
    weekday_names,
)
from storage.audit import record_audit
from storage.dialog_states import open_flow, start_flow
from storage.enrollments import (
    OFFER_BACK,
    CurrentText,
    EnrollmentAnswers,
    accepts_enrollment,
    active_skills,
    career_stage_key,
    current_text,
    enrollment_of,
    queue_approval_request,
    record_consent,
    save_enrollment,
)
from storage.models import Enrollment, Program

FLOW_NAME = "enrollment"
EDIT_ACTION = "enrollment:edit"
CONFIRM = "confirm"


async def program_data(ctx: FlowContext, program: Program) -> dict[str, Any]:
    """Everything the forms show for this program, prefilled from the person and from
    their enrollment when they joined before (a second join edits)."""
    person, locale = ctx.person, ctx.locale
    skills = await active_skills(ctx.session)
    texts = {}
    for kind in ("charter", "privacy"):
        text = await current_text(ctx.session, program, kind, locale)
        if text is not None:
            texts[kind] = {"version": text.version, "locale": text.locale, "body": text.body}
    data: dict[str, Any] = {
        "program_id": program.id,
        "program_name": program.name,
        "roles": list(eligible_roles(program.rules, await career_stage_key(ctx.session, person))),
        "skills": [[s.key, s.name(locale)] for s in skills if s.category != OFFER_BACK],
        "offer_back": [[s.key, s.name(locale)] for s in skills if s.category == OFFER_BACK],
        "texts": texts,
        "zone": person.timezone or program.timezone,
        "title": person.title or "",
        "start": "12:00",
        "end": "13:00",
        "cadence": program.cadence,
        "languages": list(person.languages or [locale]),
        "format": "remote",
        "location": person.location or "",
        "capacity": min(max(program.capacity_default, CAPACITIES[0]), CAPACITIES[-1]),
    }
    enrollment = await enrollment_of(ctx.session, program.id, person.id)
    if enrollment is not None:
        windows = enrollment.availability
        data |= {
            "enrollment_id": enrollment.id,
            "role": enrollment.role if enrollment.role in data["roles"] else None,
            "offered": [s["skill"] for s in enrollment.skills_offered],
            "wanted": [s["skill"] for s in enrollment.skills_wanted],
            "levels_offered": {s["skill"]: s["level"] for s in enrollment.skills_offered},
            "levels_wanted": {s["skill"]: s["level"] for s in enrollment.skills_wanted},
            "offers_back": list(enrollment.offers_back),
            "goals": enrollment.goals or "",
            "days": sorted({w.weekday for w in windows}),
            "cadence": enrollment.preferred_cadence or program.cadence,
            "languages": list(enrollment.languages) or data["languages"],
            "format": enrollment.format,
            "location": enrollment.location or "",
            "capacity": enrollment.capacity or data["capacity"],
            "motivation": enrollment.motivation or "",
        }
        if windows:
            data |= {"start": f"{windows[0].start:%H:%M}", "end": f"{windows[0].end:%H:%M}"}
    return data


async def begin(ctx: FlowContext, programs: list[Program]) -> str | None:
    """Create the instance at the right first step unless one is open (it resumes).

    Returns None when ready, or why not: "ineligible" when no role is open to the person.
    """
    if await open_flow(ctx.session, ctx.person.id, FLOW_NAME) is not None:
        return None
    if len(programs) == 1:
        data = await program_data(ctx, programs[0])
        if not data["roles"]:
            return "ineligible"
        await start_flow(ctx.session, ctx.person.id, FLOW_NAME, "role", data)
        return None
    stage = await career_stage_key(ctx.session, ctx.person)
    choices = [[p.id, p.name] for p in programs if eligible_roles(p.rules, stage)]
    if not choices:
        return "ineligible"
    await start_flow(ctx.session, ctx.person.id, FLOW_NAME, "program", {"programs": choices})
    return None


async def submit_program(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    chosen = text_value(values, "program")
    ids = {str(pid) for pid, _ in data.get("programs", ())}
    program = await ctx.session.get(Program, int(chosen)) if chosen in ids else None
    if program is None or not accepts_enrollment(program, ctx.now()):
        return Transition(errors={"program": ctx.t("Choose a program from the list.")})
    return Transition(next_step="role", data=await program_data(ctx, program))


async def enrollment_facts(ctx: FlowContext, program: Program, enrollment: Enrollment) -> Facts:
    """The person's answers for this program, as the summary before Confirm shows them
    (the profile shows them too, without the job title it shows above)."""
    data = await program_data(ctx, program)
    data["role"] = enrollment.role  # even if the program's eligible roles changed since
    return _facts(ctx.t, data, with_title=False)


def _facts(t: Translator, data: Mapping[str, Any], *, with_title: bool = True) -> Facts:
    names = {str(k): str(v) for k, v in [*data.get("skills", ()), *data.get("offer_back", ())]}
    levels = {o.value: o.label for o in level_options(t)}
    role = str(data.get("role"))

    def skills(side: str) -> Paragraph:
        chosen = _levels(data, side)
        return Paragraph.of(
            ", ".join(
                f"{names.get(s['skill'], s['skill'])} ({levels[str(s['level'])]})" for s in chosen
            )
        )

    days = weekday_names(t)
    items: list[tuple[str, Paragraph]] = [(t("Role"), Paragraph.of(role_labels(t)[role]))]
    if with_title:
        items.append((t("Job title"), Paragraph((UserText(str(data.get("title") or "—")),))))
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
        (t("Goals"), Paragraph((UserText(str(data.get("goals") or "—")),))),
        (t("Availability"), Paragraph.of(availability)),
        (t("Languages"), Paragraph.of(t.languages(data.get("languages") or ()))),
        (t("Format"), Paragraph((UserText(_format_text(t, data)),))),
    ]
    if teaches(role):
        items += [
            (t("How many people you can mentor"), Paragraph.of(str(data.get("capacity")))),
            (t("Why you want to mentor"), Paragraph((UserText(str(data.get("motivation"))),))),
        ]
    if data.get("assistant"):
        items.append((t("Assistant"), Paragraph((UserText(str(data["assistant"])),))))
    return Facts(tuple(items))


def _format_text(t: Translator, data: Mapping[str, Any]) -> str:
    label = {"remote": t("Remote"), "in_person": t("In person"), "either": t("Either")}
    text = label.get(str(data.get("format")), "")
    return f"{text} · {data['location']}" if data.get("location") else text


def summary_card(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Message:
    t = ctx.t
    heading = t("Check your answers")
    program = Paragraph((Text(t("Program: ")), UserText(str(data.get("program_name", "")))))
    buttons = (
        Button(t("Confirm"), CONFIRM, ref=ref, style="primary"),
        Button(t("Edit"), EDIT_ACTION, opens_form=True),
    )
    return Message(
        (Header(heading), Section((program,)), _facts(t, data), Actions(buttons)),
        summary=heading,
    )


def _levels(data: Mapping[str, Any], side: str) -> list[dict[str, Any]]:
    # The chosen list keeps the person's order; a JSON object may not (PostgreSQL JSONB).
    levels = data.get(f"levels_{side}") or {}
    return [
        {"skill": key, "level": int(levels[key])} for key in data.get(side) or () if key in levels
    ]


def _answers(data: Mapping[str, Any], zone: str) -> EnrollmentAnswers:
    role = str(data["role"])
    windows = [
        (int(day), time.fromisoformat(str(data["start"])), time.fromisoformat(str(data["end"])))
        for day in data.get("days") or ()
    ]
    return EnrollmentAnswers(
        role=role,
        skills_offered=_levels(data, "offered"),
        skills_wanted=_levels(data, "wanted"),
        offers_back=list(data.get("offers_back") or ()) if learns(role) else [],
        goals=str(data.get("goals") or "") or None,
        preferred_cadence=str(data.get("cadence") or "") or None,
        languages=list(data.get("languages") or ()),
        format=str(data.get("format") or "remote"),
        location=str(data.get("location") or "") or None,
        capacity=int(data.get("capacity") or 0) if teaches(role) else 0,
        motivation=str(data.get("motivation") or "") or None if teaches(role) else None,
        windows=windows,
        timezone=zone,
    )


async def confirm(ctx: FlowContext, data: Mapping[str, Any], action: str, value: str) -> Transition:
    t, person = ctx.t, ctx.person
    if action != CONFIRM:
        return Transition(errors={"summary": t("Choose Confirm or Edit.")})
    program = await ctx.session.get(Program, int(data["program_id"]))
    if program is None or not accepts_enrollment(program, ctx.now()):
        return Transition(message=closed_message(t, program.name if program else ""))
    before = await enrollment_of(ctx.session, program.id, person.id)
    status = initial_status(program.approval_required, before.status if before else None)
    zone = str(data.get("zone") or program.timezone)
    enrollment, created = await save_enrollment(
        ctx.session, program.id, person.id, _answers(data, zone), status
    )
    person.title = str(data.get("title") or "") or person.title
    person.timezone = person.timezone or zone
    person.assistant_id = data.get("assistant_id") or person.assistant_id
    for kind, text in (data.get("texts") or {}).items():
        shown = CurrentText(kind, int(text["version"]), str(text["locale"]), str(text["body"]))
        await record_consent(ctx.session, person.id, program.id, shown, ctx.now())
    record_audit(
        ctx.session,
        "enrollment.joined" if created else "enrollment.updated",
        actor_id=person.id,
        subject_id=person.id,
        program_id=program.id,
        details={"role": enrollment.role, "status": status},
    )
    if status == "pending" and (before is None or before.status != "pending"):
        await queue_approval_request(ctx.session, program.id, enrollment.id, ctx.now())
    return Transition(message=done_message(t, program.name, status, created))


def done_message(t: Translator, program: str, status: str, created: bool) -> Message:
    if status == "pending":
        line = t("Thank you! The program team will review your enrollment and I will tell you.")
    elif created:
        line = t("You are enrolled. I will tell you as soon as a partner is proposed.")
    else:
        line = t("Your enrollment is updated.")
    body = Paragraph((Text(t("Program: ")), UserText(program)))
    return Message((Section((body, Paragraph.of(line))),), summary=line, visibility="private")


def closed_message(t: Translator, program: str) -> Message:
    line = Paragraph(
        (
            Text(t("Enrollment is closed now for ")),
            UserText(program),
            Text(t(". Thank you for your interest: the program team will announce the next one.")),
        )
    )
    return Message((Section((line,)),), summary=line.plain(), visibility="private")


# The largest instance a person can fill in: the platform-limit test renders every step
# with it (5 skills per side, long texts, an in-person location, an assistant).
_SKILLS = [[f"skill_{n}", f"Skill number {n} with a long bilingual name"] for n in range(14)]
_CHOSEN = [key for key, _ in _SKILLS[:5]]
EXAMPLE: dict[str, Any] = {
    "programs": [[n, f"Program {n} " + "x" * 60] for n in range(1, 30)],
    "program_id": 1,
    "program_name": "Mentorat inversé 2027 " + "x" * 150,
    "roles": ["mentor", "mentee", "both"],
    "role": "both",
    "title": "t" * 200,
    "skills": _SKILLS,
    "offer_back": [
        ["leadership", "Leadership"],
        ["strategy", "Strategy"],
        ["network", "Network"],
        ["career_advice", "Career advice"],
    ],
    "texts": {
        kind: {"version": 1, "locale": "fr", "body": "\n\n".join(["Paragraph " + "w" * 2900] * 2)}
        for kind in ("charter", "privacy")
    },
    "zone": "America/Argentina/ComodRivadavia",
    "offered": _CHOSEN,
    "wanted": _CHOSEN,
    "levels_offered": dict.fromkeys(_CHOSEN, 5),
    "levels_wanted": dict.fromkeys(_CHOSEN, 1),
    "offers_back": ["leadership", "strategy", "network", "career_advice"],
    "goals": "g" * 1000,
    "days": [0, 1, 2, 3, 4, 5, 6],
    "start": "06:00",
    "end": "22:00",
    "cadence": "biweekly",
    "languages": ["fr", "en", "es", "de"],
    "format": "in_person",
    "location": "l" * 200,
    "capacity": 3,
    "motivation": "m" * 1000,
    "assistant": "a" * 60 + "@acme.example",
    "accepted": ["charter", "privacy"],
}

ENROLLMENT_FLOW = Flow(
    name=FLOW_NAME,
    first_step="program",
    steps={
        "program": Step("program", form=program_form, submit=submit_program),
        "role": Step("role", form=role_form, submit=submit_role),
        "skills": Step("skills", form=skills_form, submit=submit_skills),
        "levels": Step("levels", form=levels_form, submit=submit_levels),
        "practical": Step("practical", form=practical_form, submit=submit_practical),
        "consent": Step("consent", form=consent_form, submit=submit_consent),
        "summary": Step("summary", card=summary_card, act=confirm),
    },
    example=EXAMPLE,
)
