"""A thank-you from the mentee to the mentor: ``thanks`` (``merci``) at any time, or the
*Say thank you* button offered when the pairing closes (``offer_thanks``).

    thanks / button ─┬─ not a mentee ─────────→ "only a mentee thanks their mentor"
                     ├─ several mentors ──────→ one button per mentor (value: pairing)
                     └─ one pairing ─→ write --submit--> stored + sent to the mentor
                                        (empty or too long keeps the step: nothing stored)
The mentor receives it privately, the mentee's words shown inert (``UserText``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.recognition import (
    THANKS_MAX_CHARS,
    ThanksOffered,
    ThanksReceived,
    may_thank,
    thanks_problem,
)
from dialogs.core.content import Paragraph, PersonRef, Text
from dialogs.core.events import Outcome
from dialogs.core.feature import Turn
from dialogs.core.flow import Flow, FlowContext, Step, Transition, text_value
from dialogs.core.i18n import N_
from dialogs.core.names import shown_name
from dialogs.core.replies import text_message
from dialogs.core.ui import (
    ActionRef,
    Actions,
    Button,
    FieldValue,
    Form,
    Message,
    Section,
    TextField,
)
from dialogs.recognition.cards import THANK_ACTION
from dialogs.sessions.news import tell
from storage.models import Pairing, Person, Program
from storage.recognition import add_recognition, thankable_pairings

THANKS_FLOW_NAME = "recognition_thanks"
MAX_CHOICES_SHOWN = 5
PROBLEMS = {
    "empty": N_("Write a few words of thanks."),
    "too_long": N_("Keep it under {limit} characters."),
}


def _say(text: str) -> Message:
    return text_message(text)


async def thank(turn: Turn) -> Outcome:
    """``thanks``, or a *Say thank you* button (its value: the pairing)."""
    ctx, t = turn.ctx, turn.ctx.t
    choices = [
        (pairing, program, mentor)
        for pairing, program, mentor in await thankable_pairings(ctx.session, ctx.person.id)
        if may_thank(ctx.person.id, pairing.mentee_id, pairing.status)
    ]
    wanted = turn.inbound.value.strip()
    if wanted:
        choices = [c for c in choices if str(c[0].id) == wanted]
        if not choices:  # someone else's button, or a pairing that is not theirs
            return turn.reply(_say(t("Only a mentee can thank their mentor, from their pairing.")))
    if not choices:
        return turn.reply(_say(t("Only a mentee can thank their mentor, from their pairing.")))
    if len(choices) > 1:
        question = t("Which mentor would you like to thank?")
        buttons = tuple(
            Button(shown_name(mentor), THANK_ACTION, value=str(p.id), opens_form=True)
            for p, _, mentor in choices[:MAX_CHOICES_SHOWN]
        )
        return turn.reply(
            Message(
                (Section((Paragraph.of(question),)), Actions(buttons)),
                summary=question,
                visibility="private",
            )
        )
    pairing = choices[0][0]
    return await turn.start(THANKS_FLOW_NAME, opener=THANK_ACTION, data={"pairing_id": pairing.id})


def thanks_form(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Form:
    t = ctx.t
    return Form(
        title=t("Thank your mentor"),
        ref=ref,
        fields=(
            TextField(
                "message",
                t("Your words"),
                multiline=True,
                max_length=THANKS_MAX_CHARS,
                hint=t("Only your mentor reads them."),
            ),
        ),
        submit_label=t("Send"),
        intro=(Paragraph.of(t("What did you learn, what will you keep doing?")),),
    )


async def submit_thanks(
    ctx: FlowContext, data: Mapping[str, Any], values: Mapping[str, FieldValue]
) -> Transition:
    t = ctx.t
    pairing = await ctx.session.get(Pairing, int(data.get("pairing_id", 0)))
    if pairing is None or not may_thank(ctx.person.id, pairing.mentee_id, pairing.status):
        return Transition(
            message=_say(t("Only a mentee can thank their mentor, from their pairing."))
        )
    words = text_value(values, "message")
    problem = thanks_problem(words)
    if problem is not None:
        return Transition(errors={"message": t(PROBLEMS[problem], limit=THANKS_MAX_CHARS)})
    program = await ctx.session.get(Program, pairing.program_id)
    row = add_recognition(
        ctx.session,
        kind="thanks",
        to_id=pairing.mentor_id,
        from_id=ctx.person.id,
        pairing_id=pairing.id,
        text=words,
        at=ctx.now(),
    )
    await ctx.session.flush()
    received = ThanksReceived((ctx.person.id,), program.name if program else "", words)
    # Through the queue: the mentor's quiet hours apply (a thank-you at 22:00 waits).
    key = f"recognition:thanks:{row.id}"
    await tell(ctx.session, pairing.mentor_id, received, key=key, at=ctx.now())
    mentor = await ctx.session.get(Person, pairing.mentor_id)
    done = Paragraph(
        (Text(t("Thank you: ")), PersonRef(pairing.mentor_id, shown_name(mentor)),
         Text(t(" will receive your words privately.")))
    )  # fmt: skip
    return Transition(
        message=Message((Section((done,)),), summary=done.plain(), visibility="private")
    )


async def offer_thanks(
    session: AsyncSession, pairing: Pairing, program_name: str, now: datetime
) -> None:
    """Offer the mentee a *Say thank you* card for this pairing (once per pairing: the key).

    In the caller's transaction, for whoever closes a pairing (the closing review); the
    recognition close (``pairing_closed``) already calls it."""
    offered = ThanksOffered(pairing.id, (pairing.mentor_id,), program_name)
    await tell(session, pairing.mentee_id, offered, key=f"recognition:offer:{pairing.id}", at=now)


THANKS_FLOW = Flow(
    name=THANKS_FLOW_NAME,
    first_step="write",
    steps={"write": Step("write", thanks_form, submit_thanks)},
    example={"pairing_id": 1},
)
