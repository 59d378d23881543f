"""People from the HRIS: check a file, import it in bulk, export people, and forget a person.

Each function opens its own unit of work. The import reads everyone once and writes with
bulk statements (no query per line), so a 10,000-line file takes seconds, not minutes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.domain.hris import HrisParse, HrisRow, StageRef, parse_hris_csv
from bot.domain.hris_plan import HrisError, KnownPerson, plan_import
from storage.db import Database
from storage.erasure import PersonNotFound, forget_person
from storage.models import AuditEvent, CareerStage, Person
from storage.types import new_opaque_id, utcnow

__all__ = [
    "EXPORT_COLUMNS",
    "ImportReport",
    "PeopleImportError",
    "PersonNotFound",
    "check_people_file",
    "export_people",
    "forget_person",
    "import_people",
]

BATCH = 1000
# Person columns an import may set, by the HRIS field that feeds them.
COPIED_FIELDS = (
    "employee_id",
    "email",
    "first_name",
    "last_name",
    "title",
    "department",
    "location",
    "timezone",
)
COMPARED = (
    *COPIED_FIELDS,
    "career_stage_id",
    "locale",
    "languages",
    "manager_id",
    "active",
    "left_at",
)
EXPORT_COLUMNS = (
    "email",
    "employee_id",
    "first_name",
    "last_name",
    "title",
    "department",
    "manager_email",
    "career_stage",
    "location",
    "timezone",
    "locale",
    "languages",
    "active",
    "left_at",
)


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    left: int
    unchanged: int
    dry_run: bool = False


class PeopleImportError(Exception):
    """The file (or the rows) cannot be imported; nothing was written. One error per problem."""

    def __init__(self, errors: Sequence[HrisError]) -> None:
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} error(s): nothing was imported")


async def _stages(session: AsyncSession) -> list[CareerStage]:
    result = await session.execute(select(CareerStage).order_by(CareerStage.rank))
    return list(result.scalars())


async def _people(session: AsyncSession) -> dict[str, dict[str, Any]]:
    columns = [getattr(Person, name) for name in ("id", *COMPARED, "erased_at")]
    result = await session.execute(select(*columns))
    return {row.id: dict(row._mapping) for row in result}


def _directory(people: dict[str, dict[str, Any]]) -> list[KnownPerson]:
    return [
        KnownPerson(p["id"], p["employee_id"], p["email"], p["manager_id"]) for p in people.values()
    ]


async def check_people_file(database: Database, data: bytes | str) -> HrisParse:
    """Parse and validate a whole HRIS export against the ladder and the people stored."""
    async with database.unit_of_work() as session:
        stages = [StageRef(s.key, s.label_fr, s.label_en) for s in await _stages(session)]
        people = await _people(session)
    return parse_hris_csv(data, stages=stages, directory=_directory(people))


def _desired(
    row: HrisRow, current: dict[str, Any] | None, stage_ids: dict[str, int]
) -> dict[str, Any]:
    """The person's values once this line applies; absent columns keep what is stored."""
    values: dict[str, Any] = {"active": True, "left_at": None}
    for name in COPIED_FIELDS:
        if name in row.columns or current is None:
            values[name] = getattr(row, name)
    values["email"] = row.email
    if row.employee_id is None and current is not None:
        values["employee_id"] = current["employee_id"]  # a blank cell never drops the HRIS key
    if "career_stage" in row.columns or current is None:
        values["career_stage_id"] = stage_ids[row.career_stage] if row.career_stage else None
    if "language" in row.columns or current is None:
        values["locale"] = row.locale
    known_languages: list[str] = list(current["languages"] or []) if current else []
    if "languages" in row.columns:
        values["languages"] = list(row.languages)
    elif row.locale and row.locale not in known_languages:
        values["languages"] = [row.locale, *known_languages]
    else:
        values["languages"] = known_languages
    return values


