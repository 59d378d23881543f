"""What program admins watch: ``admin status`` (each program's counts and its most
wanted skills) and ``admin audit`` (the audit trail, scoped to the admin's programs)."""

from __future__ import annotations

from datetime import UTC, datetime, time

from bot.domain.programs import skills_gap
from dialogs.core.content import Paragraph, PersonRef, Text, Timestamp, UserText
from dialogs.core.events import Outcome
from dialogs.core.feature import Turn
from dialogs.core.i18n import Translator
from dialogs.core.names import shown_name
from dialogs.core.ui import Divider, Facts, Header, Message, Section
from dialogs.programs.replies import programs_in_scope, say
from storage.audit import record_audit
from storage.models import Person
from storage.programs.programs import all_skills, audit_events_since, people_by_id, program_status


def status_label(t: Translator, status: str) -> str:
    labels = {
        "draft": t("draft"),
        "open": t("open for enrollment"),
        "running": t("running"),
        "closed": t("closed"),
    }
    return labels.get(status, status)


def display_name(person: Person | None) -> str:
    return shown_name(person)


async def status_command(turn: Turn) -> Outcome:
    ctx, t = turn.ctx, turn.ctx.t
    programs = [p for p in await programs_in_scope(turn) if p.status != "closed"]
    if not programs:
        return say(turn, t("No program is running. Create one with: admin program new"))
    names = {s.key: s.name(ctx.locale) for s in await all_skills(ctx.session)}
    blocks: list[Header | Facts | Divider] = []
    for program in programs:
        status = await program_status(ctx.session, program)
        gaps = skills_gap(status.wanted, status.offered)
        gap_text = (
            ", ".join(f"{names.get(g.skill, g.skill)} ({g.wanted}/{g.offered})" for g in gaps)
            or "—"
        )
        pending = sum(n for (_, s), n in status.by_role_status.items() if s == "pending")

        enrolled = {
            role: Paragraph.of(
                t.tn(
                    "{count} active, {paused} paused",
                    "{count} active, {paused} paused",
                    status.count(role, "active"),
                    paused=t.number(status.count(role, "paused")),
                )
            )
            for role in ("mentor", "mentee")
        }

        facts = (
            (t("Mentors"), enrolled["mentor"]),
            (t("Mentees"), enrolled["mentee"]),
            (t("Waiting for approval"), Paragraph.of(str(pending))),
            (t("Invited, no answer yet"), Paragraph.of(str(status.invited_unanswered))),
            (t("Most wanted skills (wanted/offered)"), Paragraph((UserText(gap_text),))),
        )
        blocks += [Header(f"{program.name} · {status_label(t, program.status)}"), Facts(facts)]
        blocks.append(Divider())
    title = t("Program status")
    return turn.reply(Message(tuple(blocks[:-1]), summary=title, visibility="private"))


def _since(text: str) -> datetime | None:
    return datetime.combine(datetime.fromisoformat(text).date(), time(), UTC)


async def audit_command(turn: Turn) -> Outcome:
    ctx, t = turn.ctx, turn.ctx.t
    raw = (turn.command.options.get("since", "") if turn.command else "").strip()
    try:
        since = _since(raw) if raw else None
    except ValueError:
        return say(turn, t("A date like 2027-01-31, please:"), raw)
    record_audit(
        ctx.session, "audit.viewed", actor_id=ctx.person.id, details={"since": raw} if raw else {}
    )
    events = await audit_events_since(ctx.session, since, ctx.admin_of)
    people = await people_by_id(
        ctx.session, [e.actor_id or "" for e in events] + [e.subject_id or "" for e in events]
    )
    if not events:
        return say(turn, t("Nothing was recorded in this period."))
    lines = []
    for event in events:
        who = people.get(event.actor_id or "")
        parts: list[Text | UserText | PersonRef | Timestamp] = [
            Timestamp(event.at),
            Text(" · "),
            PersonRef(event.actor_id, display_name(who)) if event.actor_id else Text(t("Tandem")),
            Text(" · "),
            UserText(event.action),
        ]
        subject = event.subject_id or ""
        if subject in people:
            parts += [Text(" → "), PersonRef(subject, display_name(people[subject]))]
        elif subject:  # a skill key or an organisation id, never a person's name
            parts += [Text(" → "), UserText(subject)]
        lines.append(Paragraph(tuple(parts)))
    title = t("Audit trail")
    return turn.reply(
        Message((Header(title), Section(tuple(lines))), summary=title, visibility="private")
    )
