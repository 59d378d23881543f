"""``admin match``: dry run, edit, send, rounds (the answers are in ``features.pairing``).

admin match [run] [slug]      → dry run report (numbered sample, Send button)
admin match remove N | swap N M | pin mentor-email mentee-email
admin match send [slug]       → proposals queued to both sides (+ reminder, expiry)
admin match end email         → that person's active pairings end, no fault
admin match rounds on|off     → a dry run every Monday for rolling enrollment
"""

from __future__ import annotations

from bot.domain.proposals import (
    EXPIRE,
    REMIND,
    SEND,
    ProposalRef,
    reminder_time,
)
from dialogs.core.content import Paragraph
from dialogs.core.events import Outcome
from dialogs.core.feature import Feature, Turn
from dialogs.core.ui import Actions, Button, Message, Section
from dialogs.matching import edits
from dialogs.matching.cards import (
    REVIEW_ACTION,
    SEND_ACTION,
)
from dialogs.matching.flows import (
    end_pairing,
)
from dialogs.matching.jobs import DUE, OUTDATED, ROUTINES
from dialogs.matching.pairing import say_text
from dialogs.matching.report import run_report
from dialogs.programs.replies import not_their_program, program_or_apology
from storage.audit import record_audit
from storage.enqueue import enqueue_due
from storage.enrollment.enrollments import person_by_email
from storage.enrollment.participation import open_programs
from storage.matching.population import skill_labels
from storage.matching.runs import (
    RunSummary,
    active_pairings_of,
    draft_run,
    latest_decline_reasons,
    remove_pins,
    send_proposals,
)
from storage.models import MatchRun, Program
from storage.programs.career_stages import stage_labels
from storage.programs.programs import people_by_id

RUN_ACTION = "matching:run"  # value: program slug


async def _program(turn: Turn, slug: str | None) -> Program | Outcome:
    """The program an admin command is about: named, or the only open one the admin runs,
    or a choice among them. A program admin reaches only their own programs."""
    t = turn.ctx.t
    if not slug and turn.command is not None:
        slug = turn.command.options.get("program")
    if slug:
        program, apology = await program_or_apology(turn, slug)
        return program if program is not None else apology
    programs = [p for p in await open_programs(turn.ctx.session) if turn.ctx.administers(p.id)]
    if len(programs) == 1:
        return programs[0]
    if not programs:
        return turn.reply(say_text(t("No program is open: open one with admin program open.")))
    buttons = tuple(Button(p.name, RUN_ACTION, value=p.slug) for p in programs[:5])
    question = t("Which program?")
    return turn.reply(
        Message(
            (Section((Paragraph.of(question),)), Actions(buttons)),
            summary=question,
            visibility="private",
        )
    )


async def _run_of(turn: Turn, run_id: int) -> tuple[MatchRun, Program] | Outcome:
    """A dry run named by a button, if the admin runs its program."""
    run = await turn.ctx.session.get(MatchRun, run_id)
    program = await turn.ctx.session.get(Program, run.program_id) if run is not None else None
    if run is None or program is None:
        return turn.reply(say_text(turn.ctx.t("This dry run no longer exists.")), close_source=True)
    if not turn.ctx.administers(program.id):
        return not_their_program(turn, program)
    return run, program


async def _report(turn: Turn, program: Program, summary: RunSummary) -> Outcome:
    session = turn.ctx.session
    ids = [i for p in summary.proposals for i in (p.mentor_id, p.mentee_id)]
    stats = summary.run.stats or {}
    ids += [str(u.get("mentee_id")) for u in stats.get("unmatched", [])]
    for warning in stats.get("warnings", []):  # the people a dropped pin or a cycle names
        ids += [str(warning[k]) for k in ("mentor", "mentee") if warning.get(k)]
        ids += [str(p) for p in warning.get("people") or ()]
    people = await people_by_id(session, ids)
    names = {pid: person.display_name for pid, person in people.items()}
    labels = await skill_labels(session)
    declines = await latest_decline_reasons(session, program.id)
    stages = await stage_labels(session)
    return turn.reply(
        run_report(
            turn.ctx.t, program, summary.run, summary.proposals, names, labels, declines, stages
        )
    )


