"""What ``admin retention`` shows: per program, when its free text is erased (in the
reader's own date format and zone), how many texts wait, and the period set. Pure
functions: the platform-limits test renders them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.domain.retention import MAX_MONTHS, MIN_MONTHS, Texts
from dialogs.core.content import Inline, Paragraph, Text, Timestamp, UserText
from dialogs.core.i18n import N_, Translator
from dialogs.core.ui import Header, Message, Section

MAX_PROGRAMS = 10  # beyond, the admin names one: admin retention SLUG

# Each kind of text, in the admin's words (the testimonials line says how many are quotable).
KINDS = (
    ("learned", N_("what was learned or taught")),
    ("comments", N_("comments")),
    ("pulse_comments", N_("pulse comments")),
    ("changed", N_("what changed")),
    ("thanks", N_("thank-you notes")),
    ("decline_reasons", N_("reasons for declining")),
    ("end_reasons", N_("reasons for ending a pairing")),
)


@dataclass(frozen=True)
class Retention:
    """One program as the report shows it."""

    name: str
    slug: str
    months: int
    ends_on: date
    zone: str
    erase_at: datetime
    waiting: Texts


def _day(day: date, zone: str) -> Timestamp:
    # Midday in the program's zone reads as the same calendar day almost everywhere.
    return Timestamp(datetime.combine(day, time(12), ZoneInfo(zone)), "date")


def kinds_line(t: Translator, texts: Texts) -> str:
    """The non-zero counts, each with its kind: "comments 2 · testimonials 1 (…)"."""
    parts = [f"{t(label)} {t.number(getattr(texts, name))}" for name, label in KINDS
             if getattr(texts, name)]  # fmt: skip
    if texts.testimonials:
        parts.append(
            t(
                "testimonials {count} ({quotable} agreed to be quoted)",
                count=t.number(texts.testimonials),
                quotable=t.number(texts.quotable),
            )
        )
    return " · ".join(parts)


def program_section(t: Translator, row: Retention, now: datetime) -> Section:
    head = Paragraph((UserText(row.name), Text(f" ({row.slug})")))
    kept = Paragraph(
        (
            Text(
                t.tn(
                    "Kept {count} month after the end of the program on ",
                    "Kept {count} months after the end of the program on ",
                    row.months,
                )
            ),
            _day(row.ends_on, row.zone),
            Text("."),
        )
    )
    n = row.waiting.total
    when: list[Inline]
    if row.erase_at > now:
        when = [Text(t("Erased on ")), Timestamp(row.erase_at, "date"), Text(" — ")]
        when.append(Text(t.tn("{count} text waiting", "{count} texts waiting", n), strong=bool(n)))
    else:
        when = [Text(t("Erased since ")), Timestamp(row.erase_at, "date"), Text(" — ")]
        when.append(
            Text(
                t.tn(
                    "{count} text still to erase (next night)",
                    "{count} texts still to erase (next night)",
                    n,
                ),
                strong=True,
            )
            if n
            else Text(t("nothing left"))
        )
    lines = [head, kept, Paragraph(tuple(when))]
    if n:
        lines.append(Paragraph.of(kinds_line(t, row.waiting)))
    return Section(tuple(lines))


def retention_report(
    t: Translator, rows: Sequence[Retention], now: datetime, more: int = 0
) -> Message:
    """Every program the admin runs (at most ``MAX_PROGRAMS``), soonest erasure first."""
    title = t("Free text retention")
    intro = Section(
        (
            Paragraph.of(
                t(
                    "What people wrote in their own words (what they learned or taught, "
                    "comments, pulse comments, what changed, testimonials, thank-you notes, "
                    "reasons for declining or ending a pairing) is erased a number of months "
                    "after the program ends. Ratings, NPS, skill levels, statuses and counts "
                    "are kept: the report still adds up."
                )
            ),
            Paragraph(
                (
                    Text(
                        t(
                            "Testimonials are erased too, even those their authors agreed to "
                            "have quoted: keep elsewhere, before that date, the ones you publish."
                        ),
                        strong=True,
                    ),
                )
            ),
        )
    )
    shown = [program_section(t, row, now) for row in rows[:MAX_PROGRAMS]]
    left = more + max(0, len(rows) - MAX_PROGRAMS)
    footer = [
        Paragraph.of(
            t(
                "Change the period ({low} to {high} months): admin retention set {slug} MONTHS",
                low=MIN_MONTHS,
                high=MAX_MONTHS,
                slug=rows[0].slug if rows else "SLUG",
            )
        )
    ]
    if left:
        footer.insert(
            0,
            Paragraph.of(
                t.tn(
                    "… and {count} more program: admin retention SLUG",
                    "… and {count} more programs: admin retention SLUG",
                    left,
                )
            ),
        )
    return Message(
        (Header(title), intro, *shown, Section(tuple(footer))),
        summary=title,
        visibility="private",
    )
