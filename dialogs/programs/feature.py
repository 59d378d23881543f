"""Program administration: ``admin program`` (``admin status`` and ``admin audit`` are in
``watch.py``).

The texts and the skills taxonomy (``admin texts``, ``admin skills``) live beside it in
``texts.py``; this module's Feature carries them all. A program opens for enrollment only
once its charter and privacy notice are published. Every change is audited in
storage; the core refuses (and audits) non-admins before any handler here runs.
"""

from __future__ import annotations

from dataclasses import replace

from bot.domain.program_texts import missing_texts
from bot.domain.programs import ProgramRules, status_problem
from dialogs.core.content import Paragraph, PersonRef, Text, UserText
from dialogs.core.events import Outcome
from dialogs.core.feature import Feature, Turn
from dialogs.core.i18n import Translator
from dialogs.core.replies import stale_message
from dialogs.core.ui import Button, Facts, Header, Message
from dialogs.programs.admins import ADMIN_ADD_FLOW, add_admin
from dialogs.programs.flows import (
    PROGRAM_EDIT_FLOW,
    PROGRAM_NEW_FLOW,
    cadence_label,
    settings_of,
)
from dialogs.programs.replies import picker, program_or_apology, programs_in_scope, say
from dialogs.programs.texts import (
    SKILLS_COMMAND,
    TEXTS_ACTIONS,
    TEXTS_ADMIN_ACTIONS,
    TEXTS_ADMIN_FLOWS,
    TEXTS_COMMAND,
    TEXTS_FLOWS,
    TEXTS_PUBLISHED,
    ask_again,
    unpublished_texts,
)
from dialogs.programs.watch import audit_command, display_name, status_command, status_label
from storage.dialog_states import advance_flow, open_flow
from storage.models import Person, Program
from storage.people.admins import program_admin_ids
from storage.programs.career_stages import ladder, stage_labels
from storage.programs.programs import (
    people_by_id,
    set_status,
)
from storage.programs.texts import published_kinds

NEW_ACTION = "programs:new"  # reopens the form when it could not open at once (Slack)
EDIT_ACTION = "programs:edit"  # value: the program's slug
PICK_ACTION = "programs:pick"  # value: show|open|close|edit:slug
MAX_PICKED = 10  # programs offered as buttons; beyond, the admin types the short name


def program_card(
    t: Translator,
    program: Program,
    admins: dict[str, Person | None],
    stage_labels: dict[str, dict[str, str]] | None = None,
) -> Message:
    rules = ProgramRules.from_json(program.rules)
    stages = t.labels(stage_labels or {})
    closes = program.enrollment_closes_on

    def plain(text: str) -> Paragraph:
        return Paragraph((UserText(text),))

    everyone = t("everyone")
    facts = (
        (t("Short name"), plain(program.slug)),
        (t("Status"), Paragraph.of(status_label(t, program.status))),
        (
            t("Dates"),
            plain(f"{program.starts_on} → {program.ends_on} ({t.zone(program.timezone)})"),
        ),
        (t("Enrollment closes on"), plain(str(closes) if closes else "—")),
        (
            t("Cadence"),
            Paragraph.of(
                cadence_label(t, program.cadence)
                + " · "
                + t.tn("{count} minute", "{count} minutes", program.session_minutes)
            ),
        ),
        (t("Mentees per mentor (default)"), plain(str(program.capacity_default))),
        (
            t("Approve each enrollment?"),
            Paragraph.of(t("yes") if program.approval_required else t("no")),
        ),
        (t("Days to answer a pairing proposal"), plain(str(program.proposal_expiry_days))),
        (
            t("Career stages that can mentor"),
            plain(", ".join(stages.get(k, k) for k in rules.mentor_stages) or everyone),
        ),
        (
            t("Career stages that can be mentored"),
            plain(", ".join(stages.get(k, k) for k in rules.mentee_stages) or everyone),
        ),
        (
            t("Different departments only"),
            Paragraph.of(t("yes") if rules.cross_department else t("no")),
        ),
        (
            t("Charter and privacy versions"),
            plain(f"{program.charter_version or '—'} / {program.privacy_version or '—'}"),
        ),
        (
            t("Program admins"),
            Paragraph(
                tuple(
                    PersonRef(pid, display_name(p))
                    if n == 0
                    else PersonRef(pid, ", " + display_name(p))
                    for n, (pid, p) in enumerate(admins.items())
                )
            )
            if admins
            else Paragraph.of("—"),
        ),
    )
    return Message((Header(program.name), Facts(facts)), summary=program.name, visibility="private")


