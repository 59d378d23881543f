"""Reading an HRIS export: parse and validate the whole CSV file before anything is written.

Pure: the caller supplies the career-stage ladder and what the database already knows
about people (``KnownPerson``); nothing here touches storage. Every error carries the
line it was found on, so an admin can fix the file in one pass.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from zoneinfo import available_timezones

from babel import Locale, UnknownLocaleError

from bot.domain.hris_plan import HrisError, KnownPerson, plan_import

__all__ = [
    "FIELDS",
    "LOCALES",
    "HrisError",
    "HrisParse",
    "HrisRow",
    "KnownPerson",
    "StageRef",
    "parse_hris_csv",
]

LOCALES = ("fr", "en")

# Each field and the header spellings that mean it (after folding: lower case, no accents,
# spaces and dashes as underscores). French Excel exports use the French words.
FIELDS: dict[str, tuple[str, ...]] = {
    "employee_id": ("employee_id", "employee_number", "matricule", "id_employe", "emp_id"),
    "email": ("email", "e_mail", "mail", "courriel", "work_email", "adresse_email"),
    "first_name": ("first_name", "firstname", "given_name", "prenom"),
    "last_name": ("last_name", "lastname", "surname", "family_name", "nom", "nom_de_famille"),
    "title": ("title", "job_title", "poste", "fonction", "intitule_de_poste"),
    "department": ("department", "dept", "departement", "service", "direction"),
    "manager": ("manager", "manager_email", "manager_employee_id", "manager_id", "responsable"),
    "career_stage": ("career_stage", "stage", "niveau", "niveau_de_carriere"),
    "location": ("location", "site", "office", "lieu", "ville"),
    "timezone": ("timezone", "time_zone", "tz", "fuseau_horaire"),
    "language": ("language", "locale", "langue"),
    "languages": ("languages", "spoken_languages", "langues"),
}
# Column widths of the Person table: PostgreSQL refuses longer values, so say so per line.
MAX_LENGTHS = {
    "employee_id": 64,
    "email": 320,
    "first_name": 120,
    "last_name": 120,
    "title": 200,
    "department": 200,
    "location": 200,
}
LANGUAGE_NAMES = {
    "francais": "fr",
    "french": "fr",
    "anglais": "en",
    "english": "en",
    "espagnol": "es",
    "spanish": "es",
    "allemand": "de",
    "german": "de",
    "chinois": "zh",
    "chinese": "zh",
    "mandarin": "zh",
    "malais": "ms",
    "malay": "ms",
    "tamoul": "ta",
    "tamil": "ta",
}
EMAIL = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"'.]+$")
LIST_SEPARATORS = re.compile(r"[|,;/\s]+")


@dataclass(frozen=True)
class StageRef:
    """One rung of the career ladder, as the file may name it (key or either label)."""

    key: str
    label_fr: str
    label_en: str


@dataclass(frozen=True)
class HrisRow:
    """One valid person line. Fields whose column is absent are left as they are on import."""

    line: int
    email: str
    employee_id: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    title: str | None = None
    department: str | None = None
    manager: str | None = None  # an employee id, or an email (lower-cased)
    career_stage: str | None = None  # a stage key
    location: str | None = None
    timezone: str | None = None  # a canonical IANA name
    locale: str | None = None  # fr | en
    languages: tuple[str, ...] = ()
    columns: frozenset[str] = field(default_factory=frozenset)  # the fields the file gives


@dataclass(frozen=True)
class HrisParse:
    rows: list[HrisRow]
    errors: list[HrisError]
    ignored_columns: list[str]
    delimiter: str = ","
    encoding: str = "utf-8"

    @property
    def ok(self) -> bool:
        return not self.errors


def fold(text: str) -> str:
    """Lower case without accents: how headers and labels are compared."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@cache
def _time_zones() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


@cache
def _language_code(text: str) -> str | None:
    folded = fold(text)
    if folded in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[folded]
    code = re.split(r"[-_]", folded)[0]
    if not re.fullmatch(r"[a-z]{2,3}", code):
        return None
    try:
        Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return None
    return code


def _decode(data: bytes | str) -> tuple[str, str]:
    if isinstance(data, str):
        return data.removeprefix("\ufeff"), "utf-8"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        # French Excel's plain "CSV" format is Windows-1252, not UTF-8.
        return data.decode("cp1252", errors="replace"), "cp1252"


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _header_fields(
    header: list[str],
) -> tuple[dict[int, str], list[str], list[HrisError]]:
    by_spelling = {spelling: name for name, spellings in FIELDS.items() for spelling in spellings}
    positions: dict[int, str] = {}
    seen: dict[str, str] = {}
    ignored: list[str] = []
    errors: list[HrisError] = []
    for position, raw in enumerate(header):
        name = by_spelling.get(re.sub(r"[\s\-]+", "_", fold(raw)))
        if name is None:
            if raw.strip():
                ignored.append(raw.strip())
            continue
        if name in seen:
            errors.append(HrisError.of(1, "duplicate_column", column=raw.strip(), other=seen[name]))
            continue
        seen[name] = raw.strip()
        positions[position] = name
    if "email" not in seen:
        errors.append(HrisError.of(1, "no_email_column"))
    return positions, ignored, errors


