"""From the schema itself: every column that may refer to a person is covered by ``forget``
(storage/erasure.py) and by ``people merge`` (storage/people/merge.py).

A column refers to a person when it holds an opaque person id (the ``PersonId`` type, a
key to ``persons``, or a name such as ``*_by``, ``person_*``, ``mentor_id``), personal
data (``email``, ``*_name`` of a person), or words (any free text or JSON payload). Such a
column added without saying what erasure and merge do with it fails here.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import JSON, Column, MetaData, String, Table, Text
from sqlalchemy.types import TypeEngine

from storage import erasure
from storage.models import Base
from storage.people import merge as people_merge
from storage.types import PersonId

ID_NAMES = re.compile(
    r"^(person_id|person_[ab]|actor_id|subject_id|mentor_id|mentee_id|manager_id"
    r"|assistant_id|.*user_id|.*_by)$"
)
PERSONAL_NAMES = re.compile(r"^(.*email|first_name|last_name|display_name|full_name)$")


def _is_json(kind: TypeEngine[object]) -> bool:
    return isinstance(kind, JSON) or any(
        isinstance(v, JSON) for v in getattr(kind, "_variant_mapping", {}).values()
    )


def holds_person_id(column: Column[object]) -> bool:
    return (
        column.type is PersonId
        or any(fk.column.table.name == "persons" for fk in column.foreign_keys)
        or bool(ID_NAMES.match(column.name))
    )


def refers_to_a_person(column: Column[object]) -> bool:
    return (
        holds_person_id(column)
        or bool(PERSONAL_NAMES.match(column.name))
        or isinstance(column.type, Text)
        or _is_json(column.type)
    )


def _names(metadata: MetaData) -> set[str]:
    return {f"{t.name}.{c.name}" for t in metadata.sorted_tables for c in t.columns}


def uncovered_by_forget(metadata: MetaData) -> set[str]:
    """Columns that refer to a person and that no declaration of ``forget`` names."""
    tombstoned = {f"persons.{name}" for name in erasure.tombstone(None, datetime.now(UTC))}
    deleted_tables = {name.split(".")[0] for name in erasure.ROWS_DELETED}
    cleared = {
        f"{table}.{column}"
        for table, (author, values) in erasure.WORDS_CLEARED.items()
        for column in (author, *values)
    }
    declared = (
        tombstoned
        | set(erasure.PERSON_KEPT)
        | set(erasure.PAYLOADS_DELETED)
        | cleared
        | set(erasure.IDS_KEPT)
        | set(erasure.NOT_THEIR_WORDS)
    )
    found = set()
    for table in metadata.sorted_tables:
        for column in table.columns:
            name = f"{table.name}.{column.name}"
            if table.name == "persons" and name not in declared:
                found.add(name)  # every column of the person row, personal or not
            elif table.name in deleted_tables:
                continue  # its rows go whole
            elif refers_to_a_person(column) and name not in declared:
                found.add(name)
    return found


def uncovered_by_merge(metadata: MetaData) -> set[str]:
    declared = (
        set(people_merge.MOVED) | set(people_merge.NOT_MOVED) | set(people_merge.NOT_MOVED_YET)
    )
    return {
        f"{t.name}.{c.name}"
        for t in metadata.sorted_tables
        for c in t.columns
        if holds_person_id(c) and f"{t.name}.{c.name}" not in declared
    }


def test_every_column_that_refers_to_a_person_is_covered_by_forget() -> None:
    assert uncovered_by_forget(Base.metadata) == set()


def test_every_person_id_column_is_covered_by_people_merge() -> None:
    assert uncovered_by_merge(Base.metadata) == set()


def test_the_declarations_name_real_columns() -> None:
    # A renamed or dropped column must leave the declarations too, or they lie.
    columns = _names(Base.metadata)
    declared = [
        *erasure.PERSON_KEPT,
        *erasure.ROWS_DELETED,
        *erasure.PAYLOADS_DELETED,
        *erasure.IDS_KEPT,
        *erasure.NOT_THEIR_WORDS,
        *(f"{t}.{a}" for t, (a, _) in erasure.WORDS_CLEARED.items()),
        *(f"{t}.{c}" for t, (_, v) in erasure.WORDS_CLEARED.items() for c in v),
        *(f"persons.{c}" for c in erasure.tombstone(None, datetime.now(UTC))),
        *people_merge.MOVED,
        *people_merge.NOT_MOVED,
        *people_merge.NOT_MOVED_YET,
    ]
    assert [name for name in declared if name not in columns] == []
    # And a column is given one fate by each module, not two.
    assert not set(people_merge.MOVED) & (
        set(people_merge.NOT_MOVED) | set(people_merge.NOT_MOVED_YET)
    )


def test_a_new_column_about_a_person_is_caught() -> None:
    # The checks above would pass vacuously if they could not see a new column: add some
    # to a copy of the schema, as a future migration would.
    metadata = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(metadata)
    Table("check_ins", metadata, Column("reviewer_id", PersonId), extend_existing=True)
    Table("goals", metadata, Column("approved_by", String(64)), extend_existing=True)
    Table("pairings", metadata, Column("private_note", Text), extend_existing=True)
    Table("persons", metadata, Column("nickname", Text), extend_existing=True)
    assert uncovered_by_forget(metadata) == {
        "check_ins.reviewer_id",
        "goals.approved_by",
        "pairings.private_note",
        "persons.nickname",
    }
    assert uncovered_by_merge(metadata) == {"check_ins.reviewer_id", "goals.approved_by"}
