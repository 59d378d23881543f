"""A mentor's certificate as a PDF (fpdf2) and a PNG (Pillow), in the mentor's language.

Both are drawn from the same lines with DejaVu Sans, vendored in ``dialogs/assets/fonts``
(with its licence) and embedded in the PDF, so that "Zoé" and "Léa" render on any
machine. Rendering is CPU work: callers run ``render_certificate`` off the event loop
(``asyncio.to_thread``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from babel.dates import format_date
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from bot.domain.recognition import CertificateFacts
from dialogs.core.i18n import Translator

FONTS = Path(__file__).resolve().parent.parent / "assets" / "fonts"
REGULAR = FONTS / "DejaVuSans.ttf"
BOLD = FONTS / "DejaVuSans-Bold.ttf"
ACCENT = (31, 78, 121)  # a calm blue for the frame and the name
INK = (40, 40, 40)
PNG_SIZE = (1754, 1240)  # A4 landscape at 150 dpi


@dataclass(frozen=True)
class Line:
    text: str
    size: float  # points on the PDF page
    bold: bool = False
    accent: bool = False


@dataclass(frozen=True)
class Certificate:
    pdf: bytes
    png: bytes


def reader_date(day: date, locale: str) -> str:
    """A date as the reader writes it: « 1 mars 2027 », "March 1, 2027"."""
    return format_date(day, format="long", locale=locale)


def certificate_lines(facts: CertificateFacts) -> tuple[Line, ...]:
    t = Translator(facts.locale)
    period = t(
        "From {start} to {end}",
        start=reader_date(facts.started_on, facts.locale),
        end=reader_date(facts.ended_on, facts.locale),
    )
    lines = [
        Line(t("Certificate of reverse mentoring"), 26, bold=True, accent=True),
        Line(t("awarded to"), 14),
        Line(facts.mentor_name, 30, bold=True, accent=True),
        Line(t("for coaching a leader in the program"), 14),
        Line(facts.program_name, 18, bold=True),
        Line(period, 13),
    ]
    if facts.held_sessions:
        lines.append(
            Line(
                t.tn("{count} session held", "{count} sessions held", facts.held_sessions),
                12,
            )
        )
    if facts.skills:
        lines.append(Line(t("Skills taught:"), 13, bold=True))
        lines.append(Line(", ".join(facts.skills), 13))
    lines.append(Line(t("Issued on {day}", day=reader_date(facts.issued_on, facts.locale)), 10))
    return tuple(lines)


def render_pdf(lines: tuple[Line, ...]) -> bytes:
    pdf = FPDF(orientation="landscape", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(25, 20, 25)
    pdf.add_font("DejaVu", "", str(REGULAR))
    pdf.add_font("DejaVu", "B", str(BOLD))
    pdf.add_page()
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)

    def height_of(line: Line) -> float:
        pdf.set_font("DejaVu", "B" if line.bold else "", line.size)
        lead = line.size * 0.55
        rows = float(pdf.multi_cell(0, lead, line.text, dry_run=True, output="HEIGHT"))  # type: ignore[arg-type]
        return rows + lead * 0.45

    # Centred on the page, whatever the length of the names and the number of skills.
    pdf.set_y(max(20.0, (pdf.h - sum(height_of(line) for line in lines)) / 2))
    for line in lines:
        pdf.set_font("DejaVu", "B" if line.bold else "", line.size)
        pdf.set_text_color(*(ACCENT if line.accent else INK))
        height = line.size * 0.55
        pdf.multi_cell(0, height, line.text, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(height * 0.45)
    pdf.set_title(lines[0].text)
    return bytes(pdf.output())


def _wrapped(
    draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int
) -> list[str]:
    words, rows, row = text.split(), [], ""
    for word in words:
        candidate = f"{row} {word}".strip()
        if row and draw.textlength(candidate, font=font) > width:
            rows.append(row)
            row = word
        else:
            row = candidate
    return [*rows, row] if row else rows


def render_png(lines: tuple[Line, ...]) -> bytes:
    image = Image.new("RGB", PNG_SIZE, "white")
    draw = ImageDraw.Draw(image)
    width, height = PNG_SIZE
    draw.rectangle((59, 59, width - 60, height - 60), outline=ACCENT, width=7)
    scale = 150 / 72  # points to pixels at 150 dpi
    laid = []
    for line in lines:
        font = ImageFont.truetype(str(BOLD if line.bold else REGULAR), round(line.size * scale))
        step = line.size * scale * 1.3
        laid.append((line, font, step, _wrapped(draw, line.text, font, width - 300)))
    total = sum(step * (len(rows) + 0.35) for _, _, step, rows in laid)
    y = max(120.0, (height - total) / 2)
    for line, font, step, rows in laid:
        for row in rows:
            fill = ACCENT if line.accent else INK
            draw.text((width / 2, y), row, font=font, fill=fill, anchor="mt")
            y += step
        y += step * 0.35
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def render_certificate(facts: CertificateFacts) -> Certificate:
    """Both files; CPU-bound: call it through ``asyncio.to_thread``."""
    lines = certificate_lines(facts)
    return Certificate(render_pdf(lines), render_png(lines))
