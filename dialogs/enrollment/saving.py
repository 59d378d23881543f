"""Saving an enrollment once the person confirms their answers: the Enrollment, one
Consent per text with the version they read, the audit trail, the approval request when
the program approves people first, and the direct message that confirms it all."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from typing import Any

from bot.domain.enrollment import initial_status, learns, teaches
from bot.domain.programs import TEXT_KINDS
from dialogs.core.content import Paragraph, Text, UserText
from dialogs.core.flow import FlowContext, Transition
from dialogs.core.i18n import Translator
from dialogs.core.replies import JOIN_ACTION
from dialogs.core.ui import Actions, Button, Message, Section
from storage.audit import record_audit
from storage.enrollment.enrollments import (
    CurrentText,
    EnrollmentAnswers,
    accepts_enrollment,
    enrollment_of,
    queue_approval_request,
    record_consent,
    save_enrollment,
)
from storage.models import Program

EDIT_ACTION = "enrollment:edit"  # the Edit button of summary cards an older version posted


def chosen_levels(data: Mapping[str, Any], side: str) -> list[dict[str, Any]]:
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
        skills_offered=chosen_levels(data, "offered"),
        skills_wanted=chosen_levels(data, "wanted"),
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


def texts_accepted(data: Mapping[str, Any]) -> bool:
    """Both texts were shown and each was accepted on the consent step."""
    texts: Mapping[str, Any] = data.get("texts") or {}
    accepted = set(data.get("accepted") or ())
    return all(kind in texts and kind in accepted for kind in TEXT_KINDS)


async def enroll(ctx: FlowContext, data: Mapping[str, Any]) -> Transition:
    """Save what the person confirmed; the flow ends on the message that says so."""
    t, person = ctx.t, ctx.person
    program = await ctx.session.get(Program, int(data["program_id"]))
    if program is None or not accepts_enrollment(program, ctx.now()):
        return Transition(message=closed_message(t, program.name if program else ""))
    if not texts_accepted(data):
        return Transition(message=not_ready_message(t, program.name))
    before = await enrollment_of(ctx.session, program.id, person.id)
    status = initial_status(program.approval_required, before.status if before else None)
    zone = str(data.get("zone") or program.timezone)
    enrollment, created = await save_enrollment(
        ctx.session, program.id, person.id, _answers(data, zone), status
    )
    person.title = str(data.get("title") or "") or person.title
    person.timezone = person.timezone or zone
    person.assistant_id = data.get("assistant_id") or person.assistant_id
    for kind in TEXT_KINDS:
        text = data["texts"][kind]
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
    return Transition(message=done_message(t, program, status, created))


def done_message(t: Translator, program: Program, status: str, created: bool) -> Message:
    if status == "pending":
        line = t("Thank you! The program team will review your enrollment and I will tell you.")
    elif created:
        line = t("You are enrolled. I will tell you as soon as a partner is proposed.")
    else:
        line = t("Your enrollment is updated.")
    body = Paragraph((Text(t("Program: ")), UserText(program.name)))
    # The same button as the profile's: ``join`` again edits, prefilled from the enrollment.
    change = Button(t("Edit my answers"), JOIN_ACTION, value=program.slug, opens_form=True)
    return Message(
        (Section((body, Paragraph.of(line))), Actions((change,))),
        summary=line,
        visibility="private",
    )


def closed_message(t: Translator, program: str) -> Message:
    line = Paragraph(
        (
            Text(t("Enrollment is closed now for ")),
            UserText(program),
            Text(t(". Thank you for your interest: the program team will announce the next one.")),
        )
    )
    return Message((Section((line,)),), summary=line.plain(), visibility="private")


def not_ready_message(t: Translator, program: str) -> Message:
    """A program opened before its texts were published (an older version allowed it)."""
    line = Paragraph(
        (
            Text(t("You cannot join ")),
            UserText(program),
            Text(
                t(
                    " yet: its charter and privacy notice are not published. "
                    "The program team can tell you when."
                )
            ),
        )
    )
    return Message((Section((line,)),), summary=line.plain(), visibility="private")
