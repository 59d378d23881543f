"""The dry-run report an admin reads before sending proposals: counts, average score,
optimality, why people are left without a partner, whom to recruit, and numbered pairs
that ``admin match remove|swap`` refer to."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from dialogs.core.content import Paragraph, Text, UserText
from dialogs.core.i18n import Translator
from dialogs.core.ui import Actions, Block, Button, Facts, Header, Message, Section
from dialogs.matching.cards import SEND_ACTION, labels_for
from dialogs.matching.reasons import describe, describe_all
from storage.models import MatchRun, Program, Proposal

SAMPLE = 10  # pairs shown in chat; the CLI writes them all
TOP_UNMATCHED = 3


def run_report(
    t: Translator,
    program: Program,
    run: MatchRun,
    proposals: Sequence[Proposal],
    names: Mapping[str, str],
    skill_labels: Mapping[str, Mapping[str, str]],
    declines: Sequence[str] = (),
) -> Message:
    """``declines``: the latest private reasons people gave when declining (for the program
    team's eyes only; the other side never sees them)."""
    stats: dict[str, Any] = dict(run.stats or {})
    labels = labels_for(t, skill_labels)
    title = t("Dry run: {program}").format(program=program.name)
    served, mentees = len(proposals), int(stats.get("mentees", 0))
    optimality = (
        t("optimal over all pairs")
        if stats.get("optimality") == "optimal"
        else t("within {gap} points of the optimum").format(gap=stats.get("gap_score", 0))
    )
    average = sum(p.score for p in proposals) / served if served else 0.0
    facts: list[tuple[str, Paragraph]] = [
        (
            t("Pairs"),
            Paragraph.of(t("{served} of {mentees} mentees").format(served=served, mentees=mentees)),
        ),
        (
            t("Mentors"),
            Paragraph.of(
                t("{mentors} (room for {capacity} mentees)").format(
                    mentors=stats.get("mentors", 0), capacity=stats.get("capacity", 0)
                )
            ),
        ),
        (t("Average score"), Paragraph.of(f"{average:.2f}")),
        (t("Solution"), Paragraph.of(optimality)),
    ]
    blocks: list[Block] = [Header(title), Facts(tuple(facts))]
    if not mentees or not stats.get("mentors"):
        missing = t("no mentee") if not mentees else t("no mentor")
        blocks.append(
            Section(
                (
                    Paragraph.of(
                        t("Nobody to pair yet: the program has {missing} free to match.").format(
                            missing=missing
                        )
                    ),
                )
            )
        )
    notes = _notes(t, stats, names, labels)
    if declines:
        notes.append(Paragraph.of(t("Latest reasons given when declining (only you see them):")))
        notes.extend(Paragraph((Text("• "), UserText(reason[:300]))) for reason in declines)
    if notes:
        blocks.append(Section(tuple(notes)))
    if proposals:
        lines = [
            Paragraph(
                (
                    Text(f"{n}. "),
                    UserText(names.get(p.mentor_id, "—")),
                    Text(" → "),
                    UserText(names.get(p.mentee_id, "—")),
                    Text(f" ({p.score:.2f}) "),
                    UserText(
                        "; ".join(
                            describe_all(
                                p.reasons[:2],
                                t,
                                names=names,
                                skill_labels=labels,
                                mentor=p.mentor_id,
                                mentee=p.mentee_id,
                            )
                        )
                    ),
                )
            )
            for n, p in enumerate(proposals[:SAMPLE], start=1)
        ]
        if len(proposals) > SAMPLE:
            lines.append(
                Paragraph.of(
                    t(
                        "… and {more} more (tandem match --dry-run --out file.csv lists them all)."
                    ).format(more=len(proposals) - SAMPLE)
                )
            )
        blocks.append(Section(tuple(lines)))
        blocks.append(
            Section(
                (
                    Paragraph.of(
                        t(
                            "Before sending: admin match remove N, admin match swap N M, or "
                            "admin match pin mentor-email mentee-email (then a new dry run)."
                        )
                    ),
                )
            )
        )
        blocks.append(
            Actions(
                (
                    Button(
                        t("Send {count} proposals").format(count=len(proposals)),
                        SEND_ACTION,
                        value=str(run.id),
                        style="primary",
                    ),
                )
            )
        )
    return Message(tuple(blocks), summary=title, visibility="private")


def _notes(
    t: Translator, stats: Mapping[str, Any], names: Mapping[str, str], labels: Mapping[str, str]
) -> list[Paragraph]:
    notes: list[Paragraph] = []
    unmatched = stats.get("unmatched") or []
    if unmatched:
        counts: Counter[str] = Counter()
        for item in unmatched:
            for reason in (item.get("reasons") or [])[:1]:
                counts[describe(reason, t, names=names, skill_labels=labels)] += 1
        count = int(stats.get("unmatched_count", len(unmatched)))
        notes.append(
            Paragraph.of(
                t("{count} mentees without a partner. Most common reasons:").format(count=count)
            )
        )
        notes.extend(
            Paragraph((Text("• "), UserText(text), Text(f" ({n})")))
            for text, n in counts.most_common(TOP_UNMATCHED)
        )
    for hint in (stats.get("hints") or [])[:TOP_UNMATCHED]:
        notes.append(
            Paragraph(
                (
                    Text(t("To recruit: ")),
                    UserText(describe(hint, t, names=names, skill_labels=labels)),
                )
            )
        )
    for warning in stats.get("warnings") or []:
        notes.append(
            Paragraph(
                (
                    Text(t("Warning: ")),
                    UserText(describe(warning, t, names=names, skill_labels=labels)),
                )
            )
        )
    return notes
