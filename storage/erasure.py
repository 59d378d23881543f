"""Forgetting a person (DESIGN.md, "Privacy by design").

The Person row stays as a tombstone, so the management tree and the rules that read it
still hold (a forgotten manager still blocks pairing their reports with their own
manager); everything that says who they were goes: contact and HR fields, every platform
identity that carries their email (linked to them or not), what they wrote (cleared where
the row stays, deleted with every payload that names them: raw inbound events, queued or
done due actions, console messages, dialog states), their conversations, and any copy of
their email or name left in any text or JSON column of any table. On SQLite the file
forgets too: erased cells are zeroed and the write-ahead log is checkpointed and emptied.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import structlog
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
    text,
    update,
)
from sqlalchemy import func as sql
from sqlalchemy.engine import CursorResult, Result
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain.participation import OPEN_STATUSES
from storage.db import Database
from storage.matching.runs import withdraw_waiting
from storage.models import (
    AuditEvent,
    Base,
    Enrollment,
    Person,
    PlatformIdentity,
    Proposal,
)
from storage.sessions.series import cancel_future_sessions

log = structlog.get_logger("tandem.erasure")

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

# -- What refers to a person, and what forgetting does with it ----------------------------
# One declaration per effect, "table.column" as the keys; the code below is driven by them
# and tests/test_forget_schema.py compares them with the schema: a column that may refer to
# a person (an opaque person id, a key to persons, a free text, a JSON payload) and is in
# none of them fails that test, so a new one cannot be forgotten by ``forget``.

# The Person row itself: every column is emptied by ``tombstone()`` except these.
PERSON_KEPT: Mapping[str, str] = {
    "persons.id": "the tombstone's opaque id",
    "persons.organisation_id": "which organisation, not who",
    "persons.manager_id": "the management tree holds (a forgotten manager still blocks pairing)",
    "persons.created_at": "when the record began, not who",
}
# Rows that exist only for this person: deleted, with everything in them.
ROWS_DELETED: Mapping[str, str] = {
    "platform_identities.person_id": "how to reach them, their platform names and email",
    "dialog_states.person_id": "their conversations in progress, with what they typed",
    "message_refs.person_id": "where the bot's messages to them live",
    "console_messages.person_id": "their console history, both sides",
    "program_admins.person_id": "an admin right nobody holds any more",
    "stored_files.owner_id": "their files: their export, their certificates",
    "recognitions.to_id": "thanks, certificates and shout-outs about them (and the posts)",
}
# JSON payloads that may quote them (their id, a platform user id, their email, and next to
# it their words): the rows that mention them are deleted whoever they belong to (a message
# to the team quoting them, a colleague's flow about them, a raw event they sent).
PAYLOADS_DELETED: Mapping[str, str] = {
    "due_actions.payload": "queued or done work about them: contact messages, notices, cards",
    "inbound_events.payload": "raw platform events: what they typed, their profile",
    "console_messages.payload": "an admin's console copy of a message that quotes them",
    "dialog_states.data": "another person's flow about them",
}
# What they wrote, in rows that stay by opaque id (reports count them): table -> the column
# naming the author, and the written columns with their erased value.
WORDS_CLEARED: Mapping[str, tuple[str, Mapping[str, Any]]] = {
    "enrollments": (
        "person_id",
        {"goals": None, "motivation": None, "left_reason": None, "location": None},
    ),
    "feedback": (
        "person_id",
        {"learned": None, "comment": None, "changed": None, "testimonial": None},
    ),
    "recognitions": ("from_id", {"text": None}),
    "goals": ("created_by", {"text": ""}),
    "pairings": ("ended_by", {"end_reason": None}),
    "proposals": ("declined_by", {"decline_reason": None}),
}
# Opaque ids that stay: once the person row is a tombstone they name nobody, and the
# history, rules and counts that read them still hold.
IDS_KEPT: Mapping[str, str] = {
    "persons.assistant_id": "others' assistant link (the tombstone's own is emptied)",
    "enrollments.person_id": "participation counts; words cleared (WORDS_CLEARED)",
    "feedback.person_id": "ratings count; words cleared",
    "feedback_requests.person_id": "response rates count (who was asked, by opaque id)",
    "goal_checks.person_id": "which side checked a goal, history",
    "tips.created_by": "which admin wrote a tip",
    "goals.created_by": "the pair's goal list; words cleared",
    "pairings.mentor_id": "no repeat pairings, history",
    "pairings.mentee_id": "no repeat pairings, history",
    "pairings.ended_by": "history; the reason is cleared",
    "check_ins.picked_by": "who picked a session's time, history",
    "check_ins.confirmed_by": "who confirmed a session's time, history",
    "check_ins.cancelled_by": "who cancelled a session, history",
    "nudges.person_id": "how many nudges a person got (the weekly limit, reports)",
    "proposals.mentor_id": "history (waiting ones are withdrawn)",
    "proposals.mentee_id": "history (waiting ones are withdrawn)",
    "proposals.declined_by": "history; the reason is cleared",
    "consents.person_id": "proof of consent, by opaque id only",
    "admin_blocks.person_a": "an admin's rule between two people",
    "admin_blocks.person_b": "an admin's rule between two people",
    "admin_blocks.created_by": "which admin made the rule",
    "admin_pins.mentor_id": "an admin's rule between two people",
    "admin_pins.mentee_id": "an admin's rule between two people",
    "admin_pins.created_by": "which admin made the rule",
    "match_runs.created_by": "who ran the matching",
    "program_texts.created_by": "who wrote a charter version (the DPO's record)",
    "audit_events.actor_id": "the audit trail, by opaque id",
    "audit_events.subject_id": "the audit trail, by opaque id",
    # slack_sdk's installation store: the workspace's install, not a person's record; the
    # bot is not a person, and the installer's id is what Slack itself keeps for the token.
    "slack_installations.user_id": "the installer, as Slack's installation record needs",
    "slack_installations.bot_user_id": "the bot",
    "slack_bots.bot_user_id": "the bot",
}
# Free text and JSON that no person writes: their names and identifiers are still swept
# from it (``_sweep``), but there are no words of theirs to remove.
NOT_THEIR_WORDS: Mapping[str, str] = {
    "persons.languages": "emptied by the tombstone",
    "persons.quiet_days": "emptied by the tombstone",
    "platform_identities.conversation_ref": "deleted with the identity",
    "audit_events.details": "ids and counts, written by the bot",
    "due_actions.last_error": "the bot's error text",
    "deployment_values.value": "a generated secret",
    "organisations.slack_team_ids": "workspace ids",
    "organisations.teams_tenant_ids": "tenant ids",
    "team_channels.conversation_ref": "a channel, not a person",
    "programs.rules": "admin settings",
    "programs.matching_weights": "admin settings",
    "program_texts.body": "the charter or notice an admin or DPO wrote",
    "skill_translations.description": "the taxonomy",
    "enrollments.skills_offered": "skill keys and levels",
    "enrollments.skills_wanted": "skill keys and levels",
    "enrollments.offers_back": "choices from a fixed list",
    "enrollments.languages": "language codes",
    "match_runs.stats": "counts",
    "proposals.reasons": "the engine's reasons, by key",
    "feedback.skill_levels": "skill keys and levels",
    "feedback.skills": "skill keys",
    "feedback.retrospective": "skill keys and levels",
    "tips.text_fr": "the tips catalogue an admin wrote",
    "tips.text_en": "the tips catalogue an admin wrote",
    "recognitions.posted": "where a post lives (channel ids): deleted with the row",
    "check_ins.slots": "instants offered by the bot",
    "check_ins.answers": "person ids and yes/no/moved: swept by id",
    "programs.session_settings": "admin settings",
    "form_options.options": "the bot's option lists of a form on screen; expire within a day",
}


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
        # Whole identifiers only: a colleague's "U0ABC10" must survive erasing "U0ABC1", and
        # "jo@acme.example" must not eat into "jo@acme.example.org" or "ajo@acme.example".
        parts = [rf"(?<![\w.+-]){re.escape(i)}(?![\w-]|\.\w)" for i in reversed(self.identifiers)]
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


async def _targets(session: AsyncSession, email: str) -> list[Person]:
    """Every unerased record this email names: the person who has it, and anyone whose
    platform identity carries it. Outside the allow-lists an identity is not linked to the
    imported person but gets a record of its own (from the platform profile): the same
    human, whose names and words must go too. The record that has the email comes first."""
    wanted = email.strip().lower()
    owners = select(PlatformIdentity.person_id).where(sql.lower(PlatformIdentity.email) == wanted)
    found = await session.scalars(
        select(Person)
        .where(
            or_(sql.lower(Person.email) == wanted, Person.id.in_(owners)),
            Person.erased_at.is_(None),
        )
        .order_by(Person.created_at, Person.id)
    )
    return sorted(found, key=lambda p: (p.email or "").lower() != wanted)


def _column(name: str) -> Any:
    table, column = name.split(".")
    return Base.metadata.tables[table].c[column]


def _mentions(column: Any, ids: Iterable[str], emails: Iterable[str]) -> ColumnElement[bool]:
    """A JSON column that names one of ``ids`` as a whole string value (``"U0ABC"``, never
    a longer id that starts alike) or contains one of ``emails`` anywhere."""
    as_text = cast(column, Text)
    conditions = [as_text.contains(json.dumps(i), autoescape=True) for i in sorted(set(ids))]
    conditions += [
        sql.lower(as_text).contains(spelling, autoescape=True)
        for e in sorted(set(emails))
        for spelling in {e.lower(), json.dumps(e.lower())[1:-1]}
    ]
    return or_(*conditions)


async def _forget_on_disk(database: Database) -> None:
    """SQLite keeps former page images in the write-ahead log until a checkpoint: move them
    into the file (where ``secure_delete`` zeroed the erased cells) and empty the log.

    A reader that is still inside a transaction elsewhere makes the checkpoint stop short;
    the log is then emptied by the next checkpoint, and we say so."""
    if not database.is_sqlite:
        return
    async with database.engine.connect() as connection:
        # The raw driver, not connection.execute: our begin hook would open a transaction,
        # and a checkpoint inside one cannot truncate the log.
        raw = await connection.get_raw_connection()
        driver: Any = raw.driver_connection
        cursor = await driver.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        busy, *_ = await cursor.fetchone()
        await cursor.close()
    if busy:
        log.warning("forget.checkpoint_incomplete", reason="a reader is still in a transaction")


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
        "reads_calendar": None,
        "active": False,
        "left_at": left_at or now,
        "erased_at": now,
        "updated_at": now,
    }


async def forget_person(
    database: Database, email: str, actor_id: str | None = None, *, now: datetime
) -> str:
    """Erase the person with ``email`` and return their opaque id (the tombstone's).

    Every record the email names is erased (see ``_targets``); the first one's id is
    returned. Raises PersonNotFound when nobody (not already erased) has that email.
    """
    async with _erasing(database) as session:
        people = await _targets(session, email)
        if not people:
            raise PersonNotFound(email)
        await _erase(session, people, [email.strip()], actor_id, now=now, all_emails=True)
    await _forget_on_disk(database)
    return people[0].id


async def forget_person_by_id(
    database: Database, person_id: str, actor_id: str | None = None, *, now: datetime
) -> str:
    """Erase one person who asked for it themselves (``forget me`` in chat).

    Unlike ``forget_person`` (an admin naming an email), only this record goes, and only
    the emails it was proven to own count: its own, and a platform identity's when it is
    the same. An identity's email alone is a claim of the platform profile (outside the
    allow-lists anyone may type a colleague's address there), so it must not reach other
    people's queued work. Raises PersonNotFound when the record is gone or already erased.
    """
    async with _erasing(database) as session:
        person = await session.get(Person, person_id)
        if person is None or person.erased_at is not None:
            raise PersonNotFound(person_id)
        await _erase(session, [person], [], actor_id, now=now, all_emails=False)
    await _forget_on_disk(database)
    return person_id


@asynccontextmanager
async def _erasing(database: Database) -> AsyncIterator[AsyncSession]:
    async with database.unit_of_work(immediate=True) as session:
        if database.is_sqlite:
            # Deleted and overwritten cells are zeroed in the file instead of left in free
            # space, where the raw bytes would still show the email and words.
            await session.execute(text("PRAGMA secure_delete = ON"))
        yield session


async def _erase(
    session: AsyncSession,
    people: list[Person],
    given: list[str],
    actor_id: str | None,
    *,
    now: datetime,
    all_emails: bool,
) -> None:
    """Erase ``people`` (the first one is the subject of the audit record)."""
    pids = [p.id for p in people]
    identities = list(
        await session.scalars(select(PlatformIdentity).where(PlatformIdentity.person_id.in_(pids)))
    )
    owned = {p.email.strip().lower() for p in people if p.email}
    claimed = [i.email for i in identities if all_emails or (i.email or "").lower() in owned]
    emails = {e for e in [*given, *(p.email for p in people), *claimed] if e}
    user_ids = {i.user_id for i in identities} - set(pids)  # the console's is the pid
    needles = _Needles(
        identifiers=[*emails, *(p.employee_id for p in people), *user_ids],
        names=[n for p in people for n in _names(p)] + [i.display_name for i in identities],
    )
    counts: dict[str, int] = {}
    for pid in pids:  # their partners keep no session with a tombstone
        await cancel_future_sessions(session, pid, reason="forget", now=now)

    async def count(name: str, statement: Any) -> None:
        counts[name] = counts.get(name, 0) + _rowcount(await session.execute(statement))

    # What they wrote, in rows that stay by opaque id.
    for table_name, (author, cleared) in WORDS_CLEARED.items():
        table = Base.metadata.tables[table_name]
        await count(table_name, update(table).where(table.c[author].in_(pids)).values(cleared))
    await session.execute(
        update(Enrollment)
        .where(Enrollment.person_id.in_(pids), Enrollment.status.in_(OPEN_STATUSES))
        .values(status="left")
    )
    # Proposals waiting for them end (the other side is told and freed: that notice
    # names the other side only, so the deletions below keep it).
    for pid, program_id in (
        await session.execute(
            select(Proposal.mentor_id, Proposal.program_id)
            .where(Proposal.status == "sent", Proposal.mentor_id.in_(pids))
            .union(
                select(Proposal.mentee_id, Proposal.program_id).where(
                    Proposal.status == "sent", Proposal.mentee_id.in_(pids)
                )
            )
        )
    ).all():
        await withdraw_waiting(session, pid, program_id, now)
    # Every payload that names them, and with it the words next to their name.
    for name in PAYLOADS_DELETED:
        column = _column(name)
        await count(
            column.table.name,
            delete(column.table).where(_mentions(column, [*pids, *user_ids], emails)),
        )
    for name in ROWS_DELETED:
        column = _column(name)
        await count(column.table.name, delete(column.table).where(column.in_(pids)))

    # The tombstones: only the links that hold the management tree remain.
    for person in people:
        await session.execute(
            update(Person)
            .where(Person.id == person.id)
            .values(**tombstone(person.left_at, now))
            .execution_options(synchronize_session=False)
        )
    session.expunge_all()
    counts["scrubbed_rows"] = await _sweep(session, needles)
    for pid in pids:
        details: dict[str, Any] = dict(counts) if pid == pids[0] else {"with": pids[0]}
        session.add(
            AuditEvent(
                action="person.forgotten", actor_id=actor_id, subject_id=pid, details=details
            )
        )


def _names(person: Person) -> list[str | None]:
    full_name = f"{person.first_name or ''} {person.last_name or ''}".strip()
    return [person.first_name, person.last_name, full_name]
