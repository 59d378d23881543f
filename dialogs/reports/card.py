"""The chat card of ``admin report``: the totals as facts, a line per breakdown group.

Pure (the platform-limits test renders it). Departments and locations are what HR typed:
shown inert. Long breakdowns stop after ``MAX_GROUPS`` with a pointer to the CSV.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.domain.reports.figures import FIGURES, Report
from dialogs.core.content import Inline, Paragraph, Text, Timestamp, UserText
from dialogs.core.i18n import N_, Translator
from dialogs.core.ui import Block, Facts, Header, Message, Section
from dialogs.reports.words import (
    BREAKDOWN_LABELS,
    LABELS,
    group_words,
    privacy_note,
    refusal_words,
    value_words,
)

MAX_GROUPS = 12
MAX_QUOTES = 3
# The figures of a group's line, short: a phone shows one line per group.
SHORT: Mapping[str, str] = {
    "enrolled": N_("Enrolled"),
    "matched": N_("Matched"),
    "feedback_response_rate": N_("Feedback response rate"),
    "pulse_response_rate": N_("Pulse response rate"),
    "average_rating": N_("Rating"),
    "nps": N_("NPS"),
    "skill_before": N_("Skills before"),
    "skill_after": N_("after"),
    "skill_retrospective": N_("looking back"),
    "goals_done": N_("Goals done"),
}


def report_card(
    t: Translator,
    name: str,
    report: Report,
    *,
    period: str,
    stages: Mapping[str, Mapping[str, str]],
) -> Message:
    title = t("Program report")
    head: list[Inline] = [UserText(name), Text(" — " + period)]
    blocks: list[Block] = [Header(title), Section((Paragraph(tuple(head)),))]
    if report.refusal is not None:
        blocks.append(Section((Paragraph.of(refusal_words(t, report.refusal)),)))
        return Message(tuple(blocks), summary=title, visibility="private")
    facts = tuple(
        (t(LABELS[s.key]), Paragraph.of(value_words(t, report, s.key, report.totals[s.key])))
        for s in FIGURES
    )
    blocks.append(Facts(facts))
    if report.quotes:
        quotes = [Paragraph((Text(t("In their words:"), strong=True),))]
        quotes += [Paragraph((UserText(q),)) for q in report.quotes[:MAX_QUOTES]]
        blocks.append(Section(tuple(quotes)))
    if report.by is not None:
        blocks.append(_breakdown(t, report, stages))
    notes = [Paragraph.of(privacy_note(t, report))]
    if report.answers_until is not None:
        notes.append(_until(t, report.answers_until))
    blocks.append(Section(tuple(notes)))
    return Message(tuple(blocks), summary=title, visibility="private")


def _until(t: Translator, at: datetime) -> Paragraph:
    return Paragraph((Text(t("Answers counted until") + " "), Timestamp(at, "date")))


def _breakdown(t: Translator, report: Report, stages: Mapping[str, Mapping[str, str]]) -> Section:
    assert report.by is not None
    lines = [Paragraph((Text(t(BREAKDOWN_LABELS[report.by]), strong=True),))]
    for group in report.groups[:MAX_GROUPS]:
        parts = [
            f"{t(SHORT[s.key])} {value_words(t, report, s.key, report.cell(s.key, group))}"
            for s in FIGURES
            if s.per_group
        ]
        named = group_words(t, report.by, group, stages)
        shown: Inline = UserText(named) if report.by in ("department", "location") else Text(named)
        lines.append(Paragraph((shown, Text(" — " + " · ".join(parts)))))
    if len(report.groups) > MAX_GROUPS:
        left = len(report.groups) - MAX_GROUPS
        more = t.tn(
            "… and {count} more group: the CSV of tandem report has them all.",
            "… and {count} more groups: the CSV of tandem report has them all.",
            left,
        )
        lines.append(Paragraph.of(more))
    return Section(tuple(lines))
