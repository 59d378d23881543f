"""The dry-run report an admin reads before sending proposals: counts, average score,
optimality, why people are left without a partner, whom to recruit, and numbered pairs
that ``admin match remove|swap`` refer to."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from dialogs.core.content import Inline, Paragraph, Text, UserText
from dialogs.core.i18n import Translator
from dialogs.core.ui import Actions, Block, Button, Facts, Header, Message, Section
from dialogs.matching.cards import SEND_ACTION, labels_for
from dialogs.matching.reasons import describe, describe_all
from storage.models import MatchRun, Program, Proposal

SAMPLE = 10  # pairs shown in chat; the CLI writes them all
TOP_UNMATCHED = 3
UNPAIRED_NAMED = 10  # mentees without a partner named in chat


def run_report(
    t: Translator,
    program: Program,
    run: MatchRun,
    proposals: Sequence[Proposal],
    names: Mapping[str, str],
    skill_labels: Mapping[str, Mapping[str, str]],
    declines: Sequence[str] = (),
    stage_labels: Mapping[str, Mapping[str, str]] | None = None,
) -> Message:
    """``declines``: the latest private reasons people gave when declining (for the program
    team's eyes only; the other side never sees them)."""
    stats: dict[str, Any] = dict(run.stats or {})
    labels = labels_for(t, skill_labels)
    stages = labels_for(t, stage_labels or {})
    title = t("Dry run: {program}").format(program=program.name)
    served = len(proposals)
    # one count of mentees everywhere in the report: those paired here plus those without
    # a partner (a pair the admin removed leaves its mentee without one)
    mentees = served + _unpaired_count(stats, served)
    gap = float(stats.get("gap_score", 0))
    optimality = (
        t("optimal over all pairs")
        if stats.get("optimality") == "optimal"
        else t.tn(
            "within {count} point of the optimum", "within {count} points of the optimum", gap
        )
    )
    average = sum(p.score for p in proposals) / served if served else 0.0
    facts: list[tuple[str, Paragraph]] = [
        (
            t("Pairs"),
            Paragraph.of(
                t.tn(
                    "{count} mentee of {total} has a partner",
                    "{count} mentees of {total} have a partner",
                    served,
                    total=t.number(mentees),
                )
            ),
        ),
        (
            t("Mentors"),
            Paragraph.of(
                t.tn(
                    "{mentors} (room for {count} mentee)",
                    "{mentors} (room for {count} mentees)",
                    int(stats.get("capacity", 0)),
                    mentors=t.number(int(stats.get("mentors", 0))),
                )
            ),
        ),
        (t("Average score"), Paragraph.of(t.number(average, 2))),
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
    notes = _notes(t, stats, names, labels, served)
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
                    Text(f" ({t.number(p.score, 2)}) "),
                    UserText(
                        t("; ").join(
                            describe_all(
                                p.reasons[:2],
                                t,
                                names=names,
                                skill_labels=labels,
                                stage_labels=stages,
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
                    t.tn(
                        "… and {count} more (tandem match --dry-run --out file.csv lists "
                        "them all).",
                        "… and {count} more (tandem match --dry-run --out file.csv lists "
                        "them all).",
                        len(proposals) - SAMPLE,
                    )
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
                        t.tn("Send {count} proposal", "Send {count} proposals", len(proposals)),
                        SEND_ACTION,
                        value=str(run.id),
                        style="primary",
                    ),
                )
            )
        )
    return Message(tuple(blocks), summary=title, visibility="private")


def _unpaired_count(stats: Mapping[str, Any], served: int) -> int:
    """Mentees left without a partner: the solver's, or more once the admin removed pairs."""
    unmatched = int(stats.get("unmatched_count", len(stats.get("unmatched") or [])))
    return max(unmatched, int(stats.get("mentees", 0)) - served)


def _unpaired(
    t: Translator, stats: Mapping[str, Any], names: Mapping[str, str], served: int
) -> Paragraph:
    """How many mentees have no partner, by name (the first few)."""
    count = _unpaired_count(stats, served)
    known = [names[str(u.get("mentee_id"))] for u in stats.get("unmatched") or []]
    known = [name for name in known if name][:UNPAIRED_NAMED]
    if not known:
        return Paragraph.of(
            t.tn("{count} mentee without a partner.", "{count} mentees without a partner.", count)
        )
    parts: list[Inline] = [
        Text(
            t.tn("{count} mentee without a partner: ", "{count} mentees without a partner: ", count)
        ),
        UserText(", ".join(known)),
    ]
    if count > len(known):
        parts.append(Text(t.tn(" and {count} other", " and {count} others", count - len(known))))
    parts.append(Text("."))
    return Paragraph(tuple(parts))


def _notes(
    t: Translator,
    stats: Mapping[str, Any],
    names: Mapping[str, str],
    labels: Mapping[str, str],
    served: int,
) -> list[Paragraph]:
    notes: list[Paragraph] = []
    if _unpaired_count(stats, served):
        notes.append(_unpaired(t, stats, names, served))
    unmatched = stats.get("unmatched") or []
    if unmatched:
        counts: Counter[str] = Counter()
        for item in unmatched:
            for reason in (item.get("reasons") or [])[:1]:
                counts[describe(reason, t, names=names, skill_labels=labels)] += 1
        notes.append(Paragraph.of(t("Most common reasons:")))
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
