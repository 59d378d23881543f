"""``admin texts`` (charter and privacy notice: show, edit, publish), ``admin skills`` (the
taxonomy: list, add, rename, retire), and the *Read and accept* card enrolled people get
when a text they accepted has a new version.

Publishing queues one due action; ``ask_again`` turns it into a
``TextsUpdated`` message for each enrolled person whose consent is older.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.due import DueKind
from bot.domain.notifications import TextsUpdated
from bot.domain.programs import TEXT_KINDS
from dialogs.core.content import Paragraph, Text, UserText
from dialogs.core.events import Outcome
from dialogs.core.feature import DueContext, Handler, Turn
from dialogs.core.i18n import LOCALES, Translator
from dialogs.core.replies import stale_message
from dialogs.core.ui import Actions, Button, Facts, Header, Message, Section
from dialogs.notify.presenters import TEXTS_REVIEW_ACTION
from dialogs.programs import skills as skill_forms
from dialogs.programs.replies import picker, program_or_apology, programs_in_scope, say
from dialogs.programs.skills import SKILL_FLOWS
from dialogs.programs.text_flow import TEXT_FLOW
from storage.audit import record_audit
from storage.dialog_states import advance_flow, open_flow
from storage.enqueue import enqueue_due
from storage.enrollment.enrollments import (
    current_text,
    enrollment_of,
    program_by_slug,
    record_consent,
)
from storage.models import Program
from storage.programs.programs import all_skills
from storage.programs.texts import (
    ENROLLED,
    Published,
    current_version,
    draft_of,
    publish,
    published_bodies,
    stale_consents,
)


@dataclass(frozen=True)
class TextPublished:
    """A new version of a program's text: enrolled people are asked to accept it again."""

    program_id: int
    kind: str
    version: int


TEXTS_PUBLISHED = DueKind(
    "programs.texts_published",
    TextPublished,
    key=lambda p: f"programs.texts_published:{p.program_id}:{p.kind}:{p.version}",
)
ACCEPT_ACTION = "programs:texts_accept"  # value: slug:kind:version
EDIT_TEXT_ACTION = "programs:texts_edit"  # value: slug:kind:locale
SKILL_ACTIONS = {a: f"programs:skills_{a}" for a in ("add", "rename", "retire")}  # reopen
TEXTS_PICK_ACTION = "programs:texts_pick"  # value: show|edit|publish:slug:kind
MAX_PICKED = 5  # programs offered as buttons (two texts each)

log = structlog.get_logger("tandem.programs")


def _kind_label(turn: Turn, kind: str) -> str:
    return turn.ctx.t("Charter") if kind == "charter" else turn.ctx.t("Privacy notice")


async def _show_text(turn: Turn, program: Program, kind: str, locale: str) -> Outcome:
    t = turn.ctx.t
    text = await current_text(turn.ctx.session, program, kind, locale)
    draft = await draft_of(turn.ctx.session, program, kind, locale)
    title = f"{_kind_label(turn, kind)} · {program.name}"
    body = [Paragraph.of(t("No published version yet."))]
    if text is not None:
        version = Paragraph.of(t("Version {version}", version=text.version))
        body = [version, Paragraph((UserText(text.body),))]
    if draft is not None:
        body.append(
            Paragraph.of(
                t("A draft of version {version} waits to be published.", version=draft.version)
            )
        )
    edit = Button(
        t("Edit"), EDIT_TEXT_ACTION, value=f"{program.slug}:{kind}:{locale}", opens_form=True
    )
    blocks = (Header(title), Section(tuple(body)), Actions((edit,)))
    return turn.reply(Message(blocks, summary=title, visibility="private"))


