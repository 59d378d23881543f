"""Forgetting a person (DESIGN.md, "Privacy by design").

The Person row stays as a tombstone, so the management tree and the rules that read it
still hold (a forgotten manager still blocks pairing their reports with their own
manager); everything that says who they were goes: contact and HR fields, platform
identities, what they wrote, their conversations, and any copy of their email or name
left in any text or JSON column of any table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    String,
    Table,
    Text,
    UniqueConstraint,
    cast,
    delete,
    or_,
    select,
    update,
)
from sqlalchemy import func as sql
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.matching_notifications import PairProposed
from storage.db import Database
from storage.match_runs import withdraw_waiting
from storage.models import (
    AuditEvent,
    Base,
    ConsoleMessage,
    DialogState,
    DueAction,
    Enrollment,
    Feedback,
    Goal,
    InboundEvent,
    MessageRef,
    Pairing,
    Person,
    PlatformIdentity,
    ProgramAdmin,
    Proposal,
)

ERASED = "[erased]"
# Tables the final sweep leaves alone: other people's own identity rows (a colleague who
# shares a surname keeps it), reference data an admin or DPO wrote, and secrets.
UNSCANNED_TABLES = frozenset(
    {
        "persons",
        "platform_identities",
        "career_stages",
        "skills",
        "skill_translations",
        "program_texts",
        "deployment_values",
        "slack_installations",
        "slack_bots",
        "slack_oauth_states",
    }
)
OPEN_ENROLLMENT = ("draft", "pending", "active", "paused")


class PersonNotFound(LookupError):
    """No (unerased) person has this email."""

    def __init__(self, email: str) -> None:
        self.email = email
        super().__init__(f"no person with email {email!r}")


class _Needles:
    """What must disappear: identifiers anywhere in a text, names as whole words."""

    def __init__(self, identifiers: Iterable[str | None], names: Iterable[str | None]) -> None:
        self.identifiers = sorted({i for i in identifiers if i and len(i) >= 4}, key=len)
        self.names = sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len)
        parts = [re.escape(i) for i in reversed(self.identifiers)]
        parts += [rf"(?<!\w){re.escape(n)}(?!\w)" for n in reversed(self.names)]
        self.pattern = re.compile("|".join(parts), re.IGNORECASE) if parts else None

    def variants(self) -> set[str]:
        """Spellings for a cheap SQL pre-filter (SQLite only folds ASCII case; JSON may be
        stored with \\u escapes); the exact replacement happens in Python."""
        found: set[str] = set()
        for needle in (*self.identifiers, *self.names):
            for spelling in {needle, needle.lower(), needle.upper(), needle.capitalize()}:
                found.add(spelling)
                found.add(json.dumps(spelling)[1:-1])
        return found

    def scrub(self, value: Any) -> Any:
        if self.pattern is None:
            return value
        if isinstance(value, str):
            return self.pattern.sub(ERASED, value)
        if isinstance(value, list):
            return [self.scrub(v) for v in value]
        if isinstance(value, dict):
            return {self.scrub(k): self.scrub(v) for k, v in value.items()}
        return value


def _scannable(table: Table) -> list[Any]:
    """Text and JSON columns that are not keys (keys are ids, never free text)."""
    unique = {
        column.name
        for constraint in table.constraints
        if isinstance(constraint, UniqueConstraint) and len(constraint.columns) == 1
        for column in constraint.columns
    }
    return [
        column
        for column in table.columns
        if isinstance(column.type, String | JSON)
        and not column.primary_key
        and not column.foreign_keys
        and not column.unique
        and column.name not in unique
    ]


async def _sweep(session: AsyncSession, needles: _Needles) -> int:
    """Scrub every remaining copy in every other table; returns the rows changed."""
    variants = needles.variants()
    changed = 0
    for table in Base.metadata.sorted_tables:
        columns = _scannable(table)
        primary_key = list(table.primary_key.columns)
        if table.name in UNSCANNED_TABLES or not columns or not primary_key or not variants:
            continue
        conditions: list[ColumnElement[bool]] = []
        for column in columns:
            as_text = cast(column, Text) if isinstance(column.type, JSON) else column
            conditions += [as_text.icontains(v, autoescape=True) for v in variants]
        result = await session.execute(select(*primary_key, *columns).where(or_(*conditions)))
        for row in result.all():
            values = {c.name: needles.scrub(row._mapping[c]) for c in columns}
            values = {name: v for name, v in values.items() if v != row._mapping[table.c[name]]}
            if values:
                key = [c == row._mapping[c] for c in primary_key]
                await session.execute(update(table).where(*key).values(values))
                changed += 1
    return changed


def _rowcount(result: Result[Any]) -> int:
    return (result.rowcount or 0) if isinstance(result, CursorResult) else 0


async def _find(session: AsyncSession, email: str) -> Person | None:
    wanted = email.strip().lower()
    person = await session.scalar(
        select(Person).where(sql.lower(Person.email) == wanted, Person.erased_at.is_(None))
    )
    if person is None:  # someone the bot knows only through a platform profile
        person = await session.scalar(
            select(Person)
            .join(PlatformIdentity, PlatformIdentity.person_id == Person.id)
            .where(sql.lower(PlatformIdentity.email) == wanted, Person.erased_at.is_(None))
            .limit(1)
        )
    return person


def tombstone(left_at: datetime | None, now: datetime) -> dict[str, Any]:
    """The columns of an erased Person: only the links that hold the management tree stay."""
    return {
        "employee_id": None,
        "email": None,
        "first_name": None,
        "last_name": None,
        "title": None,
        "department": None,
        "career_stage_id": None,
        "location": None,
        "timezone": None,
        "locale": None,
        "languages": [],
        "preferred_platform": None,
        "assistant_id": None,
        "quiet_start": None,
        "quiet_end": None,
        "quiet_days": None,
        "active": False,
        "left_at": left_at or now,
        "erased_at": now,
        "updated_at": now,
    }


async def forget_person(
    database: Database, email: str, actor_id: str | None = None, *, now: datetime
) -> str:
    """Erase the person with ``email`` and return their opaque id (the tombstone's).

    Raises PersonNotFound when nobody (not already erased) has that email.
    """
    async with database.unit_of_work(immediate=True) as session:
        person = await _find(session, email)
        if person is None:
            raise PersonNotFound(email)
        pid = person.id
        identities = list(
            await session.scalars(select(PlatformIdentity).where(PlatformIdentity.person_id == pid))
        )
        full_name = f"{person.first_name or ''} {person.last_name or ''}".strip()
        needles = _Needles(
            identifiers=[
                email.strip(),
                person.email,
                person.employee_id,
                *(i.email for i in identities),
                *(i.user_id for i in identities if i.user_id != pid),
            ],
            names=[person.first_name, person.last_name, full_name]
            + [i.display_name for i in identities],
        )

        counts: dict[str, int] = {}

        async def clear(name: str, statement: Any) -> None:
            counts[name] = _rowcount(await session.execute(statement))

        # What they wrote.
        await clear(
            "enrollments",
            update(Enrollment)
            .where(Enrollment.person_id == pid)
            .values(goals=None, motivation=None, left_reason=None, location=None),
        )
        await session.execute(
            update(Enrollment)
            .where(Enrollment.person_id == pid, Enrollment.status.in_(OPEN_ENROLLMENT))
            .values(status="left")
        )
        await clear(
            "feedback", update(Feedback).where(Feedback.person_id == pid).values(learned=None)
        )
        await clear("goals", update(Goal).where(Goal.created_by == pid).values(text=""))
        await clear(
            "pairings", update(Pairing).where(Pairing.ended_by == pid).values(end_reason=None)
        )
        await clear(
            "proposals",
            update(Proposal).where(Proposal.declined_by == pid).values(decline_reason=None),
        )
        # Proposals waiting for them end (the other side is told and freed); the cards that
        # carry a copy of their profile (goals, title) are not delivered, and history rows
        # that name them go.
        for program_id in set(
            await session.scalars(
                select(Proposal.program_id).where(
                    Proposal.status == "sent",
                    (Proposal.mentor_id == pid) | (Proposal.mentee_id == pid),
                )
            )
        ):
            await withdraw_waiting(session, pid, program_id, now)
        mentions = cast(DueAction.payload, Text).contains(pid)
        await clear(
            "due_actions",
            delete(DueAction).where(
                mentions,
                or_(
                    DueAction.status == "done",
                    cast(DueAction.payload, Text).contains(PairProposed.type)
                    & (DueAction.status != "running"),
                ),
            ),
        )
        # Their conversations with the bot.
        await clear("dialog_states", delete(DialogState).where(DialogState.person_id == pid))
        await clear("message_refs", delete(MessageRef).where(MessageRef.person_id == pid))
        await clear(
            "console_messages", delete(ConsoleMessage).where(ConsoleMessage.person_id == pid)
        )
        events = 0
        for identity in identities:
            if identity.user_id == pid:
                continue  # the console's user id is the opaque id: not found in payloads
            events += _rowcount(
                await session.execute(
                    delete(InboundEvent).where(
                        InboundEvent.platform == identity.platform,
                        cast(InboundEvent.payload, Text).contains(identity.user_id),
                    )
                )
            )
        counts["inbound_events"] = events
        await clear("program_admins", delete(ProgramAdmin).where(ProgramAdmin.person_id == pid))
        await clear("identities", delete(PlatformIdentity).where(PlatformIdentity.person_id == pid))

        # The tombstone: only the links that hold the management tree remain.
        await session.execute(
            update(Person)
            .where(Person.id == pid)
            .values(**tombstone(person.left_at, now))
            .execution_options(synchronize_session=False)
        )
        session.expunge_all()
        counts["scrubbed_rows"] = await _sweep(session, needles)
        session.add(
            AuditEvent(action="person.forgotten", actor_id=actor_id, subject_id=pid, details=counts)
        )
        return pid