class _RowReader:
    """Turns the cells of one line into an HrisRow, collecting that line's errors."""

    def __init__(self, stages: Sequence[StageRef], columns: frozenset[str]) -> None:
        self.columns = columns
        self.stage_keys = [s.key for s in stages]
        self.stages: dict[str, str] = {}
        for stage in stages:
            for name in (stage.label_fr, stage.label_en, stage.key):
                self.stages[fold(name)] = stage.key

    def read(self, line: int, cells: dict[str, str | None]) -> tuple[HrisRow, list[HrisError]]:
        errors: list[HrisError] = []
        for name, limit in MAX_LENGTHS.items():
            value = cells.get(name)
            if value is not None and len(value) > limit:
                errors.append(HrisError.of(line, "too_long", column=name, limit=str(limit)))
                cells[name] = None
        email = (cells.get("email") or "").lower()
        if not email:
            errors.append(HrisError.of(line, "missing_email"))
        elif not EMAIL.match(email):
            errors.append(HrisError.of(line, "bad_email", email=email))
        manager = cells.get("manager")
        if manager and "@" in manager:
            manager = manager.lower()
        stage = cells.get("career_stage")
        stage_key = self.stages.get(fold(stage)) if stage else None
        if stage and stage_key is None:
            known = ", ".join(self.stage_keys)
            errors.append(HrisError.of(line, "unknown_career_stage", stage=stage, known=known))
        zone = cells.get("timezone")
        zone_name = _time_zones().get(zone.lower()) if zone else None
        if zone and zone_name is None:
            errors.append(HrisError.of(line, "unknown_timezone", timezone=zone))
        locale = self._locale(line, cells.get("language"), errors)
        languages = self._languages(line, cells.get("languages"), errors)
        if locale and "languages" in self.columns and locale not in languages:
            languages = (locale, *languages)
        row = HrisRow(
            line=line,
            email=email,
            employee_id=cells.get("employee_id"),
            first_name=cells.get("first_name"),
            last_name=cells.get("last_name"),
            title=cells.get("title"),
            department=cells.get("department"),
            manager=manager,
            career_stage=stage_key,
            location=cells.get("location"),
            timezone=zone_name,
            locale=locale,
            languages=languages,
            columns=self.columns,
        )
        return row, errors

    @staticmethod
    def _locale(line: int, text: str | None, errors: list[HrisError]) -> str | None:
        if not text:
            return None
        code = _language_code(text)
        if code not in LOCALES:
            errors.append(HrisError.of(line, "unknown_language", language=text))
            return None
        return code

    @staticmethod
    def _languages(line: int, text: str | None, errors: list[HrisError]) -> tuple[str, ...]:
        codes: list[str] = []
        for part in LIST_SEPARATORS.split(text or ""):
            if not part:
                continue
            code = _language_code(part)
            if code is None:
                errors.append(HrisError.of(line, "unknown_spoken_language", language=part))
            elif code not in codes:
                codes.append(code)
        return tuple(codes)


def parse_hris_csv(
    data: bytes | str,
    *,
    stages: Sequence[StageRef],
    directory: Sequence[KnownPerson] = (),
) -> HrisParse:
    """Read a whole HRIS export and report every problem with its line number.

    Accepts ``,``, ``;`` or tab delimiters and a UTF-8 byte-order mark (French Excel).
    ``directory`` is everyone already in the database, so that a manager may be someone
    the file does not list and a re-import updates rather than duplicates.
    """
    text, encoding = _decode(data)
    first_line = text.split("\n", 1)[0]
    delimiter = _delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return HrisParse([], [HrisError.of(1, "empty_file")], [], delimiter, encoding)
    positions, ignored, errors = _header_fields(header)
    if errors:
        return HrisParse([], errors, ignored, delimiter, encoding)
    columns = frozenset(positions.values())
    row_reader = _RowReader(stages, columns)
    rows: list[HrisRow] = []
    first_seen: dict[tuple[str, str], int] = {}
    planned: list[HrisRow] = []
    line = reader.line_num + 1
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            line = reader.line_num + 1
            continue
        extra = [c for c in cells[len(header) :] if c.strip()]
        values: dict[str, str | None] = {name: None for name in columns}
        for position, name in positions.items():
            if position < len(cells):
                values[name] = cells[position].strip() or None
        row, row_errors = row_reader.read(line, values)
        if extra:
            row_errors.append(HrisError.of(line, "too_many_cells", cells=str(len(cells))))
        duplicate = False
        for kind, key in (("employee id", row.employee_id), ("email", row.email or None)):
            if key is None:
                continue
            earlier = first_seen.setdefault((kind, key.casefold()), line)
            if earlier != line:
                duplicate = True
                row_errors.append(
                    HrisError.of(line, "duplicate", kind=kind, value=key, other=str(earlier))
                )
        errors.extend(row_errors)
        rows.append(row)
        if not duplicate:  # a repeated line is reported once, as a duplicate
            planned.append(row)
        line = reader.line_num + 1
    if not rows:  # with --full, an empty list would mark everyone as having left
        errors.append(HrisError.of(1, "no_rows"))
    errors.extend(plan_import(planned, directory).errors)
    errors.sort(key=lambda e: e.line)
    return HrisParse(rows, errors, ignored, delimiter, encoding)
