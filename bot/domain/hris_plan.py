"""Who each HRIS line is, and who their manager is: matched against the file and the database.

Pure. Used twice: by the parser, to report every problem before anything is written, and
by the import itself, inside its transaction, to know which rows it updates and which it
creates. A line updates the person with its employee id, else the person with its email
(someone who chatted with the bot before being imported is completed, not duplicated).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.domain.hris import HrisRow

# English wording of each error code; the code and its parameters travel with the error
# so that a French interface can word them itself.
MESSAGES: dict[str, str] = {
    "empty_file": "the file is empty",
    "no_rows": "the file lists nobody (a header and no people)",
    "no_email_column": "the header has no email column (email, courriel or mail)",
    "duplicate_column": "columns '{column}' and '{other}' give the same field",
    "too_long": "{column} is longer than {limit} characters",
    "missing_email": "missing email",
    "bad_email": "'{email}' is not a valid email address",
    "unknown_career_stage": "unknown career stage '{stage}' (known: {known})",
    "unknown_timezone": "unknown time zone '{timezone}' (use an IANA name such as Europe/Paris)",
    "unknown_language": "unknown language '{language}' (use fr or en)",
    "unknown_spoken_language": (
        "unknown language '{language}' in languages (use codes: fr, en, es…)"
    ),
    "too_many_cells": "the line has {cells} cells, more than the header",
    "duplicate": "duplicate {kind} '{value}' (already on line {other})",
    "manager_not_found": "manager '{manager}' is neither in the file nor in the database",
    "own_manager": "{person} is their own manager",
    "management_cycle": "management cycle: {chain}",
    "email_taken": "email '{email}' already belongs to another person ({other})",
    "employee_id_mismatch": (
        "email '{email}' belongs to employee {other} in the database, not to {employee_id}"
    ),
    "same_person": "this line and line {other} describe the same person",
}


@dataclass(frozen=True)
class HrisError:
    """One problem in the file. ``line`` 1 is the header; data starts on line 2."""

    line: int
    code: str
    message: str
    params: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, line: int, code: str, **params: str) -> HrisError:
        return cls(line, code, MESSAGES[code].format(**params), params)

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True)
class KnownPerson:
    """Someone already in the database (erased people too: they still hold the tree)."""

    id: str
    employee_id: str | None
    email: str | None
    manager_id: str | None


@dataclass(frozen=True)
class ManagerLink:
    """A manager named by the file: another line of it, or someone already stored."""

    row: int | None = None  # index in the rows
    person_id: str | None = None


@dataclass
class ImportPlan:
    matches: list[str | None]  # per row: the id of the person it updates, None = a new person
    managers: list[ManagerLink | None]  # per row: None = no manager (or no manager column)
    errors: list[HrisError]


def _person_label(person: KnownPerson | None) -> str:
    if person is None:
        return "an unknown person"
    return person.employee_id or person.email or "an erased person"


def plan_import(rows: Sequence[HrisRow], directory: Sequence[KnownPerson]) -> ImportPlan:
    by_id = {p.id: p for p in directory}
    db_by_employee_id = {p.employee_id: p for p in directory if p.employee_id}
    db_by_email = {p.email.lower(): p for p in directory if p.email}
    errors: list[HrisError] = []

    matches: list[str | None] = []
    claimed: dict[str, int] = {}
    for index, row in enumerate(rows):
        match: KnownPerson | None = None
        by_email = db_by_email.get(row.email) if row.email else None
        if row.employee_id and row.employee_id in db_by_employee_id:
            match = db_by_employee_id[row.employee_id]
            if by_email is not None and by_email.id != match.id:
                other = by_email.employee_id or "a person without employee id"
                errors.append(HrisError.of(row.line, "email_taken", email=row.email, other=other))
        elif by_email is not None:
            if row.employee_id and by_email.employee_id:
                errors.append(
                    HrisError.of(
                        row.line,
                        "employee_id_mismatch",
                        email=row.email,
                        other=by_email.employee_id,
                        employee_id=row.employee_id,
                    )
                )
            else:
                match = by_email
        if match is not None:
            if match.id in claimed:
                other_line = str(rows[claimed[match.id]].line)
                errors.append(HrisError.of(row.line, "same_person", other=other_line))
                match = None
            else:
                claimed[match.id] = index
        matches.append(match.id if match else None)

    file_by_employee_id: dict[str, int] = {}
    file_by_email: dict[str, int] = {}
    for index, row in enumerate(rows):
        if row.employee_id:
            file_by_employee_id.setdefault(row.employee_id, index)
        if row.email:
            file_by_email.setdefault(row.email, index)

    managers: list[ManagerLink | None] = []
    for row in rows:
        if not row.manager:
            managers.append(None)
            continue
        ref = row.manager
        line_index = file_by_employee_id.get(ref, file_by_email.get(ref.lower()))
        known = db_by_employee_id.get(ref) or db_by_email.get(ref.lower())
        if line_index is not None:
            managers.append(ManagerLink(row=line_index))
        elif known is not None:
            managers.append(ManagerLink(person_id=known.id))
        else:
            managers.append(None)
            errors.append(HrisError.of(row.line, "manager_not_found", manager=ref))

    errors.extend(_cycles(rows, directory, by_id, matches, managers))
    return ImportPlan(matches, managers, errors)


def _cycles(
    rows: Sequence[HrisRow],
    directory: Sequence[KnownPerson],
    by_id: Mapping[str, KnownPerson],
    matches: Sequence[str | None],
    managers: Sequence[ManagerLink | None],
) -> list[HrisError]:
    """Management cycles once the file is applied: each is reported once, on its first line."""
    node_of_row = [match or f"\0row{index}" for index, match in enumerate(matches)]
    row_of_node = {node: index for index, node in enumerate(node_of_row)}
    edges: dict[str, str | None] = {p.id: p.manager_id for p in directory}
    for index, row in enumerate(rows):
        node = node_of_row[index]
        if "manager" not in row.columns:
            edges.setdefault(node, None)  # the file keeps the manager the database knows
            continue
        link = managers[index]
        if link is None:
            edges[node] = None
        elif link.row is not None:
            edges[node] = node_of_row[link.row]
        else:
            edges[node] = link.person_id

    def label(node: str) -> str:
        if node in row_of_node:
            row = rows[row_of_node[node]]
            return row.employee_id or row.email
        return _person_label(by_id.get(node))

    errors: list[HrisError] = []
    done: set[str] = set()
    for start in node_of_row:
        path: list[str] = []
        on_path: dict[str, int] = {}
        current: str | None = start
        while current is not None and current not in done and current not in on_path:
            on_path[current] = len(path)
            path.append(current)
            current = edges.get(current)
        if current is not None and current in on_path:
            cycle = path[on_path[current] :]
            in_file = [n for n in cycle if n in row_of_node]
            if in_file:
                first = min(in_file, key=lambda n: rows[row_of_node[n]].line)
                turn = cycle.index(first)
                ordered = cycle[turn:] + cycle[:turn]
                line = rows[row_of_node[first]].line
                if len(ordered) == 1:
                    errors.append(HrisError.of(line, "own_manager", person=label(first)))
                else:
                    chain = " → ".join(label(n) for n in [*ordered, first])
                    errors.append(HrisError.of(line, "management_cycle", chain=chain))
        done.update(path)
    return errors