def unpublished_texts(t: Translator, program: Program, missing: Sequence[str]) -> Message:
    """Why a program cannot open yet: people must read and accept both texts to join."""
    lines = {
        "charter": t("Its charter is not published yet."),
        "privacy": t("Its privacy notice is not published yet."),
    }
    commands = " · ".join(f"admin texts publish {program.slug} {kind}" for kind in missing)
    paragraphs = (
        Paragraph((Text(t("Enrollment cannot open yet for ")), UserText(program.name), Text("."))),
        *(Paragraph.of(lines[kind]) for kind in missing),
        Paragraph.of(
            t(
                "People read and accept the charter and the privacy notice when they join. "
                "Read the draft, change it if needed (admin texts edit), then publish it:"
            )
        ),
        Paragraph((UserText(commands),)),
    )
    summary = t("Enrollment cannot open yet: publish the charter and the privacy notice.")
    return Message((Section(paragraphs),), summary=summary, visibility="private")


async def edit_text(turn: Turn, program: Program, kind: str, locale: str) -> Outcome:
    ctx = turn.ctx
    instance = await open_flow(ctx.session, ctx.person.id, TEXT_FLOW.name)
    wanted = {"program_id": program.id, "kind": kind, "locale": locale}
    if instance is not None and any(instance.data.get(k) != v for k, v in wanted.items()):
        await advance_flow(
            ctx.session,
            instance.id,
            instance.version,
            instance.step,
            dict(instance.data),
            finished=True,
            now=ctx.now(),
        )
    draft = await draft_of(ctx.session, program, kind, locale)
    current = await current_text(ctx.session, program, kind, locale)
    body = draft.body if draft else current.body if current else ""
    data = {**wanted, "program_name": program.name, "body": body}
    return await turn.start(TEXT_FLOW.name, opener=EDIT_TEXT_ACTION, data=data)


async def publish_and_ask(
    session: AsyncSession, program: Program, kind: str, actor_id: str | None, now: datetime
) -> Published | None:
    """Publish the draft (chat or CLI); enrolled people are asked to accept it again by a
    due action of the same transaction. None if there is no draft."""
    previous = await published_bodies(session, program, kind, current_version(program, kind))
    published = await publish(session, program, kind, actor_id, previous, now)
    if published is not None:
        news = TextPublished(program.id, kind, published.version)
        await enqueue_due(session, TEXTS_PUBLISHED, news, now)
    return published


async def _publish(turn: Turn, program: Program, kind: str) -> Outcome:
    ctx, t = turn.ctx, turn.ctx.t
    published = await publish_and_ask(ctx.session, program, kind, ctx.person.id, ctx.now())
    if published is None:
        return say(
            turn,
            t(
                "There is no draft to publish. Write one first with: admin texts "
                "edit {slug} {kind}",
                slug=program.slug,
                kind=kind,
            ),
        )
    done = t(
        "Version {version} is published. Enrolled people will be asked to accept it.",
        version=published.version,
    )
    if published.carried:
        done += " " + t("Unchanged in: {languages}.", languages=t.languages(published.carried))
    return say(turn, done)


async def _pick_text(turn: Turn, action: str) -> Outcome:
    """``admin texts [show|edit|publish]`` without a program: one button per text."""
    t = turn.ctx.t
    programs = (await programs_in_scope(turn))[:MAX_PICKED]
    if not programs:
        return say(turn, t("No program yet. Create one with: admin program new"))
    buttons = [
        Button(
            f"{_kind_label(turn, kind)} · {p.name}",
            TEXTS_PICK_ACTION,
            value=f"{action}:{p.slug}:{kind}",
            opens_form=action == "edit",
        )
        for p in programs
        for kind in TEXT_KINDS
    ]
    questions = {
        "show": t("Which text do you want to read?"),
        "edit": t("Which text do you want to edit?"),
        "publish": t("Which text do you want to publish?"),
    }
    return turn.reply(picker(questions[action], buttons))


async def texts_command(turn: Turn) -> Outcome:
    command = turn.command
    action = (command.action if command else None) or "show"
    args = command.args if command else ()
    if not args:
        return await _pick_text(turn, action)
    return await _text_action(turn, action, args[0], *args[1:3])