async def _stages_data(turn: Turn) -> list[list[str]]:
    stages = await ladder(turn.ctx.session)
    return [[s.key, s.label_fr, s.label_en] for s in stages]


async def new_program(turn: Turn) -> Outcome:
    data = {"stages": await _stages_data(turn), "settings": {}}
    return await turn.start(PROGRAM_NEW_FLOW.name, opener=NEW_ACTION, data=data)


async def edit_program(turn: Turn, slug: str) -> Outcome:
    ctx = turn.ctx
    program, apology = await program_or_apology(turn, slug)
    if program is None:
        return apology
    instance = await open_flow(ctx.session, ctx.person.id, PROGRAM_EDIT_FLOW.name)
    if instance is not None and instance.data.get("program_id") != program.id:
        # An edit of another program was left open: set it aside rather than resume it.
        await advance_flow(
            ctx.session,
            instance.id,
            instance.version,
            instance.step,
            dict(instance.data),
            finished=True,
            now=ctx.now(),
        )
    data = {
        "program_id": program.id,
        "settings": settings_of(program),
        "rules": dict(program.rules or {}),
        "stages": await _stages_data(turn),
    }
    return await turn.start(PROGRAM_EDIT_FLOW.name, opener=EDIT_ACTION, data=data)


async def _list(turn: Turn) -> Outcome:
    t = turn.ctx.t
    programs = await programs_in_scope(turn)
    if not programs:
        return say(turn, t("No program yet. Create one with: admin program new"))
    facts = tuple(
        (
            p.slug,
            Paragraph(
                (
                    UserText(p.name),
                    Text(" · " + status_label(t, p.status)),
                    Text(f" · {p.starts_on} → {p.ends_on}"),
                )
            ),
        )
        for p in programs
    )
    title = t("Programs")
    return turn.reply(Message((Header(title), Facts(facts)), summary=title, visibility="private"))


async def _show(turn: Turn, slug: str) -> Outcome:
    program, apology = await program_or_apology(turn, slug)
    if program is None:
        return apology
    ids = await program_admin_ids(turn.ctx.session, program.id)
    people = await people_by_id(turn.ctx.session, ids)
    admins = {i: people.get(i) for i in ids}
    stages = await stage_labels(turn.ctx.session)
    return turn.reply(program_card(turn.ctx.t, program, admins, stages))


async def _open_or_close(turn: Turn, slug: str, status: str) -> Outcome:
    t = turn.ctx.t
    program, apology = await program_or_apology(turn, slug)
    if program is None:
        return apology
    if status_problem(program.status, status) is not None:
        return say(
            turn, t("This program is already {status}.", status=status_label(t, program.status))
        )
    if status == "open":
        missing = missing_texts(await published_kinds(turn.ctx.session, program))
        if missing:
            return turn.reply(unpublished_texts(t, program, missing))
    set_status(turn.ctx.session, program, status, turn.ctx.person.id)
    done = (
        t("Enrollment is open: people can join with the join command.")
        if status == "open"
        else t("The program is closed: nobody can join any more.")
    )
    return say(turn, done, program.name)


async def _admins(turn: Turn, args: tuple[str, ...]) -> Outcome:
    ctx, t = turn.ctx, turn.ctx.t
    usage = t("Usage: admin program admins add SLUG EMAIL, or admin program admins SLUG")
    if args and args[0].lower() in ("add", "ajouter"):
        if len(args) == 1:  # nothing more typed: a form
            return await open_admin_add(turn)
        if len(args) != 3:
            return say(turn, usage)
        program, apology = await program_or_apology(turn, args[1])
        if program is None:
            return apology
        answer = await add_admin(ctx, program, args[2])
        if isinstance(answer, dict):
            return say(turn, answer["email"], args[2])
        return turn.reply(answer)
    if len(args) != 1:
        return say(turn, usage)
    return await _show(turn, args[0])


