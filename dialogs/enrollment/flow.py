"""Join a reverse-mentoring program: a multi-step form, a summary, then the enrollment.

    program --submit--> role          (only when several programs are open; else the
                                       instance starts at role, see ``begin``)
    role --submit--> skills --submit--> levels --submit--> practical --submit--> consent
    consent --submit--> summary       (the last form: "Check your answers")
    summary --submit(Confirm)--> done (Enrollment saved, one Consent per text with its
                                       version, admins told when approval is required;
                                       the modal closes and a direct message confirms)
    summary --submit(change: a step)--> that step (everything stays prefilled)
    done message --Edit my answers--> role (a second join: prefilled from the enrollment)
    any form step: errors keep the step and save nothing.

A program whose charter or privacy notice is not published cannot be joined (it cannot
open any more without them; one opened by an older version says so). Summary cards posted
by an older version (``summary`` was a card) still enroll with their *Confirm* button.

A second ``join`` to the same program starts from the stored enrollment (an edit: the
row is unique per program and person). An open instance resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.domain.enrollment import CAPACITIES, eligible_roles
from bot.domain.programs import TEXT_KINDS
from dialogs.core.flow import Flow, FlowContext, Step, Transition, text_value
from dialogs.core.ui import Facts, FieldValue
from dialogs.enrollment.practical import practical_form, submit_practical
from dialogs.enrollment.review import (
    consent_form,
    facts,
    submit_consent,
    submit_summary,
    summary_form,
)
from dialogs.enrollment.saving import enroll
from dialogs.enrollment.steps import (
    levels_form,
    program_form,
    role_form,
    skills_form,
    submit_levels,
    submit_role,
    submit_skills,
)
from storage.dialog_states import open_flow, start_flow
from storage.enrollment.enrollments import (
    OFFER_BACK,
    accepts_enrollment,
    active_skills,
    career_stage_key,
    current_text,
    enrollment_of,
)
from storage.models import Enrollment, Program

FLOW_NAME = "enrollment"
CONFIRM = "confirm"  # the button of summary cards an older version posted


async def program_data(ctx: FlowContext, program: Program) -> dict[str, Any]:
    """Everything the forms show for this program, prefilled from the person and from
    their enrollment when they joined before (a second join edits)."""
    person, locale = ctx.person, ctx.locale
    skills = await active_skills(ctx.session)
    texts = {}
    for kind in TEXT_KINDS:
        text = await current_text(ctx.session, program, kind, locale)
        if text is not None:
            texts[kind] = {"version": text.version, "locale": text.locale, "body": text.body}
    data: dict[str, Any] = {
        "program_id": program.id,
        "program_name": program.name,
        "program_slug": program.slug,
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

    Returns None when ready, or why not: "ineligible" when no role is open to the person,
    "not_ready" when the program's charter or privacy notice is not published.
    """
    if await open_flow(ctx.session, ctx.person.id, FLOW_NAME) is not None:
        return None
    if len(programs) == 1:
        data = await program_data(ctx, programs[0])
        if not data["roles"]:
            return "ineligible"
        if set(data["texts"]) != set(TEXT_KINDS):
            return "not_ready"
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
    data = await program_data(ctx, program)
    if set(data["texts"]) != set(TEXT_KINDS):
        return Transition(
            errors={"program": ctx.t("This program's charter and privacy notice are not ready.")}
        )
    return Transition(next_step="role", data=data)


async def enrollment_facts(ctx: FlowContext, program: Program, enrollment: Enrollment) -> Facts:
    """The person's answers for this program, as the summary before Confirm shows them
    (the profile shows them too, without the job title it shows above)."""
    data = await program_data(ctx, program)
    data["role"] = enrollment.role  # even if the program's eligible roles changed since
    return facts(ctx.t, data, with_title=False)


async def confirm(ctx: FlowContext, data: Mapping[str, Any], action: str, value: str) -> Transition:
    """The *Confirm* button of a summary card an older version posted."""
    if action != CONFIRM:
        return Transition(errors={"summary": ctx.t("Choose Confirm or Edit.")})
    return await enroll(ctx, data)


# The largest instance a person can fill in: the platform-limit test renders every step
# with it (5 skills per side, long texts, an in-person location, an assistant).
_SKILLS = [[f"skill_{n}", f"Skill number {n} with a long bilingual name"] for n in range(14)]
_CHOSEN = [key for key, _ in _SKILLS[:5]]
EXAMPLE: dict[str, Any] = {
    "programs": [[n, f"Program {n} " + "x" * 60] for n in range(1, 30)],
    "program_id": 1,
    "program_name": "Mentorat inversé 2027 " + "x" * 150,
    "program_slug": "m" * 64,
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
        "summary": Step("summary", form=summary_form, submit=submit_summary, act=confirm),
    },
    example=EXAMPLE,
)