async def picked_text(turn: Turn) -> Outcome:
    """A click on the picker: the same as the command typed in full."""
    action, slug, kind = [*turn.inbound.value.split(":"), "", ""][:3]
    if action not in ("show", "edit", "publish"):
        return turn.reply(stale_message(turn.ctx.t))
    return replace(await _text_action(turn, action, slug, kind), close_source=True)


async def _text_action(turn: Turn, action: str, slug: str, *rest: str) -> Outcome:
    t = turn.ctx.t
    usage = t("Usage: admin texts show|edit|publish SLUG charter|privacy [fr|en]")
    program, apology = await program_or_apology(turn, slug)
    if program is None:
        return apology
    kind = rest[0].lower() if rest else "charter"
    locale = rest[1].lower() if len(rest) > 1 else turn.ctx.locale
    if kind not in TEXT_KINDS or locale not in LOCALES:
        return say(turn, usage)
    match action:
        case "edit":
            return await edit_text(turn, program, kind, locale)
        case "publish":
            return await _publish(turn, program, kind)
    return await _show_text(turn, program, kind, locale)


async def reopen_text(turn: Turn) -> Outcome:
    """The show card's Edit button (value slug:kind:locale), or the button that opens the
    form when it could not open at once (no value: resume the open one)."""
    ctx = turn.ctx
    if not turn.inbound.value:
        if await open_flow(ctx.session, ctx.person.id, TEXT_FLOW.name) is None:
            return turn.reply(stale_message(ctx.t))
        return await turn.start(TEXT_FLOW.name, opener=EDIT_TEXT_ACTION)
    slug, _, rest = turn.inbound.value.partition(":")
    kind, _, locale = rest.partition(":")
    program, apology = await program_or_apology(turn, slug)
    if program is None:
        return apology
    if kind not in TEXT_KINDS or locale not in LOCALES:
        return turn.reply(stale_message(ctx.t))
    return await edit_text(turn, program, kind, locale)


# -- enrolled people: read the new version and accept it ----------------------------------


async def review_text(turn: Turn) -> Outcome:
    ctx, t = turn.ctx, turn.ctx.t
    slug, _, kind = turn.inbound.value.partition(":")
    program = await program_by_slug(ctx.session, slug)
    text = await current_text(ctx.session, program, kind, ctx.locale) if program else None
    if program is None or text is None or kind not in TEXT_KINDS:
        return turn.reply(stale_message(t))
    title = _kind_label(turn, kind)
    accept = Button(
        t("I accept"), ACCEPT_ACTION, value=f"{slug}:{kind}:{text.version}", style="primary"
    )
    blocks = (Header(title), Section((Paragraph((UserText(text.body),)),)), Actions((accept,)))
    return turn.reply(Message(blocks, summary=title, visibility="private"))


async def accept_text(turn: Turn) -> Outcome:
    ctx, t = turn.ctx, turn.ctx.t
    slug, kind, version = [*turn.inbound.value.split(":"), "", "", ""][:3]
    program = await program_by_slug(ctx.session, slug)
    enrollment = await enrollment_of(ctx.session, program.id, ctx.person.id) if program else None
    text = await current_text(ctx.session, program, kind, ctx.locale) if program else None
    if (
        program is None
        or text is None
        or enrollment is None
        or enrollment.status not in ENROLLED
        or str(text.version) != version  # an even newer version came out: read that one
    ):
        return turn.reply(stale_message(t), close_source=True)
    await record_consent(
        ctx.session, ctx.person.id, program.id, text, ctx.now()
    )  # once per version
    return replace(say(turn, t("Thank you: your acceptance is recorded.")), close_source=True)


# -- the skills taxonomy -----------------------------------------------------------------


