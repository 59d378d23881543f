"""The report as charts: what to draw (``charts_of``, pure, in the reader's words, the
hidden cells taken from ``words`` like the card, the text and the CSV) and the drawing
itself (``draw``: matplotlib's Agg backend, in a worker process of its own, since
matplotlib is not thread-safe and a chart costs the event loop tens of milliseconds).

A hidden cell is drawn as no bar, with its marker ("< 5", "hidden") where the bar would be:
a chart never shows what the table hides.
"""

from __future__ import annotations

import asyncio
import io
import multiprocessing
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from bot.domain.reports.figures import SPECS, Report
from dialogs.core.i18n import Translator
from dialogs.reports.words import LABELS, group_words, hidden_word, value_words

# The figures drawn: the program's funnel, then the answers (one chart each per group).
FUNNEL = ("enrolled", "matched", "proposals_accepted", "sessions_planned", "sessions_held")
SKILLS = ("skill_before", "skill_retrospective", "skill_after")
BY_GROUP = ("enrolled", "feedback_response_rate", "average_rating", "nps", "goals_done")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_BARS = 24  # groups per chart; the CSV has them all


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: no bar (hidden, or nothing to show)
    note: str  # what is written on the bar: its value, or the hidden marker


@dataclass(frozen=True)
class Chart:
    title: str
    bars: tuple[Bar, ...]
    top: float | None = None  # a fixed scale (5 for levels, 100 for shares)


def _bar(t: Translator, report: Report, figure: str, label: str, group: str | None) -> Bar:
    cell = report.cell(figure, group)
    hidden = hidden_word(t, report, figure, cell)
    value = None if hidden is not None or cell.value is None else cell.value
    if value is not None and SPECS[figure].kind == "share":
        value = 100 * value
    return Bar(label, value, value_words(t, report, figure, cell))


def charts_of(
    t: Translator, name: str, report: Report, stages: Mapping[str, Mapping[str, str]]
) -> tuple[Chart, ...]:
    """What the PNG shows (nothing for a refused report)."""
    if report.refusal is not None:
        return ()
    charts = [
        Chart(name, tuple(_bar(t, report, f, t(LABELS[f]), None) for f in FUNNEL)),
        Chart(t("Skill level"), tuple(_bar(t, report, f, t(LABELS[f]), None) for f in SKILLS),
              top=5),
    ]  # fmt: skip
    if report.by is not None:
        by = report.by
        groups = report.groups[:MAX_BARS]
        for figure in BY_GROUP:
            bars = tuple(_bar(t, report, figure, group_words(t, by, g, stages), g) for g in groups)
            kind = SPECS[figure].kind
            top = 100.0 if kind == "share" else 5.0 if kind == "mean" else None
            charts.append(Chart(t(LABELS[figure]), bars, top=top))
    return tuple(charts)


def draw(charts: Sequence[Chart]) -> bytes:
    """The charts as one PNG, stacked. Runs in the chart worker (imports matplotlib there)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure  # the object API: no pyplot global state

    heights = [max(2.0, 0.8 + 0.35 * len(chart.bars)) for chart in charts] or [2.0]
    figure = Figure(figsize=(8, sum(heights)), dpi=100, layout="constrained")
    axes = figure.subplots(len(heights), 1, squeeze=False, height_ratios=heights)[:, 0]
    for ax, chart in zip(axes, charts, strict=False):
        labels = [_plain(bar.label[:40]) for bar in chart.bars]
        values = [bar.value if bar.value is not None else 0.0 for bar in chart.bars]
        shown = ax.barh(labels, values, color="#2f6f8f")
        ax.invert_yaxis()
        for patch, bar in zip(shown, chart.bars, strict=True):
            if bar.value is None:
                patch.set_visible(False)
            middle = patch.get_y() + patch.get_height() / 2
            at = (max(bar.value or 0.0, 0.0), middle)
            ax.annotate(_plain(bar.note), at, xytext=(4, 0), textcoords="offset points",
                        va="center", fontsize=8)  # fmt: skip
        ax.set_title(_plain(chart.title[:80]), fontsize=10, loc="left")
        low = min([0.0, *values])
        high = chart.top or max([1.0, *values]) * 1.25
        ax.set_xlim(low * 1.25, high)
        ax.tick_params(labelsize=8)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _plain(text: str) -> str:
    """Text drawn as written: matplotlib reads "$…$" as mathematics."""
    return text.replace("$", r"\$")


_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def chart_pool() -> ProcessPoolExecutor:
    """The one chart worker (``spawn``ed on first use: a clean interpreter)."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn")
            )
        return _pool


def shutdown_charts() -> None:
    global _pool
    with _pool_lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


async def render_png(charts: Sequence[Chart]) -> bytes:
    """Draw in the chart worker, off the event loop."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(chart_pool(), draw, tuple(charts))