async def open_admin_add(turn: Turn) -> Outcome:
    programs = [(p.slug, p.name) for p in await programs_in_scope(turn)]
    if not programs:
        return say(turn, turn.ctx.t("No program yet: create one with admin program new."))
    return await turn.start(
        ADMIN_ADD_FLOW.name, opener=ADMIN_ADD_ACTION, data={"programs": programs}
    )


async def reopen_admin_add(turn: Turn) -> Outcome:
    return await open_admin_add(turn)


async def program_command(turn: Turn) -> Outcome:
    command = turn.command
    action = command.action if command else None
    args = command.args if command else ()
    match action:
        case "new":
            return await new_program(turn)
        case None | "list":
            return await _list(turn)
        case "admins":
            return await _admins(turn, args)
    if not args:
        return await _pick_program(turn, action or "show")
    return await _on_program(turn, action or "show", args[0])


async def _on_program(turn: Turn, action: str, slug: str) -> Outcome:
    match action:
        case "show":
            return await _show(turn, slug)
        case "open" | "close":
            return await _open_or_close(turn, slug, "open" if action == "open" else "closed")
    return await edit_program(turn, slug)


async def _pick_program(turn: Turn, action: str) -> Outcome:
    """Which program: one button each when they are few, else their short names."""
    t = turn.ctx.t
    programs = await programs_in_scope(turn)
    if not programs:
        return say(turn, t("No program yet. Create one with: admin program new"))
    if len(programs) > MAX_PICKED:
        return say(
            turn,
            t(
                "Which program? Add its short name, for example: admin program {action} {slug}",
                action=action,
                slug=programs[0].slug,
            ),
        )
    buttons = [
        Button(p.name, PICK_ACTION, value=f"{action}:{p.slug}", opens_form=action == "edit")
        for p in programs
    ]
    return turn.reply(picker(t("Which program?"), buttons))


async def picked(turn: Turn) -> Outcome:
    """A click on the program picker: the same as the command typed with the program."""
    action, _, slug = turn.inbound.value.partition(":")
    if action not in ("show", "open", "close", "edit"):
        return turn.reply(stale_message(turn.ctx.t))
    return replace(await _on_program(turn, action, slug), close_source=True)


async def reopen_new(turn: Turn) -> Outcome:
    return await new_program(turn)


async def reopen_edit(turn: Turn) -> Outcome:
    """The button that opens the form when it could not open at once: resume it."""
    ctx = turn.ctx
    if await open_flow(ctx.session, ctx.person.id, PROGRAM_EDIT_FLOW.name) is None:
        return turn.reply(stale_message(ctx.t))
    return await turn.start(PROGRAM_EDIT_FLOW.name, opener=EDIT_ACTION)


ADMIN_ADD_ACTION = "programs:admin-add"

PROGRAMS = Feature(
    name="programs",
    flows=(PROGRAM_NEW_FLOW, PROGRAM_EDIT_FLOW, ADMIN_ADD_FLOW, *TEXTS_FLOWS),
    commands={
        "admin program": program_command,
        "admin status": status_command,
        "admin audit": audit_command,
        "admin texts": TEXTS_COMMAND,
        "admin skills": SKILLS_COMMAND,
    },
    actions={
        NEW_ACTION: reopen_new,
        EDIT_ACTION: reopen_edit,
        PICK_ACTION: picked,
        ADMIN_ADD_ACTION: reopen_admin_add,
        **TEXTS_ACTIONS,
    },
    due={TEXTS_PUBLISHED: ask_again},
    admin_actions=frozenset({NEW_ACTION, EDIT_ACTION, PICK_ACTION, ADMIN_ADD_ACTION})
    | TEXTS_ADMIN_ACTIONS,
    admin_flows=frozenset({PROGRAM_NEW_FLOW.name, PROGRAM_EDIT_FLOW.name, ADMIN_ADD_FLOW.name})
    | TEXTS_ADMIN_FLOWS,
)
