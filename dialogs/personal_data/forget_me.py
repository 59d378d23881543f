"""``forget me`` (``oublie-moi``): erase everything Tandem keeps about the person who asks.

confirm --click(cancel)--> nothing changes
        --click(erase)---> FORGET_ME (due now) ──► shout-outs about them deleted from their
            channels (Slack chat.delete, Teams delete activity), their files deleted from
            Slack (files.delete), then the same erasure as ``tandem forget``
            (``storage.erasure``), then one last message: done, and they are unknown now.

The platform calls come first and outside any transaction: a failure there retries the
action before anything is erased, so nothing is left behind where the database has no
more trace of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.personal_data import FORGET_ME, ForgetMe
from dialogs.core.content import Paragraph
from dialogs.core.events import Outcome
from dialogs.core.feature import DueContext, Turn
from dialogs.core.flow import Flow, FlowContext, Step, Transition
from dialogs.core.i18n import Translator
from dialogs.core.replies import text_message
from dialogs.core.ui import ActionRef, Actions, Button, Header, Message, Section
from dialogs.notify.delivery import ChatChannel, Recipient, Unreachable
from storage.enqueue import enqueue_due
from storage.erasure import PersonNotFound, forget_person_by_id
from storage.files import posts_about, slack_files_of
from storage.models import Person, PlatformIdentity

log = structlog.get_logger("tandem.forget_me")

FORGET_ME_ACTION = "privacy:forget-me"
ERASE, CANCEL = "erase", "cancel"


@runtime_checkable
class DeletesMessages(Protocol):
    async def delete(self, tenant_id: str, conversation_id: str, message_id: str) -> None: ...


@runtime_checkable
class DeletesFiles(Protocol):
    async def delete_file(self, tenant_id: str, file_id: str) -> None: ...


def confirm_card(ctx: FlowContext, data: Mapping[str, Any], ref: ActionRef) -> Message:
    t = ctx.t
    title = t("Forget me")
    paragraphs = (
        Paragraph.of(t("If you confirm, I erase for good everything I keep about you:")),
        Paragraph.of(
            t(
                "your name, email and profile; your enrollments and the answers you gave; "
                "your goals and feedback texts; your conversations with me; the files I "
                "sent you; and the thank-you posts about you in channels."
            )
        ),
        Paragraph.of(
            t(
                "Your pairings end and your next sessions are cancelled (your partners are "
                "told). Counts in the program's reports stay, with no name. This cannot be "
                "undone: if you come back, I will not know you."
            )
        ),
    )
    buttons = (
        Button(t("Erase my data"), ERASE, ref=ref, style="danger"),
        Button(t("Cancel"), CANCEL, ref=ref),
    )
    return Message(
        (Header(title), Section(paragraphs), Actions(buttons)), summary=title, visibility="private"
    )


async def decide(ctx: FlowContext, data: Mapping[str, Any], action: str, value: str) -> Transition:
    t = ctx.t
    if action == CANCEL:
        return Transition(message=text_message(t("Nothing was erased: I keep your data.")))
    if action != ERASE:
        return Transition(errors={"action": t("Choose Erase my data or Cancel.")})
    await enqueue_due(ctx.session, FORGET_ME, ForgetMe(ctx.person.id, ctx.locale), ctx.now())
    # No message now: the one answer comes once the erasure is done (``forget_me``).
    return Transition()


FORGET_ME_FLOW = Flow(
    name="forget_me",
    first_step="confirm",
    steps={"confirm": Step("confirm", card=confirm_card, act=decide)},
)


async def ask_to_confirm(turn: Turn) -> Outcome:
    return await turn.start(FORGET_ME_FLOW.name, opener=FORGET_ME_ACTION)


def done_message(t: Translator) -> Message:
    return text_message(
        t(
            "Done: I have erased everything I kept about you. I no longer know who you are; "
            "if you write to me again, I will meet you as someone new."
        ),
        visibility="conversation",
    )


async def _recipients(session: AsyncSession, person: Person, locale: str) -> list[Recipient]:
    """Where the last message goes, read before the identities are erased."""
    identities = await session.scalars(
        select(PlatformIdentity).where(
            PlatformIdentity.person_id == person.id, PlatformIdentity.reachable.is_(True)
        )
    )
    ordered = sorted(identities, key=lambda i: i.platform != person.preferred_platform)
    return [
        Recipient(
            person_id=person.id,
            platform=identity.platform,  # type: ignore[arg-type]
            tenant_id=identity.tenant_id,
            user_id=identity.user_id,
            locale=locale,
            timezone=person.timezone or "UTC",
            conversation_ref=identity.conversation_ref,
        )
        for identity in ordered
    ]


async def _delete_post(channels: Mapping[str, ChatChannel], posted: Mapping[str, Any]) -> None:
    """Delete one shout-out or note (``Recognition.posted``) from its channel."""
    platform = str(posted.get("platform", ""))
    channel = channels.get(platform)
    message_id = str(posted.get("ts") or posted.get("activity_id") or "")
    conversation = str(posted.get("channel", ""))
    if not isinstance(channel, DeletesMessages) or not message_id or not conversation:
        log.warning("forget_me.post_not_deleted", platform=platform, reason="no channel")
        return
    tenant = str(posted.get("team_id") or posted.get("tenant_id") or "")
    await channel.delete(tenant, conversation, message_id)


async def forget_me(due: DueContext, payload: ForgetMe) -> None:
    """The FORGET_ME handler: platforms first, then the database, then the last word."""
    channels = due.notifier.channels
    async with due.database.unit_of_work() as session:
        person = await session.get(Person, payload.person_id)
        if person is None or person.erased_at is not None:
            return  # done already (a retry after the erasure committed)
        posts = await posts_about(session, person.id)
        files = await slack_files_of(session, person.id)
        recipients = await _recipients(session, person, payload.locale)
    for posted in posts:
        await _delete_post(channels, posted)
    slack = channels.get("slack")
    for uploaded in files:
        if isinstance(slack, DeletesFiles):
            await slack.delete_file(uploaded.team_id, uploaded.file_id)
    try:
        await forget_person_by_id(
            due.database, payload.person_id, payload.person_id, now=due.notifier.clock.now()
        )
    except PersonNotFound:
        return
    message = done_message(Translator(payload.locale))
    for recipient in recipients:
        channel = channels.get(recipient.platform)
        if channel is None:
            continue
        try:
            await channel.send(recipient, message)
        except Unreachable as exc:
            log.info("forget_me.goodbye_not_sent", platform=recipient.platform, reason=exc.reason)
            continue
        return