async def import_people(
    database: Database,
    rows: Sequence[HrisRow],
    *,
    full: bool = False,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Create or update people from parsed HRIS rows, all at once or not at all.

    ``rows`` come from a parse without errors. Lines update the person with their employee
    id, else with their email. ``full`` marks active people absent from the rows as having
    left (they are kept). ``dry_run`` computes the same report and writes nothing.
    ``progress`` is called with the number of rows just processed (its calls add up to
    ``len(rows)``). Raises PeopleImportError when the rows no longer fit the database.
    """
    async with database.unit_of_work(immediate=True) as session:
        stage_ids = {s.key: s.id for s in await _stages(session)}
        people = await _people(session)
        plan = plan_import(rows, _directory(people))
        errors = list(plan.errors)
        if full and not rows:
            errors.append(HrisError.of(1, "no_rows"))
        for row in rows:
            if row.career_stage and row.career_stage not in stage_ids:
                known = ", ".join(stage_ids)
                errors.append(
                    HrisError.of(
                        row.line, "unknown_career_stage", stage=row.career_stage, known=known
                    )
                )
        if errors:
            raise PeopleImportError(sorted(errors, key=lambda e: e.line))

        now = utcnow()
        ids = [match or new_opaque_id() for match in plan.matches]
        created: list[dict[str, Any]] = []
        changed: list[dict[str, Any]] = []
        new_managers: list[dict[str, Any]] = []
        unchanged = 0
        for index, row in enumerate(rows):
            current = people.get(ids[index]) if plan.matches[index] else None
            values = _desired(row, current, stage_ids)
            link = plan.managers[index]
            manager_id = None
            if link is not None:
                manager_id = ids[link.row] if link.row is not None else link.person_id
            if current is None:
                created.append(
                    {"id": ids[index], **values, "manager_id": None}
                    | {"created_at": now, "updated_at": now}
                )
                if manager_id is not None:
                    new_managers.append({"id": ids[index], "manager_id": manager_id})
                continue
            if "manager" in row.columns:
                values["manager_id"] = manager_id
            if all(values[name] == current[name] for name in values):
                unchanged += 1
            else:
                changed.append({"id": ids[index], **values, "updated_at": now})

        present = set(ids)
        leaving = [
            {"id": pid, "active": False, "left_at": now, "updated_at": now}
            for pid, person in people.items()
            if full and person["active"] and person["erased_at"] is None and pid not in present
        ]
        report = ImportReport(len(created), len(changed), len(leaving), unchanged, dry_run)

        if dry_run:
            if progress and rows:
                progress(len(rows))
            return report
        # New people first, without managers: a manager may be a later new person.
        await _in_batches(session, insert(Person), created, progress)
        await _in_batches(session, update(Person), changed, progress)
        if progress and unchanged:
            progress(unchanged)
        await _in_batches(session, update(Person), new_managers, None)
        await _in_batches(session, update(Person), leaving, None)
        session.add(
            AuditEvent(
                action="people.imported",
                details={
                    "created": report.created,
                    "updated": report.updated,
                    "left": report.left,
                    "unchanged": report.unchanged,
                    "full": full,
                },
            )
        )
        return report


async def _in_batches(
    session: AsyncSession,
    statement: Any,
    values: list[dict[str, Any]],
    progress: Callable[[int], None] | None,
) -> None:
    for start in range(0, len(values), BATCH):
        batch = values[start : start + BATCH]
        await session.execute(statement, batch)
        if progress:
            progress(len(batch))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _export_statement() -> Select[*tuple[Any, ...]]:
    """People as HRIS-like records (EXPORT_COLUMNS), the erased left out."""
    manager = aliased(Person)
    return (
        select(
            Person.email,
            Person.employee_id,
            Person.first_name,
            Person.last_name,
            Person.title,
            Person.department,
            manager.email.label("manager_email"),
            CareerStage.key.label("career_stage"),
            Person.location,
            Person.timezone,
            Person.locale,
            Person.languages,
            Person.active,
            Person.left_at,
        )
        .outerjoin(manager, Person.manager_id == manager.id)
        .outerjoin(CareerStage, Person.career_stage_id == CareerStage.id)
        .where(Person.erased_at.is_(None))
        .order_by(Person.department, Person.last_name, Person.first_name, Person.email)
    )


def _record(row: Row[Any]) -> dict[str, Any]:
    return dict(row._mapping) | {
        "languages": list(row.languages or []),
        "left_at": _iso(row.left_at),
    }


async def export_people(database: Database, email: str | None = None) -> list[dict[str, Any]]:
    """Everyone stored (not the erased), as HRIS-like records; or the one with ``email``.

    The keys are EXPORT_COLUMNS; ``languages`` is a list, ``active`` a bool. The columns
    read back by the import (``manager_email`` and ``locale`` are accepted headers).
    """
    statement = _export_statement()
    if email is not None:
        statement = statement.where(func.lower(Person.email) == email.strip().lower())
    async with database.unit_of_work() as session:
        records = [_record(row) for row in await session.execute(statement)]
    if email is not None and not records:
        raise PersonNotFound(email)
    return records


async def person_record(session: AsyncSession, person_id: str) -> dict[str, Any] | None:
    """One person's record, as ``export_people`` (``tandem people export``) writes it."""
    row = (await session.execute(_export_statement().where(Person.id == person_id))).first()
    return _record(row) if row is not None else None
