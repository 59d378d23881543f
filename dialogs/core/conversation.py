"""The conversation core: one entry point for Slack, Teams and the console.

``handle`` resolves who is talking (allow-lists, identity), picks their language, and
dispatches: typed commands through the grammar, button clicks and form submissions to
their flow through the engine. It never raises on bad user input: a forged reference, an
unknown command or a stale card each get a polite, localised answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.clock import Clock
from bot.domain.sessions.calendar_access import CalendarKeys
from dialogs.basics.home import home_of
from dialogs.capabilities import FEATURES
from dialogs.core.commands import (
    Command,
    UnknownAction,
    UnknownCommand,
    parse_command,
    planned_admin_command,
    spec_of,
)
from dialogs.core.content import Paragraph
from dialogs.core.engine import FlowEngine
from dialogs.core.events import Inbound, Outcome
from dialogs.core.feature import Handler, Turn
from dialogs.core.flow import FlowContext
from dialogs.core.i18n import LOCALES, Translator, negotiate
from dialogs.core.known_people import KnownPeople
from dialogs.core.replies import (
    not_admin_message,
    not_available_message,
    refused_message,
    stale_message,
    text_message,
    unknown_command_message,
    welcome_message,
)
from dialogs.core.ui import (
    REOPEN_ACTION,
    ActionRef,
    Actions,
    Button,
    Done,
    Form,
    Message,
    Section,
)
from storage.audit import record_audit
from storage.db import Database, wrote
from storage.enqueue import release_waiting
from storage.models import Person
from storage.people.admins import (
    WAITING_FOR_AN_ADMIN,
    administered_programs,
    names_deployment_admin,
)
from storage.people.identities import PlatformUser, resolve_person

log = structlog.get_logger("tandem.conversation")


@dataclass(frozen=True)
class ConversationConfig:
    default_locale: str = "fr"
    default_timezone: str = "Europe/Paris"
    admins: tuple[str, ...] = ()  # emails or platform user ids
    slack_team_ids: tuple[str, ...] = ()  # empty: any workspace
    teams_tenant_ids: tuple[str, ...] = ()  # empty: any tenant
    calendar: CalendarKeys | None = None  # calendar links (dialogs/sessions/calendar.py)


class Conversation:
    def __init__(self, database: Database, config: ConversationConfig, *, clock: Clock) -> None:
        self.database = database
        self.config = config
        self.clock = clock
        self.engine = FlowEngine({f.name: f for feature in FEATURES for f in feature.flows})
        self.commands: dict[str, Handler] = {}
        self.actions: dict[str, Handler] = {}
        # Declared on each feature, checked here before dispatch (see ``_refuse``).
        self.admin_actions = frozenset(a for feature in FEATURES for a in feature.admin_actions)
        self.admin_flows = frozenset(f for feature in FEATURES for f in feature.admin_flows)
        self.read_only_commands = frozenset(
            c for feature in FEATURES for c in feature.read_only_commands
        )
        self.read_only_actions = frozenset(
            a for feature in FEATURES for a in feature.read_only_actions
        )
        self.known = KnownPeople()
        for feature in FEATURES:
            for table, entries in (
                (self.commands, feature.commands),
                (self.actions, feature.actions),
            ):
                for name, handler in entries.items():
                    if name in table:
                        raise ValueError(f"{feature.name}: {name!r} is handled twice")
                    table[name] = handler

    def allowed(self, platform: str, tenant_id: str) -> bool:
        allow = {"slack": self.config.slack_team_ids, "teams": self.config.teams_tenant_ids}
        listed = allow.get(platform, ())
        return not listed or tenant_id in listed

    def _trusts_email(self, platform: str, tenant_id: str) -> bool:
        """Emails prove identity only inside an explicit allow-list (or on the local console)."""
        if platform == "console":
            return True
        allow = {"slack": self.config.slack_team_ids, "teams": self.config.teams_tenant_ids}
        return tenant_id in allow.get(platform, ())

    async def admin_scope(
        self, session: AsyncSession, inbound: Inbound, person: Person
    ) -> frozenset[int] | None:
        """None for TANDEM_ADMINS (every program); else the programs the person administers
        (empty: not an admin). Admin features check a program with ``ctx.administers``."""
        actor = inbound.actor
        email = person.email if actor.platform == "console" else actor.email
        proven = email if self._trusts_email(actor.platform, actor.tenant_id) else None
        if names_deployment_admin(
            self.config.admins, actor.user_id, proven, platform=actor.platform
        ):
            return None
        return await administered_programs(session, person.id)

    def locale_for(self, person: Person | None, hint: str | None) -> str:
        if person is not None and person.locale in LOCALES:
            return person.locale
        return negotiate([hint], self.config.default_locale)

    async def handle(self, inbound: Inbound) -> Outcome:
        actor = inbound.actor
        if not self.allowed(actor.platform, actor.tenant_id):
            locale = negotiate([actor.locale_hint], self.config.default_locale)
            log.info("conversation.refused", platform=actor.platform)
            return Outcome(locale, messages=(refused_message(Translator(locale)),), refused=True)
        for attempt in (1, 2):
            try:
                return await self._handle_once(inbound, look_up=attempt == 2)
            except IntegrityError:
                # Two first contacts of the same new person raced: the other one created
                # them; a second pass finds that person instead of creating another.
                if attempt == 2:
                    raise
            except OperationalError:
                # A read-only turn that wrote after all met another writer (SQLite): the
                # second pass takes the write lock from the start.
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _reads_only(self, inbound: Inbound) -> bool:
        """A command or button declared read-only (e.g. help): no write lock needed."""
        match inbound.kind:
            case "message" | "command":
                parsed = parse_command(inbound.text)
                return (
                    isinstance(parsed, Command)
                    and not parsed.admin
                    and parsed.name in self.read_only_commands
                )
            case "action":
                return inbound.ref is None and (inbound.action or "") in self.read_only_actions
        return False

    async def _handle_once(self, inbound: Inbound, *, look_up: bool = False) -> Outcome:
        actor = inbound.actor
        user = PlatformUser(
            actor.platform,
            actor.tenant_id,
            actor.user_id,
            actor.display_name,
            actor.email,
            actor.timezone,
            actor.locale_hint,
        )
        known = None if look_up else self.known.get(user)
        # BEGIN IMMEDIATE on SQLite: a read-then-write transaction must hold the write lock
        # from the start, or it fails at once when another writer is active. A known person
        # asking for something read-only needs neither the lock nor a query.
        immediate = known is None or not self._reads_only(inbound)
        async with self.database.unit_of_work(immediate=immediate) as session:
            if known is not None:
                person: Person | None = await session.merge(known, load=False)
                scope: frozenset[int] | None = frozenset()  # only non-admins are known
            else:
                person = await resolve_person(
                    session, user, trust_email=self._trusts_email(actor.platform, actor.tenant_id)
                )
                if person is None:
                    locale = negotiate([actor.locale_hint], self.config.default_locale)
                    return Outcome(
                        locale, messages=(refused_message(Translator(locale)),), refused=True
                    )
                scope = await self.admin_scope(session, inbound, person)
            assert person is not None
            locale = self.locale_for(person, actor.locale_hint)
            admin = scope is None or bool(scope)
            if admin:  # messages kept for want of a reader go to the team now
                await release_waiting(session, WAITING_FOR_AN_ADMIN, self.clock.now())
            ctx = FlowContext(
                session,
                person,
                locale,
                Translator(locale),
                self.clock,
                admin,
                scope,
                deployment_admins=self.config.admins,
                calendar=self.config.calendar,
            )
            outcome = await self._dispatch(ctx, inbound)
            if admin or wrote(session):
                self.known.forget(user)
            elif known is None:
                self.known.keep(user, person)
            return outcome

    async def _dispatch(self, ctx: FlowContext, inbound: Inbound) -> Outcome:
        t = ctx.t
        match inbound.kind:
            case "installed":
                return Outcome(ctx.locale, messages=(welcome_message(t, ctx.person.first_name),))
            case "home_opened":
                return Outcome(ctx.locale, home=await home_of(ctx))
            case "message" | "command":
                return await self._command(ctx, inbound)
            case "action":
                return await self._action(ctx, inbound)
            case "submission":
                if inbound.ref is None:
                    return Outcome(ctx.locale, form_answer=None, messages=(stale_message(t),))
                if (refused := self._refuse(ctx, flow=inbound.ref.flow)) is not None:
                    return Outcome(ctx.locale, form_answer=Done(refused))
                answer = await self.engine.submit(ctx, inbound.ref, inbound.values)
                # The locale may have just changed (language flow): answer in the new one.
                locale = self.locale_for(ctx.person, inbound.actor.locale_hint)
                return Outcome(locale, form_answer=answer)
        return Outcome(ctx.locale)

    def _turn(self, ctx: FlowContext, inbound: Inbound, command: Command | None = None) -> Turn:
        async def start(
            flow: str, *, opener: str, data: Mapping[str, Any] | None = None
        ) -> Outcome:
            shown = await self.engine.start(ctx, flow, data)
            if isinstance(shown, Message):  # a card: it is answered by its buttons
                return Outcome(ctx.locale, messages=(shown,))
            if inbound.can_open_form:
                return Outcome(ctx.locale, form=shown)
            button = Button(shown.title, opener, opens_form=True, style="primary")
            return Outcome(ctx.locale, messages=(self._form_button(ctx, shown, button),))

        return Turn(ctx, inbound, start, command)

    @staticmethod
    def _form_button(ctx: FlowContext, form: Form, opener: Button) -> Message:
        """Without a trigger (a typed word in Slack), a form opens from a button click."""
        return Message(
            (
                Section((Paragraph.of(ctx.t("Click to open the form.")),)),
                Actions((opener,)),
            ),
            summary=form.title,
            visibility="private",
        )

    async def _command(self, ctx: FlowContext, inbound: Inbound) -> Outcome:
        t = ctx.t
        match parse_command(inbound.text):
            case UnknownCommand(word=word, admin=False) if ctx.is_admin and (
                spec := planned_admin_command(word)
            ):
                # An admin typing "report" without "admin": tell them it is planned.
                answer = not_available_message(t, f"admin {spec.name}", spec.planned)
                return Outcome(ctx.locale, messages=(answer,))
            case UnknownCommand(word=word, suggestions=suggestions):
                return Outcome(
                    ctx.locale, messages=(unknown_command_message(t, word, suggestions),)
                )
            case UnknownAction(word=word):
                return Outcome(ctx.locale, messages=(unknown_command_message(t, word, ()),))
            case Command(admin=True, name=name) if not ctx.is_admin:
                return Outcome(ctx.locale, messages=(self._refused(ctx, command=name),))
            case Command(name=name) as command:
                key = f"admin {name}" if command.admin else name
                handler = self.commands.get(key)
                spec = spec_of(command)
                if handler is None or (spec is not None and spec.planned is not None):
                    planned = spec.planned if spec is not None else None
                    answer = not_available_message(t, key, planned)
                    return Outcome(ctx.locale, messages=(answer,))
                outcome: Outcome = await handler(self._turn(ctx, inbound, command))
                return outcome
        return Outcome(ctx.locale, messages=(text_message(t("Sorry, I did not understand.")),))

    async def _action(self, ctx: FlowContext, inbound: Inbound) -> Outcome:
        action = inbound.action or ""
        flow = inbound.ref.flow if inbound.ref is not None else None
        if (refused := self._refuse(ctx, action=action, flow=flow)) is not None:
            return Outcome(ctx.locale, messages=(refused,))
        if action == REOPEN_ACTION and inbound.ref is not None:  # a form that could not open
            return await self._reopen(ctx, inbound, inbound.ref)
        if inbound.ref is not None:  # a button of a flow's card
            answer = await self.engine.act(ctx, inbound.ref, action, inbound.value)
            messages = (answer.message,) if answer.message is not None else ()
            locale = self.locale_for(ctx.person, inbound.actor.locale_hint)  # may have changed
            return Outcome(locale, messages=messages, close_source=True)
        handler = self.actions.get(action)
        if handler is None:  # an old card of a version that had this button
            return Outcome(ctx.locale, messages=(stale_message(ctx.t),))
        outcome: Outcome = await handler(self._turn(ctx, inbound))
        return outcome

    async def _reopen(self, ctx: FlowContext, inbound: Inbound, ref: ActionRef) -> Outcome:
        shown = await self.engine.reopen(ctx, ref)
        if isinstance(shown, Message):  # answered meanwhile: the stale notice
            return Outcome(ctx.locale, messages=(shown,))
        if inbound.can_open_form:
            return Outcome(ctx.locale, form=shown)
        return Outcome(ctx.locale, messages=(self._form_button(ctx, shown, shown.opener),))

    def _refuse(
        self, ctx: FlowContext, *, action: str | None = None, flow: str | None = None
    ) -> Message | None:
        """The refusal when a non-admin reaches a declared admin-only action or flow."""
        if ctx.is_admin:
            return None
        if flow is not None and flow in self.admin_flows:
            return self._refused(ctx, action=action, flow=flow)
        if flow is None and action in self.admin_actions:
            return self._refused(ctx, action=action)
        return None

    @staticmethod
    def _refused(ctx: FlowContext, **details: str | None) -> Message:
        """Refused in their language, nothing changes, and the attempt is audited."""
        record_audit(
            ctx.session,
            "admin.refused",
            actor_id=ctx.person.id,
            details={key: value for key, value in details.items() if value is not None},
        )
        return not_admin_message(ctx.t)
