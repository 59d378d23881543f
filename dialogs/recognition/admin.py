"""``admin recognition [program]``: what the program gave its mentors, per mentor; and
``admin recognition channel <channel> [program]``: where shout-outs are posted.

Program admins see their programs; the grammar refuses everyone else ("admin" words).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from dialogs.core.content import Paragraph, Text, UserText
from dialogs.core.events import Outcome
from dialogs.core.feature import Turn
from dialogs.core.i18n import N_, Translator
from dialogs.core.names import shown_name
from dialogs.core.ui import Facts, Header, Message, Section
from dialogs.programs.announce_channels import resolve
from dialogs.programs.replies import program_or_apology, programs_in_scope, say
from storage.audit import record_audit
from storage.models import Program
from storage.programs.programs import people_by_id
from storage.recognition import MentorTally, choose_channel, shout_out_channel, tallies

MAX_MENTORS_SHOWN = 40  # one Facts block; the rest is counted, not listed
MAX_PROGRAMS_SHOWN = 5  # a line each (a Slack message holds 50 blocks)


async def _programs(turn: Turn, slug: str | None) -> list[Program] | Outcome:
    if slug:
        program, apology = await program_or_apology(turn, slug)
        return [program] if program is not None else apology
    return await programs_in_scope(turn)


async def recognition_command(turn: Turn) -> Outcome:
    command = turn.command
    args = command.args if command else ()
    if command is not None and command.action == "channel":
        return await _choose(turn, args[0] if args else "", args[1] if len(args) > 1 else None)
    return await _listing(turn, args[0] if args else None)


async def _choose(turn: Turn, typed: str, slug: str | None) -> Outcome:
    ctx, t = turn.ctx, turn.ctx.t
    target = await resolve(turn, typed)
    if isinstance(target, Message):
        return turn.reply(target)
    found = await _programs(turn, slug)
    if isinstance(found, Outcome):
        return found
    if len(found) != 1:
        known = ", ".join(p.slug for p in found) or "—"
        return say(turn, t("Name the program after the channel. Programs:"), known)
    program, actor = found[0], turn.inbound.actor
    tenant = ctx.person.id if actor.platform == "console" else actor.tenant_id
    choose_channel(
        program,
        {"platform": actor.platform, "tenant_id": tenant, "channel": target.channel_id,
         "label": target.label, "locale": ctx.locale, "admin_id": ctx.person.id},
    )  # fmt: skip
    record_audit(
        ctx.session, "recognition.channel", actor_id=ctx.person.id, program_id=program.id,
        details={"platform": actor.platform, "channel": target.channel_id}, at=ctx.now(),
    )  # fmt: skip
    line = Paragraph(
        (Text(t("Shout-outs for mentors of ")), UserText(program.name), Text(t(" go to ")),
         UserText(target.label), Text(t(", once each mentor agrees.")))
    )  # fmt: skip
    return turn.reply(Message((Section((line,)),), summary=line.plain(), visibility="private"))


async def _listing(turn: Turn, slug: str | None) -> Outcome:
    ctx, t = turn.ctx, turn.ctx.t
    found = await _programs(turn, slug)
    if isinstance(found, Outcome):
        return found
    if not found:
        return say(turn, t("You run no program yet."))
    rows = await tallies(ctx.session, [p.id for p in found])
    people = await people_by_id(ctx.session, [r.mentor_id for r in rows])
    names = {pid: shown_name(person) for pid, person in people.items()}
    return turn.reply(recognition_report(t, found, rows, names))


def _counts(t: Translator, counts: Counter[str], msgid: str) -> str:
    return t(
        msgid,
        thanks=counts["thanks"],
        certificates=counts["certificate"],
        shout_outs=counts["shout_out"],
        notes=counts["manager_note"],
    )


def recognition_report(
    t: Translator, programs: Sequence[Program], rows: Sequence[MentorTally],
    names: Mapping[str, str],
) -> Message:  # fmt: skip
    """Per program, where shout-outs go; per mentor, what was sent; the totals."""
    title = t("Recognition of mentors")
    blocks: list[Header | Section | Facts] = [Header(title)]
    for program in programs[:MAX_PROGRAMS_SHOWN]:
        where = shout_out_channel(program)
        line = Paragraph(
            (UserText(program.name), Text(t(": shout-outs go to ")),
             UserText(str(where["label"])) if where else Text(t("no channel chosen yet")),
             Text("."))
        )  # fmt: skip
        blocks.append(Section((line,)))
    if not rows:
        blocks.append(Section((Paragraph.of(t("Nothing was sent to mentors yet.")),)))
        return Message(tuple(blocks), summary=title, visibility="private")
    # Names as text, not mentions: a listing must not ping every mentor.
    per_mentor = N_(
        "thanks: {thanks} · certificates: {certificates} · shout-outs: {shout_outs} · "
        "notes to the manager: {notes}"
    )
    items = tuple(
        (names.get(row.mentor_id, "—"), Paragraph((Text(_counts(t, row.counts, per_mentor)),)))
        for row in rows[:MAX_MENTORS_SHOWN]
    )
    blocks.append(Facts(items))
    if len(rows) > MAX_MENTORS_SHOWN:
        more = t("Mentors not listed: {count}.", count=len(rows) - MAX_MENTORS_SHOWN)
        blocks.append(Section((Paragraph.of(more),)))
    totals: Counter[str] = Counter()
    for row in rows:
        totals.update(row.counts)
    in_all = N_(
        "In all: thanks: {thanks} · certificates: {certificates} · shout-outs: "
        "{shout_outs} · notes to managers: {notes}"
    )
    blocks.append(Section((Paragraph.of(_counts(t, totals, in_all)),)))
    return Message(tuple(blocks), summary=title, visibility="private")
