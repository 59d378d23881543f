"""``admin sessions [program]``: who meets, who drifts, and who the bot could not reach.

Per pair: sessions planned / held / skipped and nudges sent / unanswered, at-risk pairs
first; then the people no platform would deliver to, with the platform's reason in words.
Short enough for a phone: the longest lists stop with a count of what is left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dialogs.core.content import Inline, Paragraph, PersonRef, Text, UserText
from dialogs.core.events import Outcome
from dialogs.core.feature import Feature, Turn
from dialogs.core.i18n import N_, Translator
from dialogs.core.ui import Button, Header, Message, Section
from dialogs.feedback.pulse_cards import follow_up_mark
from dialogs.programs.replies import picker, program_or_apology, programs_in_scope, say
from dialogs.sessions.free_busy import FREE_BUSY
from storage.feedback.pulse import visible_concerns
from storage.models import Program
from storage.programs.programs import people_by_id
from storage.sessions.nudges import PairTally, tallies
from storage.sessions.reach import Unreached, unreachable_in

SESSIONS_ACTION = "sessions:admin"  # value: program slug (admins)
MAX_PAIRS = 15
MAX_UNREACHED = 10
# What the platforms answered, in words an admin acts on (others are shown as they came).
REACH_REASONS = {
    "cannot_dm_bot": N_("blocked the app"),
    "channel_not_found": N_("blocked the app"),
    "Teams answered 403": N_("blocked the app"),
    "user_not_found": N_("left the workspace"),
    "account_inactive": N_("left the workspace"),
    "Teams answered 404": N_("left the workspace"),
    "no Teams conversation reference": N_("Teams app not installed"),
}


def reason_words(t: Translator, reason: str | None) -> Inline:
    if reason is None:
        return Text(t("reason unknown"))
    known = REACH_REASONS.get(reason)
    return Text(t(known)) if known is not None else UserText(reason)


def _pair_line(
    t: Translator, tally: PairTally, names: Mapping[str, str], follow_up: str | None = None
) -> Paragraph:
    pairing = tally.pairing
    counts = t(
        "planned {planned} · held {held} · skipped {skipped} · nudges {nudges}"
        " ({ignored} unanswered)",
        planned=tally.planned,
        held=tally.held,
        skipped=tally.skipped,
        nudges=tally.nudges,
        ignored=tally.ignored,
    )
    parts: list[Inline] = [
        PersonRef(pairing.mentor_id, names.get(pairing.mentor_id, "—")),
        Text(" ↔ "),
        PersonRef(pairing.mentee_id, names.get(pairing.mentee_id, "—")),
        Text(" — " + counts),
    ]
    if tally.at_risk:
        parts.append(Text(" — " + t("at risk"), strong=True))
    if follow_up is not None:
        parts.append(Text(" — " + follow_up_mark(t, follow_up), strong=True))
    return Paragraph(tuple(parts))


def sessions_report(
    t: Translator,
    program: Program,
    pairs: Sequence[PairTally],
    names: Mapping[str, str],
    unreached: Sequence[Unreached],
    calendars: Mapping[str, int] | None = None,
    follow_up: Mapping[int, str] | None = None,
) -> Message:
    """The report an admin reads (a pure function: the platform-limits test renders it).
    ``calendars``: the free/busy reader's outcomes since start, when a provider is set.
    ``follow_up``: pairing id -> the last pulse's concern or talk, only for pairs whose
    pulse this reader may read (``storage.feedback.pulse.readers_of``)."""
    title = t("Sessions")
    follow_up = follow_up or {}
    at_risk = [p for p in pairs if p.at_risk]
    flagged = [p for p in pairs if p.at_risk or p.pairing.id in follow_up]
    ordered = flagged + [p for p in pairs if p not in flagged]
    head = Paragraph(
        (
            UserText(program.name),
            Text(
                " — "
                + t.tn("{count} active pair", "{count} active pairs", len(pairs))
                + ", "
                + t.tn("{count} at risk", "{count} at risk", len(at_risk))
            ),
        )
    )
    lines = [_pair_line(t, p, names, follow_up.get(p.pairing.id)) for p in ordered[:MAX_PAIRS]]
    if not pairs:
        lines.append(Paragraph.of(t("No active pair in this program yet.")))
    if len(ordered) > MAX_PAIRS:
        left = len(ordered) - MAX_PAIRS
        lines.append(
            Paragraph.of(t.tn("… and {count} more pair.", "… and {count} more pairs.", left))
        )
    blocks: list[Header | Section] = [Header(title), Section((head, *lines))]
    reach = [Paragraph((Text(t("Could not reach:"), strong=True),))]
    for person in unreached[:MAX_UNREACHED]:
        reach.append(
            Paragraph(
                (
                    PersonRef(person.person.id, person.person.display_name),
                    Text(" (" + ", ".join(person.platforms) + ") — "),
                    reason_words(t, person.reason),
                )
            )
        )
    if not unreached:
        reach.append(Paragraph.of(t("Everyone was reached.")))
    if len(unreached) > MAX_UNREACHED:
        left = len(unreached) - MAX_UNREACHED
        more = t.tn("… and {count} more person.", "… and {count} more people.", left)
        reach.append(Paragraph.of(more))
    blocks.append(Section(tuple(reach)))
    if calendars:
        blocks.append(Section((calendar_line(t, calendars),)))
    return Message(tuple(blocks), summary=title, visibility="private")


def calendar_line(t: Translator, outcomes: Mapping[str, int]) -> Paragraph:
    """How often people's calendars were read, and why they were not (then their
    availability windows were used): the people never see a provider fail."""
    why = {
        "denied": t("refused"),
        "not_found": t("unknown address"),
        "timeout": t("too slow"),
        "throttled": t("asked to wait"),
        "error": t("failed"),
    }
    fell = {r: n for r, n in outcomes.items() if r != "read" and n}
    text = t("Calendars since this server started: {read} read, {fell} fell back to the "
             "availability windows", read=t.number(outcomes.get("read", 0)),
             fell=t.number(sum(fell.values())))  # fmt: skip
    if fell:
        text += (
            " ("
            + ", ".join(f"{why.get(r, r)} {t.number(n)}" for r, n in sorted(fell.items()))
            + ")"
        )
    return Paragraph.of(text + ".")


async def _program(turn: Turn, slug: str | None) -> Program | Outcome:
    """The program named, else the only one the admin runs, else a one-click choice."""
    if slug:
        program, apology = await program_or_apology(turn, slug)
        return program if program is not None else apology
    programs = [p for p in await programs_in_scope(turn) if p.status in ("open", "running")]
    if len(programs) == 1:
        return programs[0]
    t = turn.ctx.t
    if not programs:
        return say(turn, t("No program is open: open one with admin program open."))
    buttons = [Button(p.name, SESSIONS_ACTION, value=p.slug) for p in programs[:5]]
    return turn.reply(picker(t("Which program?"), buttons))


async def _show(turn: Turn, slug: str | None) -> Outcome:
    found = await _program(turn, slug)
    if isinstance(found, Outcome):
        return found
    session = turn.ctx.session
    pairs = await tallies(session, found.id)
    people = await people_by_id(
        session, [i for p in pairs for i in (p.pairing.mentor_id, p.pairing.mentee_id)]
    )
    names = {pid: p.display_name for pid, p in people.items() if p.erased_at is None}
    unreached = await unreachable_in(session, found.id)
    reader = FREE_BUSY.reader
    calendars = dict(reader.outcomes) if reader is not None else None
    follow_up = await visible_concerns(
        session, found.id, turn.ctx.person.id, turn.ctx.deployment_admins
    )
    return turn.reply(
        sessions_report(turn.ctx.t, found, pairs, names, unreached, calendars, follow_up)
    )


async def sessions(turn: Turn) -> Outcome:
    command = turn.command
    slug = command.args[0] if command and command.args else None
    if slug is None and command is not None:
        slug = command.options.get("program")
    return await _show(turn, slug)


async def sessions_from_button(turn: Turn) -> Outcome:
    return await _show(turn, turn.inbound.value or None)


ADMIN_SESSIONS = Feature(
    "admin_sessions",
    commands={"admin sessions": sessions},
    actions={SESSIONS_ACTION: sessions_from_button},
    admin_actions=frozenset({SESSIONS_ACTION}),
)