async def match(turn: Turn) -> Outcome:
    ctx, command = turn.ctx, turn.command
    action = command.action if command else None
    args = command.args if command else ()
    t = ctx.t
    if action in (None, "run"):
        return await _dry_run(turn, args[0] if args else None)
    if action == "send":
        return await _send(turn, args[0] if args else None, run_id=None)
    if action == "end":
        return await _admin_end(turn, args)
    if action == "rounds":
        return await _rounds(turn, args)
    found = await _program(turn, command.options.get("program") if command else None)
    if isinstance(found, Outcome):
        return found
    summary = await draft_run(ctx.session, found.id)
    if summary is None:
        return turn.reply(say_text(t("No dry run to edit: type admin match first.")))
    refused: Outcome | None
    if action == "remove" and len(args) == 1 and args[0].isdigit():
        refused = await edits.remove(turn, found, summary, int(args[0]))
    elif action == "swap" and len(args) == 2 and all(a.isdigit() for a in args):
        refused = await edits.swap(turn, found, summary, int(args[0]), int(args[1]))
    elif action == "pin" and len(args) == 2:
        refused = await edits.pin(turn, found, args[0], args[1])
        return refused or await _dry_run(turn, found.slug)
    else:
        usage = t(
            "Usage: admin match remove N, admin match swap N M, or admin match pin "
            "mentor-email mentee-email."
        )
        return turn.reply(say_text(usage))
    if refused is not None:
        return refused
    await ctx.session.flush()
    refreshed = await draft_run(ctx.session, found.id)
    assert refreshed is not None
    return await _report(turn, found, refreshed)


async def _dry_run(turn: Turn, slug: str | None) -> Outcome:
    from dialogs.matching.rounds import dry_run  # numpy and the solver load on first use

    found = await _program(turn, slug)
    if isinstance(found, Outcome):
        return found
    done = await dry_run(
        turn.ctx.session, found.id, created_by=turn.ctx.person.id, now=turn.ctx.now()
    )
    record_audit(
        turn.ctx.session,
        "match.dry_run",
        actor_id=turn.ctx.person.id,
        program_id=found.id,
        details={"run_id": done.run.id, "pairs": len(done.result.pairs)},
    )
    summary = await draft_run(turn.ctx.session, found.id, done.run.id)
    assert summary is not None
    return await _report(turn, found, summary)


async def _send(turn: Turn, slug: str | None, run_id: int | None) -> Outcome:
    ctx, t = turn.ctx, turn.ctx.t
    if run_id is not None:
        named = await _run_of(turn, run_id)
        if isinstance(named, Outcome):
            return named
        found: Program | Outcome = named[1]
    else:
        found = await _program(turn, slug)
    if isinstance(found, Outcome):
        return found
    summary = await draft_run(ctx.session, found.id, run_id)
    if summary is None:
        text = t(
            "Nothing to send: these proposals were sent already, or a newer dry run "
            "replaced them. Type admin match for a new dry run."
        )
        return turn.reply(say_text(text), close_source=run_id is not None)
    now = ctx.now()
    send_proposals(summary.run, summary.proposals, found.proposal_expiry_days, now)
    for proposal in summary.proposals:
        assert proposal.expires_at is not None
        ref = ProposalRef(proposal.id)
        await enqueue_due(ctx.session, SEND, ref, now)
        await enqueue_due(ctx.session, REMIND, ref, reminder_time(now, proposal.expires_at))
        await enqueue_due(ctx.session, EXPIRE, ref, proposal.expires_at)
    pairs = [(p.mentor_id, p.mentee_id) for p in summary.proposals]
    used_pins = await remove_pins(ctx.session, found.id, pairs)
    record_audit(
        ctx.session,
        "match.sent",
        actor_id=ctx.person.id,
        program_id=found.id,
        details={"run_id": summary.run.id, "proposals": len(summary.proposals)},
    )
    sent = t.tn(
        "Sent: {count} proposal for {program}.",
        "Sent: {count} proposals for {program}.",
        len(summary.proposals),
        program=found.name,
    ) + t.tn(
        " Each person has {count} day to answer; I remind them once.",
        " Each person has {count} days to answer; I remind them once.",
        found.proposal_expiry_days,
    )
    if used_pins:
        sent += " " + t.tn(
            "{count} pin used by these proposals is done and cleared.",
            "{count} pins used by these proposals are done and cleared.",
            used_pins,
        )
    return turn.reply(say_text(sent), close_source=run_id is not None)


