"""``admin announce #channel [program]``: a call for volunteers with a *Join* button.

The core never talks to a platform directly: the command queues a due action
(``announce.post``) in the admin's transaction, with the audit event; its handler posts
through the platform's ``ChatChannel.announce``. When the bot is not in that channel, the
admin is told why through the notifier, and nothing is posted.

    admin announce <channel> [slug]
      ├─ channel not understood / unknown ───→ how to name it, or the channels I am in
      ├─ slug unknown / closed ───────────────→ apology
      ├─ several open programs, no slug ──────→ one button per program (announce:pick)
      └─ one program ─→ queue announce.post ─→ "queued" to the admin
                              ├─ posted ─────→ done
                              └─ Unreachable ─→ AnnouncementFailed to the admin
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from bot.domain.announcements import ChannelTarget
from bot.domain.due import DueKind
from bot.domain.notifications import AnnouncementFailed
from dialogs.core.content import Paragraph, Text, UserText
from dialogs.core.events import Outcome
from dialogs.core.feature import DueContext, Feature, Turn
from dialogs.core.i18n import Translator
from dialogs.core.replies import JOIN_ACTION, text_message
from dialogs.core.ui import Actions, Button, Header, Message, Section
from dialogs.notify.delivery import Unreachable
from dialogs.programs.announce_channels import resolve
from dialogs.programs.replies import program_or_apology, say
from storage.audit import record_audit
from storage.enqueue import enqueue_due
from storage.enrollment.enrollments import (
    accepts_enrollment,
    enrolling_programs,
)
from storage.models import Program
from storage.types import new_opaque_id


@dataclass(frozen=True)
class Post:
    """Post the call for volunteers of a program in a channel."""

    platform: str
    tenant_id: str
    channel: str
    label: str  # the channel as the admin named it
    program_id: int
    locale: str
    admin_id: str  # told if the post fails


# The key comes from the caller: one post per request (the inbound event that asked).
POST = DueKind("announce.post", Post)
PICK_ACTION = "announce:pick"  # value: "<slug>\n<channel id>"

log = structlog.get_logger("tandem.announce")


def call_for_volunteers(t: Translator, program_name: str, slug: str) -> Message:
    summary = t("Volunteers wanted for reverse mentoring")
    body = Paragraph(
        (
            Text(t("Join ")),
            UserText(program_name),
            Text(
                t(
                    ": younger colleagues share their digital skills with leaders, and leaders "
                    "share their experience in return. Both sides learn."
                )
            ),
        )
    )
    join = Button(t("Join"), JOIN_ACTION, value=slug, style="primary", opens_form=True)
    return Message(
        (Header(summary), Section((body,)), Actions((join,))),
        summary=summary,
        visibility="conversation",
    )


async def _queue(turn: Turn, target: ChannelTarget, program: Program) -> Outcome:
    ctx, actor = turn.ctx, turn.inbound.actor
    # The console has no shared channels: the post lands in the admin's own view.
    tenant = ctx.person.id if actor.platform == "console" else actor.tenant_id
    key = ":".join(
        (
            "announce",
            str(program.id),
            actor.platform,
            tenant,
            target.channel_id,
            turn.inbound.event_id or new_opaque_id(),
        )
    )
    post = Post(
        platform=actor.platform,
        tenant_id=tenant,
        channel=target.channel_id,
        label=target.label,
        program_id=program.id,
        locale=ctx.locale,
        admin_id=ctx.person.id,
    )
    if await enqueue_due(ctx.session, POST, post, ctx.now(), key=key):
        details = {"platform": actor.platform, "channel": target.channel_id}
        record_audit(
            ctx.session,
            "program.announced",
            actor_id=ctx.person.id,
            program_id=program.id,
            details=details,
        )
    line = Paragraph(
        (
            Text(ctx.t("I am posting the call for volunteers of ")),
            UserText(program.name),
            Text(ctx.t(" in ")),
            UserText(target.label),
            Text(ctx.t(". If I cannot, I will tell you why.")),
        )
    )
    return turn.reply(Message((Section((line,)),), summary=line.plain(), visibility="private"))


async def _announce(turn: Turn, channel_text: str, slug: str | None) -> Outcome:
    ctx, t = turn.ctx, turn.ctx.t
    target = await resolve(turn, channel_text)
    if isinstance(target, Message):
        return turn.reply(target)
    if slug:
        program, apology = await program_or_apology(turn, slug)
        if program is None:
            return apology
        if not accepts_enrollment(program, ctx.now()):
            return say(turn, t("This program is not open for enrollment:"), program.name)
        return await _queue(turn, target, program)
    programs = [
        p for p in await enrolling_programs(ctx.session, ctx.now()) if ctx.administers(p.id)
    ]
    if not programs:
        return turn.reply(text_message(t("No program is open for enrollment right now.")))
    if len(programs) == 1:
        return await _queue(turn, target, programs[0])
    question = t("Several programs are open. Which one should I announce?")
    buttons = tuple(
        # The channel as resolved: the answer may come from another conversation ("here").
        Button(p.name, PICK_ACTION, value=f"{p.slug}\n{target.channel_id}")
        for p in programs[:5]
    )
    return turn.reply(
        Message(
            (Section((Paragraph.of(question),)), Actions(buttons)),
            summary=question,
            visibility="private",
        )
    )


async def announce_command(turn: Turn) -> Outcome:
    """``admin announce`` alone names the channel it is typed in (Teams), if any."""
    args = turn.command.args if turn.command else ()
    return await _announce(turn, args[0] if args else "", args[1] if len(args) > 1 else None)


async def pick(turn: Turn) -> Outcome:
    """The answer to "which program?" (the core refuses non-admins: ``admin_actions``)."""
    slug, _, channel_text = turn.inbound.value.partition("\n")
    outcome = await _announce(turn, channel_text, slug)
    return Outcome(outcome.locale, messages=outcome.messages, close_source=True)


async def post_call(due: DueContext, p: Post) -> None:
    """Post the call for volunteers; the admin who asked is told if it cannot be posted."""
    async with due.database.unit_of_work() as session:
        program = await session.get(Program, p.program_id)
        name, slug = (program.name, program.slug) if program else ("", "")
    if program is None:
        log.info("announce.skipped", reason="program gone")
        return
    message = call_for_volunteers(Translator(p.locale), name, slug)
    channel = due.notifier.channels.get(p.platform)
    try:
        if channel is None:
            raise Unreachable("platform not connected")
        await channel.announce(p.tenant_id, p.channel, message)
    except Unreachable as exc:
        log.warning("announce.unreachable", platform=p.platform, reason=exc.reason)
        failed = AnnouncementFailed(channel=p.label, program_name=name, reason=exc.reason)
        async with due.database.unit_of_work() as session:
            record_audit(
                session,
                "program.announce_failed",
                actor_id=p.admin_id,
                program_id=p.program_id,
                details={"platform": p.platform, "channel": p.channel, "reason": exc.reason},
            )
            await due.notifier.notify(
                session, p.admin_id, failed, key=f"{due.key}:failed", proactive=False
            )


ANNOUNCE = Feature(
    name="announce",
    commands={"admin announce": announce_command},
    actions={PICK_ACTION: pick},
    due={POST: post_call},
    admin_actions=frozenset({PICK_ACTION}),
)
