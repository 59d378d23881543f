"""Deliver notifications durably: queue, quiet hours, pacing, preferred platform.

``notify`` and ``introduce`` only enqueue due actions inside the caller's transaction (so a
notification exists exactly when the change that caused it does). When an action is due,
its handler renders the message in the reader's language *at delivery time* and sends it
through the reader's platform channel. People who cannot be reached are reported to the
program's admins, never silently skipped.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, TypeVar

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.due import DueKind
from bot.domain.notifications import Notification, PersonUnreachable, notification_from_payload
from bot.domain.quiet_hours import QuietHours
from bot.domain.sessions.calendar_access import CalendarKeys
from dialogs.core.i18n import LOCALES, Translator, negotiate
from dialogs.core.ui import MessageRef
from dialogs.notify.delivery import ChatChannel, Recipient, Unreachable
from dialogs.notify.presenters import present
from storage.audit import record_audit
from storage.db import Database
from storage.due_runner import DueHandlers
from storage.enqueue import enqueue_due
from storage.models import DueAction, Person, PlatformIdentity
from storage.models import MessageRef as MessageRefRow
from storage.people.admins import admins_of_person
from storage.queue import DueQueue
from storage.sessions.reach import UNREACHABLE_AUDIT

log = structlog.get_logger("tandem.notifier")

P = TypeVar("P")


@dataclass(frozen=True)
class Delivery:
    person_id: str
    notification: dict[str, Any]  # ``Notification.to_payload()``
    # An instant (ISO 8601) after which the message is pointless (a reminder of a session
    # that has begun): delivered late after an outage, it is dropped instead.
    not_after: str | None = None


@dataclass(frozen=True)
class Introduction:
    person_ids: tuple[str, ...]
    notification: dict[str, Any]


@dataclass(frozen=True)
class Replacement:
    person_id: str
    purpose: str  # what the replaced messages were delivered for
    notification: dict[str, Any]


# Their keys come from the caller: a notification's key names the event that causes it.
DELIVER = DueKind("notify.deliver", Delivery)
INTRODUCE = DueKind("notify.introduce", Introduction)
REPLACE = DueKind("notify.replace", Replacement)
# Queued messages to one person are spaced so that a backlog never arrives as a burst:
# Slack allows about 1 message per second per conversation; Teams 7 per second but only
# 60 per 30 seconds, i.e. 2 per second sustained. (The channels also pace each send.)
PACING = {"slack": timedelta(seconds=1), "teams": timedelta(seconds=0.5)}
PLATFORM_ORDER = ("slack", "teams", "console")
DEFAULT_QUIET_HOURS = QuietHours(time(20), time(8), frozenset({5, 6}))
# Whether a queued message no longer applies to its reader when it falls due (a proposal
# card held by quiet hours that the reader has answered meanwhile): it is then not sent.
Outdated = Callable[[AsyncSession, Notification, str], Awaitable[bool]]


def replacement(person_id: str, purpose: str, notification: Notification) -> Replacement:
    """The payload of a ``REPLACE`` action (flows that hold a session but no notifier
    enqueue it themselves)."""
    return Replacement(person_id, purpose, notification.to_payload())


@dataclass(frozen=True)
class NotifierConfig:
    default_locale: str = "fr"
    default_timezone: str = "Europe/Paris"
    quiet_hours: QuietHours | None = DEFAULT_QUIET_HOURS
    admins: tuple[str, ...] = ()  # TANDEM_ADMINS (emails or user ids): see storage/people/admins.py
    calendar: CalendarKeys | None = None  # calendar links (dialogs/sessions/calendar.py)


class Notifier:
    def __init__(
        self,
        database: Database,
        channels: Mapping[str, ChatChannel],
        config: NotifierConfig,
        queue: DueQueue | None = None,
        *,
        clock: Clock,
    ) -> None:
        self.clock = clock
        self.database = database
        self.channels = dict(channels)
        self.config = config
        self.queue = queue or DueQueue(database)
        self.outdated: dict[str, Outdated] = {}  # notification type -> its check

    # -- enqueue (inside the caller's unit of work) ------------------------------------

    async def notify(
        self,
        session: AsyncSession,
        person_id: str,
        notification: Notification,
        *,
        key: str,
        at: datetime | None = None,
        proactive: bool = True,
        not_after: datetime | None = None,
    ) -> bool:
        """Queue one message for one person; ``key`` makes it happen once; not sent at all
        once ``not_after`` has passed."""
        person = await session.get(Person, person_id)
        if person is None:
            raise LookupError(f"no person {person_id}")
        at = at or self.clock.now()
        due = self._respect_quiet_hours(person, at) if proactive else at
        lane = f"person:{person_id}"
        due = await self._paced(session, lane, due, person.preferred_platform)
        stale = not_after.isoformat() if not_after is not None else None
        payload = Delivery(person_id, notification.to_payload(), stale)
        return await self._enqueue(session, DELIVER, payload, due, key=key, lane=lane)

    async def introduce(
        self,
        session: AsyncSession,
        person_ids: Sequence[str],
        notification: Notification,
        *,
        key: str,
        at: datetime | None = None,
    ) -> bool:
        """Open a conversation with all of them, each on their own platform."""
        payload = Introduction(tuple(person_ids), notification.to_payload())
        return await self._enqueue(session, INTRODUCE, payload, at or self.clock.now(), key=key)

    async def replace(
        self,
        session: AsyncSession,
        person_id: str,
        purpose: str,
        notification: Notification,
        *,
        key: str,
    ) -> bool:
        """Replace every message delivered to the person for ``purpose`` (e.g. close the
        buttons of a proposal card that expired). Never waits for quiet hours: an update
        does not ring."""
        payload = replacement(person_id, purpose, notification)
        return await self._enqueue(session, REPLACE, payload, self.clock.now(), key=key)

    async def _enqueue(
        self,
        session: AsyncSession,
        kind: DueKind[P],
        payload: P,
        due: datetime,
        *,
        key: str,
        lane: str | None = None,
    ) -> bool:
        """The row's creation time is the queue's wall clock, not business time."""
        return await enqueue_due(
            session, kind, payload, due, key=key, lane=lane, recorded_at=self.queue.clock()
        )

    def _respect_quiet_hours(self, person: Person, at: datetime) -> datetime:
        quiet = self.config.quiet_hours
        if person.quiet_start is not None and person.quiet_end is not None:
            quiet = QuietHours(
                person.quiet_start, person.quiet_end, frozenset(person.quiet_days or ())
            )
        if quiet is None:
            return at
        return quiet.next_allowed(at, person.timezone or self.config.default_timezone)

    async def _paced(
        self, session: AsyncSession, lane: str, due: datetime, platform: str | None
    ) -> datetime:
        """The first slot at or after ``due`` at least one gap away from queued messages."""
        gap = PACING.get(platform or "slack", timedelta(seconds=1))
        queued = (
            await session.execute(
                select(DueAction.due_at)
                .where(
                    DueAction.lane == lane,
                    DueAction.status.in_(("pending", "running")),
                    DueAction.due_at > due - gap,
                    DueAction.due_at < due + timedelta(hours=1),
                )
                .order_by(DueAction.due_at)
            )
        ).scalars()
        slot = due
        for taken in queued:
            if abs(taken - slot) < gap:
                slot = taken + gap
        return slot

    # -- deliver (due-action handlers) ---------------------------------------------------

    def register(self, handlers: DueHandlers) -> None:
        handlers.register(DELIVER.name)(lambda a: self.deliver(DELIVER.load(a.payload)))
        handlers.register(INTRODUCE.name)(lambda a: self.open_together(INTRODUCE.load(a.payload)))
        handlers.register(REPLACE.name)(lambda a: self.update(REPLACE.load(a.payload)))

    async def _recipients(self, session: AsyncSession, person: Person) -> list[Recipient]:
        identities = (
            (
                await session.execute(
                    select(PlatformIdentity).where(
                        PlatformIdentity.person_id == person.id,
                        PlatformIdentity.reachable.is_(True),
                    )
                )
            )
            .scalars()
            .all()
        )
        preferred = person.preferred_platform

        def rank(identity: PlatformIdentity) -> tuple[int, int]:
            order = (
                PLATFORM_ORDER.index(identity.platform)
                if identity.platform in PLATFORM_ORDER
                else 9
            )
            return (0 if identity.platform == preferred else 1, order)

        def locale(identity: PlatformIdentity) -> str:
            # The person's own choice first, then what their platform last reported.
            if person.locale in LOCALES:
                return str(person.locale)
            return negotiate([identity.locale], self.config.default_locale)

        return [
            Recipient(
                person_id=person.id,
                platform=identity.platform,  # type: ignore[arg-type]
                tenant_id=identity.tenant_id,
                user_id=identity.user_id,
                locale=locale(identity),
                timezone=person.timezone or self.config.default_timezone,
                display_name=person.display_name,
                email=identity.email or person.email,
                conversation_ref=identity.conversation_ref,
            )
            for identity in sorted(identities, key=rank)
            if identity.platform in self.channels
        ]

    async def _people(self, session: AsyncSession, ids: Sequence[str]) -> dict[str, Person]:
        rows = (await session.execute(select(Person).where(Person.id.in_(list(ids))))).scalars()
        return {p.id: p for p in rows}

    async def deliver(self, payload: Delivery) -> None:
        """Send one queued message on the person's best platform (the DELIVER handler)."""
        notification = notification_from_payload(payload.notification)
        person_id = payload.person_id
        if payload.not_after and self.clock.now() > datetime.fromisoformat(payload.not_after):
            log.info("notify.skipped", person_id=person_id, reason="too_late")
            return
        async with self.database.unit_of_work() as session:
            person = await session.get(Person, person_id)
            if person is None or person.erased_at is not None or not person.active:
                log.info("notify.skipped", person_id=person_id, reason="gone")
                return
            check = self.outdated.get(notification.type)
            if check is not None and await check(session, notification, person_id):
                log.info("notify.skipped", person_id=person_id, reason="outdated")
                return
            recipients = await self._recipients(session, person)
            people = await self._people(session, self._mentioned(notification, person_id))
        reasons: list[str] = []
        for recipient in recipients:
            message = present(notification, Translator(recipient.locale), person, people)
            try:
                ref = await self.channels[recipient.platform].send(recipient, message)
            except Unreachable as exc:
                reasons.append(f"{recipient.platform}: {exc.reason}")
                await self._mark_unreachable(recipient, exc.reason)
                continue
            await self._record(person_id, ref, notification.purpose())
            return
        await self._report_unreachable(person, notification, reasons or ["no platform identity"])

    async def open_together(self, payload: Introduction) -> None:
        """Open one conversation with all of them (the INTRODUCE handler)."""
        notification = notification_from_payload(payload.notification)
        ids = list(payload.person_ids)
        async with self.database.unit_of_work() as session:
            people = await self._people(session, ids)
            chosen = {}
            for person_id in ids:
                recipients = await self._recipients(session, people[person_id])
                if recipients:
                    chosen[person_id] = recipients[0]
        # Those on the same platform (and Slack workspace) share one conversation.
        groups: dict[tuple[str, str], list[Recipient]] = {}
        for recipient in chosen.values():
            groups.setdefault((recipient.platform, recipient.tenant_id), []).append(recipient)
        for (platform, _tenant), members in groups.items():
            reader = people[members[0].person_id]
            message = present(notification, Translator(members[0].locale), reader, people)
            try:
                refs = await self.channels[platform].introduce(members, message)
            except Unreachable as exc:
                for member in members:
                    await self._report_unreachable(
                        people[member.person_id], notification, [exc.reason]
                    )
                continue
            for member, ref in zip(members, refs, strict=False):
                await self._record(member.person_id, ref, notification.purpose())
        for person_id in set(ids) - set(chosen):
            await self._report_unreachable(
                people[person_id], notification, ["no platform identity"]
            )

    async def update(self, payload: Replacement) -> None:
        """Replace the messages delivered for a purpose (the REPLACE handler)."""
        notification = notification_from_payload(payload.notification)
        person_id = payload.person_id
        async with self.database.unit_of_work() as session:
            person = await session.get(Person, person_id)
            if person is None:
                return
            refs = (
                await session.scalars(
                    select(MessageRefRow).where(
                        MessageRefRow.person_id == person_id,
                        # closed copies too: a card shows the latest state (answered, then
                        # expired or started)
                        MessageRefRow.purpose == payload.purpose,
                    )
                )
            ).all()
            recipients: dict[str, Recipient] = {
                r.platform: r for r in await self._recipients(session, person)
            }
            people = await self._people(session, self._mentioned(notification, person_id))
            found = [(row.id, row.platform, row.conversation_id, row.message_id) for row in refs]
        for row_id, platform, conversation_id, message_id in found:
            channel, recipient = self.channels.get(platform), recipients.get(platform)
            if channel is None or recipient is None:
                continue
            message = present(notification, Translator(recipient.locale), person, people)
            ref = MessageRef(platform, conversation_id, message_id)
            try:
                await channel.update(ref, message)
            except Unreachable as exc:
                log.warning("notify.replace_failed", person_id=person_id, reason=exc.reason)
                continue
            # Read then write: SQLite's write lock is taken at BEGIN, or a drain woken while
            # a request writes fails at once with "database is locked".
            async with self.database.unit_of_work(immediate=True) as session:
                row = await session.get(MessageRefRow, row_id)
                if row is not None and row.disabled_at is None:
                    row.disabled_at = self.clock.now()

    @staticmethod
    def _mentioned(notification: Notification, reader_id: str) -> list[str]:
        ids = set(getattr(notification, "person_ids", ())) | {reader_id}
        if isinstance(notification, PersonUnreachable):
            ids.add(notification.person_id)
        return sorted(ids)

    async def _record(self, person_id: str, ref: MessageRef, purpose: str) -> None:
        async with self.database.unit_of_work() as session:
            session.add(
                MessageRefRow(
                    person_id=person_id,
                    platform=ref.platform,
                    conversation_id=ref.conversation_id,
                    message_id=ref.message_id,
                    purpose=purpose,
                )
            )

    async def _mark_unreachable(self, recipient: Recipient, reason: str) -> None:
        """The identity is not tried again; the reason stays for ``admin sessions``."""
        async with self.database.unit_of_work(immediate=True) as session:  # read, then write
            record_audit(
                session,
                UNREACHABLE_AUDIT,
                subject_id=recipient.person_id,
                details={"platform": recipient.platform, "reason": reason},
                at=self.clock.now(),
            )
            identity = (
                await session.execute(
                    select(PlatformIdentity).where(
                        PlatformIdentity.platform == recipient.platform,
                        PlatformIdentity.tenant_id == recipient.tenant_id,
                        PlatformIdentity.user_id == recipient.user_id,
                    )
                )
            ).scalar_one_or_none()
            if identity is not None:
                identity.reachable = False

    async def _report_unreachable(
        self, person: Person, notification: Notification, reasons: list[str]
    ) -> None:
        log.warning("notify.unreachable", person_id=person.id, kind=notification.type)
        if isinstance(notification, PersonUnreachable):
            return  # an admin who cannot be reached is logged, not reported in a loop
        report = PersonUnreachable(person_id=person.id, reason="; ".join(reasons))
        async with self.database.unit_of_work() as session:
            for admin_id in await admins_of_person(session, person.id, self.config.admins):
                await self.notify(
                    session,
                    admin_id,
                    report,
                    key=f"unreachable:{person.id}:{notification.type}:{admin_id}:{self.clock.now():%Y%m%d}",
                    proactive=False,
                )
