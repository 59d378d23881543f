"""The report as text (a terminal, an e-mail) and as CSV (HR's BI tools).

Both take every value and every hidden marker from ``words``: the same cells are hidden,
with the same marker, as in the chat card.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import date

from bot.domain.reports.figures import FIGURES, Report
from dialogs.core.i18n import Translator
from dialogs.reports.words import (
    BREAKDOWN_LABELS,
    LABELS,
    group_words,
    hidden_word,
    plain_value,
    privacy_note,
    refusal_words,
    value_words,
)

CSV_COLUMNS = ("figure", "label", "breakdown", "group", "value", "hidden")


def period_words(t: Translator, start: date | None, end: date | None) -> str:
    if start is None and end is None:
        return t("the whole program")
    if start is None:
        return t("until {end}", end=str(end))
    if end is None:
        return t("from {start}", start=str(start))
    return t("from {start} to {end}", start=str(start), end=str(end))


def report_text(
    t: Translator,
    name: str,
    report: Report,
    *,
    period: str,
    until: date | None,
    stages: Mapping[str, Mapping[str, str]],
) -> str:
    lines = [t("Report: {program}", program=name), t("Period: {period}", period=period)]
    if report.refusal is not None:
        return "\n".join([*lines, "", refusal_words(t, report.refusal)]) + "\n"
    if until is not None:
        lines.append(t("Answers counted until {date}", date=str(until)))
    lines.append("")
    width = max(len(t(LABELS[f.key])) for f in FIGURES)
    for spec in FIGURES:
        value = value_words(t, report, spec.key, report.totals[spec.key])
        lines.append(f"{t(LABELS[spec.key]):<{width}}  {value}")
    if report.quotes:
        lines += ["", t("In their words:"), *(f"« {q} »" if t.locale == "fr" else f"“{q}”"
                                               for q in report.quotes)]  # fmt: skip
    if report.by is not None:
        lines += ["", t(BREAKDOWN_LABELS[report.by])]
        names = [group_words(t, report.by, g, stages) for g in report.groups]
        rows = [["", *names]]
        for spec in (f for f in FIGURES if f.per_group):
            rows.append(
                [t(LABELS[spec.key])]
                + [
                    value_words(t, report, spec.key, report.cell(spec.key, g))
                    for g in report.groups
                ]
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
    lines += ["", privacy_note(t, report)]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def report_csv(t: Translator, report: Report, stages: Mapping[str, Mapping[str, str]]) -> str:
    """One row per figure and group; a refused report is a header only (the reason goes to
    standard error). ``value`` is plain (dot decimals, shares in percent), ``hidden`` the
    marker the chat shows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    if report.refusal is not None:
        return out.getvalue()
    for spec in FIGURES:
        cell = report.totals[spec.key]
        writer.writerow((spec.key, t(LABELS[spec.key]), "", "", plain_value(spec.key, cell),
                         hidden_word(t, report, spec.key, cell) or ""))  # fmt: skip
    if report.by is not None:
        for spec in (f for f in FIGURES if f.per_group):
            for g in report.groups:
                cell = report.cell(spec.key, g)
                writer.writerow((
                    spec.key, t(LABELS[spec.key]), report.by,
                    group_words(t, report.by, g, stages), plain_value(spec.key, cell),
                    hidden_word(t, report, spec.key, cell) or "",
                ))  # fmt: skip
    return out.getvalue()