async def _admin_end(turn: Turn, args: tuple[str, ...]) -> Outcome:
    t, session = turn.ctx.t, turn.ctx.session
    person = await person_by_email(session, args[0]) if args else None
    if person is None:
        return turn.reply(say_text(t("Usage: admin match end email (a person I know).")))
    pairings = [
        p
        for p in await active_pairings_of(session, person.id)
        if turn.ctx.administers(p.program_id)
    ]
    if not pairings:
        return turn.reply(say_text(t("This person has no active pairing.")))
    for pairing in pairings:
        await end_pairing(turn.ctx, pairing, None, by_admin=True)
    return turn.reply(
        say_text(
            t.tn(
                "Ended {count} pairing; both sides are told, no fault.",
                "Ended {count} pairings; both sides are told, no fault.",
                len(pairings),
            )
        )
    )


async def _rounds(turn: Turn, args: tuple[str, ...]) -> Outcome:
    t = turn.ctx.t
    if not args or args[0].lower() not in ("on", "off", "oui", "non"):
        return turn.reply(say_text(t("Usage: admin match rounds on|off [program].")))
    found = await _program(turn, args[1] if len(args) > 1 else None)
    if isinstance(found, Outcome):
        return found
    on = args[0].lower() in ("on", "oui")
    found.rules = {**(found.rules or {}), "rounds": "weekly" if on else None}
    record_audit(
        turn.ctx.session,
        "match.rounds",
        actor_id=turn.ctx.person.id,
        program_id=found.id,
        details={"on": on},
    )
    text = (
        t(
            "Weekly rounds are on: every Monday morning I prepare a dry run for the new "
            "people and ask you to send it."
        )
        if on
        else t("Weekly rounds are off.")
    )
    return turn.reply(say_text(text))


# -- buttons --------------------------------------------------------------------------------


async def run_from_button(turn: Turn) -> Outcome:
    return await _dry_run(turn, turn.inbound.value or None)


async def send_from_button(turn: Turn) -> Outcome:
    value = turn.inbound.value
    return await _send(turn, None, int(value) if value.isdigit() else -1)


async def review(turn: Turn) -> Outcome:
    value = turn.inbound.value
    named = await _run_of(turn, int(value) if value.isdigit() else -1)
    if isinstance(named, Outcome):
        return named
    run, program = named
    summary = await draft_run(turn.ctx.session, run.program_id, run.id)
    if summary is None:
        return turn.reply(say_text(turn.ctx.t("This dry run was sent or replaced already.")))
    return await _report(turn, program, summary)


MATCHING = Feature(
    name="matching",
    commands={"admin match": match},
    actions={
        RUN_ACTION: run_from_button,
        SEND_ACTION: send_from_button,
        REVIEW_ACTION: review,
    },
    due=DUE,
    routines=ROUTINES,
    outdated=OUTDATED,
    admin_actions=frozenset({RUN_ACTION, SEND_ACTION, REVIEW_ACTION}),
)
