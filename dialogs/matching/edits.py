"""An admin's edits of a dry run: pin, swap, remove. Each is held to the program's hard rules
(``bot.matching.pins``): a pin or a swap that would break one is refused with the reason and
changes nothing; a swapped pair is re-scored and re-explained like any other pair.

What an admin changed is for admins' eyes: people's proposal cards leave it out
(``reasons.for_people``).
"""

from __future__ import annotations

from dialogs.core.events import Outcome
from dialogs.core.feature import Turn
from dialogs.matching.pairing import say_text
from dialogs.matching.reasons import rule_words
from storage.audit import record_audit
from storage.enrollment.enrollments import person_by_email
from storage.matching.population import load_program_population
from storage.matching.runs import RunSummary, add_pin, by_number, edit_pair, remove_pins
from storage.models import Program
from storage.programs.programs import people_by_id


async def pin(turn: Turn, program: Program, mentor_email: str, mentee_email: str) -> Outcome | None:
    """Pin a mentor to a mentee if the pair may be made; None when pinned (the caller runs
    a new dry run), the refusal otherwise."""
    from bot.matching.edits import pin_obstacles  # NumPy loads where matching runs

    t, session = turn.ctx.t, turn.ctx.session
    mentor = await person_by_email(session, mentor_email)
    mentee = await person_by_email(session, mentee_email)
    if mentor is None or mentee is None or mentor.id == mentee.id:
        return turn.reply(say_text(t("Name a mentor's and a mentee's email, both known to me.")))
    loaded = await load_program_population(session, program.id, now=turn.ctx.now())
    broken = pin_obstacles(loaded.population, loaded.rules, mentor.id, mentee.id)
    if broken:
        text = t(
            "I cannot pin {mentor} with {mentee}: {rules}. A pin is a preference and never "
            "overrides the program's rules. Nothing changed.",
            mentor=mentor.display_name,
            mentee=mentee.display_name,
            rules=rule_words(broken, t),
        )
        return turn.reply(say_text(text))
    await add_pin(session, program.id, mentor.id, mentee.id, turn.ctx.person.id)
    record_audit(
        session,
        "match.pinned",
        actor_id=turn.ctx.person.id,
        program_id=program.id,
        details={"mentor": mentor.id, "mentee": mentee.id},
    )
    return None


async def swap(
    turn: Turn, program: Program, summary: RunSummary, first: int, second: int
) -> Outcome | None:
    """Give each of two draft pairs the other's mentor, if both new pairs may be made; None
    when done (the caller shows the dry run again), the refusal otherwise."""
    from bot.matching.edits import edit_pairs  # NumPy loads where matching runs

    t, session = turn.ctx.t, turn.ctx.session
    a, b = by_number(summary, first), by_number(summary, second)
    if a is None or b is None or a is b:
        return turn.reply(say_text(t("Name two different pairs of the dry run, e.g. swap 1 2.")))
    loaded = await load_program_population(session, program.id, now=turn.ctx.now())
    wanted = [(b.mentor_id, a.mentee_id), (a.mentor_id, b.mentee_id)]
    edited = edit_pairs(loaded.population, loaded.rules, loaded.weights, wanted)
    if edited.broken:
        mentor_id, mentee_id, broken = edited.broken[0]
        people = await people_by_id(session, [mentor_id, mentee_id])
        names = {pid: p.display_name for pid, p in people.items()}
        text = t(
            "I cannot swap pairs {first} and {second}: {mentor} with {mentee} would break a "
            "rule ({rules}). Nothing changed.",
            first=first,
            second=second,
            mentor=names.get(mentor_id, "—"),
            mentee=names.get(mentee_id, "—"),
            rules=rule_words(broken, t),
        )
        return turn.reply(say_text(text))
    for proposal, pair in zip((a, b), edited.pairs, strict=True):
        edit_pair(proposal, pair.mentor_id, pair.score, list(pair.reasons))
    record_audit(
        session,
        "match.pairs_swapped",
        actor_id=turn.ctx.person.id,
        program_id=program.id,
        details={"proposals": [a.id, b.id]},
    )
    return None


async def remove(turn: Turn, program: Program, summary: RunSummary, number: int) -> Outcome | None:
    """Take a pair out of the dry run; a pin that made it goes too (the admin removed it)."""
    proposal = by_number(summary, number)
    if proposal is None:
        text = turn.ctx.t("There is no pair {n} in the dry run.").format(n=number)
        return turn.reply(say_text(text))
    proposal.status = "removed"
    await remove_pins(turn.ctx.session, program.id, [(proposal.mentor_id, proposal.mentee_id)])
    record_audit(
        turn.ctx.session,
        "match.pair_removed",
        actor_id=turn.ctx.person.id,
        program_id=program.id,
        details={"proposal_id": proposal.id},
    )
    return None
