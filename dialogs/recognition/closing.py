"""What the program gives a mentor when a pairing closes, and what their consent allows.

pairing_closed(pairing) ─→ recognition.closed (once per pairing)
    ├─ the mentee: "Say thank you" (offer_thanks)
    └─ earned (completed, or ended after MIN_HELD_SESSIONS held)
          ├─ certificate: PDF + PNG in the mentor's language (rendered off the loop),
          │   stored as StoredFile rows, a Recognition("certificate"), sent to the mentor
          └─ "May we thank you publicly?"  yes ─┬─ recognition.shout_out → the channel
                                               └─ a note to the manager (their language)
                                           no ──→ nothing public, nothing to the manager
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.due import DueKind
from bot.domain.files import link_expiry
from bot.domain.recognition import (
    CLOSED,
    SHOUT_OUT,
    CertificateFacts,
    CertificateReady,
    ManagerNote,
    PairingClosed,
    PublicThanksAsked,
    ShoutOut,
    ShoutOutFailed,
    certificate_filename,
    earns_certificate,
    goes_public,
    parse_consent,
)
from dialogs.core.events import Outcome
from dialogs.core.feature import DueContext, DueHandler, Turn
from dialogs.core.i18n import Translator
from dialogs.core.names import shown_name
from dialogs.core.replies import text_message
from dialogs.core.ui import MessageRef
from dialogs.files import file_keys
from dialogs.notify.delivery import Unreachable
from dialogs.recognition.cards import shout_out
from dialogs.recognition.certificate import render_certificate
from dialogs.recognition.thanks import offer_thanks
from dialogs.sessions.news import tell
from storage.audit import record_audit
from storage.enqueue import enqueue_due
from storage.files import store_file
from storage.matching.population import skill_labels
from storage.models import Pairing, Person, Program, Recognition
from storage.recognition import (
    add_recognition,
    consent_given,
    held_sessions,
    reader_locale,
    recognitions_of,
    record_consent,
    shout_out_channel,
    skills_taught,
)

log = structlog.get_logger("tandem.recognition")


async def pairing_closed(session: AsyncSession, pairing_id: int, now: datetime) -> bool:
    """Call when a pairing is completed or ended (in that transaction): queues what the
    program gives its mentor and the thank-you offered to its mentee; once per pairing."""
    return await enqueue_due(session, CLOSED, PairingClosed(pairing_id), now)


def _local_day(at: datetime, zone: str) -> date:
    try:
        return at.astimezone(ZoneInfo(zone)).date()
    except (KeyError, ValueError):
        return at.date()


async def _facts(
    session: AsyncSession, pairing: Pairing, program: Program, mentor: Person, locale: str,
    now: datetime,
) -> CertificateFacts:  # fmt: skip
    labels = Translator(locale).labels(await skill_labels(session))
    keys = await skills_taught(session, pairing)
    zone = program.timezone
    return CertificateFacts(
        locale=locale,
        mentor_name=shown_name(mentor),
        program_name=program.name,
        started_on=_local_day(pairing.started_at, zone),
        ended_on=_local_day(pairing.ended_at or now, zone),
        skills=tuple(labels.get(k, k) for k in keys),
        issued_on=_local_day(now, zone),
        held_sessions=await held_sessions(session, pairing.id),
    )


async def recognise(due: DueContext, payload: PairingClosed) -> None:
    now = due.due_at
    async with due.database.unit_of_work(immediate=True) as session:
        pairing = await session.get(Pairing, payload.pairing_id)
        if pairing is None or pairing.status not in ("ended", "completed"):
            log.info("recognition.skipped", pairing_id=payload.pairing_id, reason="not closed")
            return
        program = await session.get(Program, pairing.program_id)
        mentor = await session.get(Person, pairing.mentor_id)
        if program is None or mentor is None:
            return
        await offer_thanks(session, pairing, program.name, now)
        held = await held_sessions(session, pairing.id)
        if not earns_certificate(pairing.status, held) or mentor.erased_at is not None:
            return
        if await recognitions_of(session, pairing.id, "certificate"):
            return  # a retry after the certificate was stored
        locale = await reader_locale(session, mentor, due.notifier.config.default_locale)
        facts = await _facts(session, pairing, program, mentor, locale, now)
    # CPU work (fonts, compression): never on the event loop.
    certificate = await asyncio.to_thread(render_certificate, facts)
    async with due.database.unit_of_work(immediate=True) as session:
        if await recognitions_of(session, payload.pairing_id, "certificate"):
            return
        files = []
        for extension, media_type, content in (
            ("pdf", "application/pdf", certificate.pdf),
            ("png", "image/png", certificate.png),
        ):
            files.append(
                await store_file(
                    session, owner_id=pairing.mentor_id, purpose="certificate",
                    filename=certificate_filename(program.slug, locale, extension),
                    media_type=media_type, content=content, now=now,
                )
            )  # fmt: skip
        add_recognition(
            session, kind="certificate", to_id=pairing.mentor_id, pairing_id=pairing.id,
            file_id=files[0].id, at=now,
        )  # fmt: skip
        record_audit(
            session, "recognition.certificate", subject_id=pairing.mentor_id,
            program_id=program.id, details={"files": [f.id for f in files]}, at=now,
        )  # fmt: skip
        # Signed /files/{token} links for Teams and the console; Slack uploads the files.
        keys = file_keys(due.notifier.config.calendar)
        listed = tuple(
            (f.id, f.filename, f.media_type,
             keys.url(f.id, link_expiry(now, f.expires_at)) if keys is not None else "")
            for f in files
        )  # fmt: skip
        ready = CertificateReady(pairing.id, program.name, listed)
        await due.notifier.notify(
            session, pairing.mentor_id, ready, key=f"recognition:certificate:{pairing.id}"
        )
        channel = shout_out_channel(program)
        if channel is None and mentor.manager_id is None:
            return  # nothing to consent to: no channel chosen, no manager on record
        asked = PublicThanksAsked(
            pairing.id, program.name, str(channel["label"]) if channel else "",
            has_manager=mentor.manager_id is not None,
        )  # fmt: skip
        await due.notifier.notify(
            session, pairing.mentor_id, asked, key=f"recognition:consent:{pairing.id}"
        )


# -- consent ---------------------------------------------------------------------------


def _reply(turn: Turn, text: str) -> Outcome:
    return turn.reply(text_message(text), close_source=True)


async def answer_consent(turn: Turn) -> Outcome:
    """*Yes, gladly* / *No, thank you*: only the mentor answers, once."""
    ctx, t = turn.ctx, turn.ctx.t
    parsed = parse_consent(turn.inbound.value)
    pairing = await ctx.session.get(Pairing, parsed[0]) if parsed else None
    if parsed is None or pairing is None or pairing.mentor_id != ctx.person.id:
        return turn.reply(text_message(t("This question was not for you: nothing changed.")))
    if not await recognitions_of(ctx.session, pairing.id, "certificate"):
        return turn.reply(text_message(t("This question was not for you: nothing changed.")))
    if await consent_given(ctx.session, pairing.id) is not None:
        return _reply(turn, t("You have already answered: nothing changed."))
    answer = parsed[1]
    now = ctx.now()
    record_consent(ctx.session, pairing, answer, now)
    if not goes_public(answer):
        return _reply(turn, t("Understood: nothing is posted, and your manager is not told."))
    program = await ctx.session.get(Program, pairing.program_id)
    mentor = ctx.person
    if program is not None and shout_out_channel(program) is not None:
        row = add_recognition(
            ctx.session, kind="shout_out", to_id=mentor.id, pairing_id=pairing.id,
            consent_at=now, at=now,
        )  # fmt: skip
        await ctx.session.flush()
        await enqueue_due(ctx.session, SHOUT_OUT, ShoutOut(row.id), now)
    manager = await ctx.session.get(Person, mentor.manager_id) if mentor.manager_id else None
    if manager is not None and manager.erased_at is None and manager.active and program:
        await _note_to_manager(ctx.session, pairing, program, manager, now)
    return _reply(turn, t("Thank you! The program team will share your contribution."))


async def _note_to_manager(
    session: AsyncSession, pairing: Pairing, program: Program, manager: Person, now: datetime
) -> None:
    labels = await skill_labels(session)
    keys = await skills_taught(session, pairing)
    skills = {loc: [Translator(loc).labels(labels).get(k, k) for k in keys] for loc in ("fr", "en")}
    zone = program.timezone
    note = ManagerNote(
        (pairing.mentor_id,), program.name,
        _local_day(pairing.started_at, zone).isoformat(),
        _local_day(pairing.ended_at or now, zone).isoformat(),
        skills, await held_sessions(session, pairing.id),
    )  # fmt: skip
    add_recognition(
        session, kind="manager_note", to_id=pairing.mentor_id, pairing_id=pairing.id,
        consent_at=now, at=now,
    )  # fmt: skip
    await tell(session, manager.id, note, key=f"recognition:manager:{pairing.id}", at=now)


# -- the shout-out -----------------------------------------------------------------------


def posted_at(ref: MessageRef, tenant_id: str) -> dict[str, Any]:
    """Where a post lives, in the shape ``forget me`` deletes it by: Slack ``channel`` +
    ``ts``, Teams ``conversation_id`` + ``activity_id`` (also under ``channel``, the key the
    deletion reads for both), with the workspace or tenant that holds it."""
    if ref.platform == "slack":
        return {"platform": "slack", "channel": ref.conversation_id, "ts": ref.message_id,
                "team_id": tenant_id}  # fmt: skip
    return {"platform": ref.platform, "conversation_id": ref.conversation_id,
            "channel": ref.conversation_id, "activity_id": ref.message_id,
            "tenant_id": tenant_id}  # fmt: skip


async def post_shout_out(due: DueContext, payload: ShoutOut) -> None:
    async with due.database.unit_of_work() as session:
        row = await session.get(Recognition, payload.recognition_id)
        pairing = await session.get(Pairing, row.pairing_id) if row and row.pairing_id else None
        program = await session.get(Program, pairing.program_id) if pairing else None
        mentor = await session.get(Person, row.to_id) if row else None
        where = shout_out_channel(program) if program else None
        if row is None or row.posted or row.deleted_at or not (pairing and program and mentor):
            return
        if where is None or mentor.erased_at is not None:
            return
        locale = str(where.get("locale") or due.notifier.config.default_locale)
        labels = Translator(locale).labels(await skill_labels(session))
        skills = [labels.get(k, k) for k in await skills_taught(session, pairing)]
        message = shout_out(Translator(locale), mentor.id, shown_name(mentor), program.name, skills)
    channel = due.notifier.channels.get(str(where["platform"]))
    try:
        if channel is None:
            raise Unreachable("platform not connected")
        ref = await channel.announce(str(where["tenant_id"]), str(where["channel"]), message)
    except Unreachable as exc:
        log.warning("recognition.shout_out_unreachable", reason=exc.reason)
        async with due.database.unit_of_work() as session:
            gone = await session.get(Recognition, payload.recognition_id)
            if gone is not None:  # never posted: it does not count as sent
                await session.delete(gone)
            record_audit(
                session, "recognition.shout_out_failed", subject_id=mentor.id,
                program_id=program.id, details={"reason": exc.reason}, at=due.due_at,
            )  # fmt: skip
            # Never silently skipped: the admin who chose the channel is told.
            admin_id = str(where.get("admin_id") or "")
            if admin_id and await session.get(Person, admin_id) is not None:
                failed = ShoutOutFailed(str(where["label"]), program.name, exc.reason)
                await due.notifier.notify(
                    session, admin_id, failed, key=f"{due.key}:failed", proactive=False
                )
        return
    async with due.database.unit_of_work() as session:
        posted = await session.get(Recognition, payload.recognition_id)
        if posted is not None:
            posted.posted = posted_at(ref, str(where["tenant_id"]))
            posted.sent_at = due.due_at


DUE: dict[DueKind[Any], DueHandler] = {CLOSED: recognise, SHOUT_OUT: post_shout_out}