async def skills_command(turn: Turn) -> Outcome:
    ctx, t = turn.ctx, turn.ctx.t
    command = turn.command
    action = (command.action if command else None) or "list"
    args = command.args if command else ()
    if action == "list":
        skills = await all_skills(ctx.session)
        facts = tuple(
            (
                s.key,
                Paragraph(
                    (
                        UserText(f"{s.name('fr')} / {s.name('en')}"),
                        *((Text(" · " + t("retired")),) if s.retired_at else ()),
                    )
                ),
            )
            for s in skills
        )
        title = t("Skills")
        return turn.reply(
            Message((Header(title), Facts(facts)), summary=title, visibility="private")
        )
    if ctx.admin_of is not None:  # the taxonomy is every program's: deployment admins only
        record_audit(
            ctx.session,
            "admin.refused",
            actor_id=ctx.person.id,
            details={"command": "skills", "reason": "not_deployment_admin"},
        )
        return say(
            turn,
            t(
                "The skills taxonomy is shared by every program: ask a deployment "
                "admin (TANDEM_ADMINS) to change it."
            ),
        )
    wanted = {"add": 3, "rename": 3, "retire": 1}[action]
    if len(args) != wanted:  # missing (or stray) arguments: the form asks for each
        choices = [
            [k.key, k.name(ctx.locale)]
            for k in await all_skills(ctx.session)
            if k.retired_at is None
        ]
        flow = SKILL_FLOWS[action]
        data = {"skills": choices, "typed": list(args)}
        return await turn.start(flow.name, opener=SKILL_ACTIONS[action], data=data)
    match action:
        case "add":
            result = await skill_forms.add(ctx, args[0], args[1], args[2])
        case "rename":
            result = await skill_forms.rename(ctx, args[0], args[1].lower(), args[2])
        case _:
            result = await skill_forms.retire(ctx, args[0])
    if isinstance(result, Message):
        return turn.reply(result)
    return turn.reply(skill_forms.said(" ".join(result.values())))


async def reopen_skill_form(turn: Turn) -> Outcome:
    """The button that opens a skills form when it could not open at once (Slack)."""
    ctx = turn.ctx
    action = next(a for a, opener in SKILL_ACTIONS.items() if opener == turn.inbound.action)
    flow = SKILL_FLOWS[action]
    if await open_flow(ctx.session, ctx.person.id, flow.name) is None:
        return turn.reply(stale_message(ctx.t))
    return await turn.start(flow.name, opener=SKILL_ACTIONS[action])


TEXTS_COMMAND: Handler = texts_command
SKILLS_COMMAND: Handler = skills_command
TEXTS_FLOWS = (TEXT_FLOW, *SKILL_FLOWS.values())
TEXTS_ADMIN_FLOWS = frozenset(flow.name for flow in TEXTS_FLOWS)
TEXTS_ACTIONS: dict[str, Handler] = {
    **{opener: reopen_skill_form for opener in SKILL_ACTIONS.values()},
    TEXTS_PICK_ACTION: picked_text,
    EDIT_TEXT_ACTION: reopen_text,
    TEXTS_REVIEW_ACTION: review_text,
    ACCEPT_ACTION: accept_text,
}
# Reviewing and accepting a published text are every participant's; the rest is admins'.
TEXTS_ADMIN_ACTIONS = frozenset({*SKILL_ACTIONS.values(), TEXTS_PICK_ACTION, EDIT_TEXT_ACTION})


async def ask_again(due: DueContext, payload: TextPublished) -> None:
    """A published text version: each enrolled person whose consent is older is asked."""
    kind, version = payload.kind, payload.version
    async with due.database.unit_of_work(immediate=True) as session:
        program = await session.get(Program, payload.program_id)
        if program is None or current_version(program, kind) != version:
            return  # gone, or superseded: the newer version asks in its turn
        stale = await stale_consents(session, program, kind)
        notice = TextsUpdated(program.slug, program.name, kind, version)
        for enrollment in stale:
            key = f"notify:{due.key}:{enrollment.person_id}"
            await due.notifier.notify(session, enrollment.person_id, notice, key=key)
    log.info("texts.asked_again", program_id=program.id, kind=kind, people=len(stale))
