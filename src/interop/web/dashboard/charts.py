"""The dashboard's charts: matplotlib figures rendered server-side as inline SVG.

Each chart is a :class:`matplotlib.figure.Figure` drawn on the Agg canvas
(no ``pyplot``, no display, no global figure state) and saved as SVG with
text kept as text (``svg.fonttype: none``). :func:`inline_svg` makes the
file fit to sit inside a page: the XML prologue, metadata and the global
``<style>`` matplotlib writes are dropped, every ``id`` is prefixed with the
chart's own (two charts on a page never share one), the fixed size gives
way to the ``viewBox`` (the page's CSS scales it), and the ``<svg>`` gets
``role="img"``, an ``aria-label``, a ``<title>`` and a ``<desc>``. The
numbers behind every chart are also in a table on the page
(:func:`interop.web.dashboard.layout.chart_block`).
"""

from __future__ import annotations

import html
import io
import re
import threading
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from interop.web.dashboard.html import Markup

__all__ = [
    "LEVEL_COLOURS",
    "LEVEL_LABELS",
    "activation_chart",
    "comparison_chart",
    "inline_svg",
    "levels_chart",
    "monthly_chart",
    "share_chart",
]

LEVEL_LABELS = ("Level 1", "Level 2", "Level 3", "Non-criminal")
"""Priority levels in the order of :data:`interop.reports.monthly.LEVELS`."""

LEVEL_COLOURS = ("#b3261e", "#9a5b00", "#0b5cad", "#1b6b3a")
"""Dark enough for 4.5:1 against white (lines and bars, and their labels)."""

SERIES_COLOURS = (
    "#0b5cad",
    "#b3261e",
    "#1b6b3a",
    "#7a3e9d",
    "#9a5b00",
    "#00676b",
    "#a3195b",
    "#4a4a4a",
    "#5b5f00",
)
"""Distinct colours for a chart's series (Okabe-Ito-like, darkened)."""

_RC: dict[str, Any] = {"svg.fonttype": "none", "svg.hashsalt": "interop-dashboard"}
"""At saving: text stays text (smaller, selectable); ids do not change between runs."""

_lock = threading.Lock()  # matplotlib's text and font caches are not thread-safe

_ID = re.compile(r'\bid="([^"]+)"')
_DROP = re.compile(
    r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<metadata>.*?</metadata>|<style[^>]*>.*?</style>", re.S
)


def _figure(width: float = 7.5, height: float = 3.6) -> Figure:
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)  # the Agg canvas: nothing needs a display
    return figure


def _style(axes: Axes) -> None:
    axes.spines[["top", "right"]].set_visible(False)
    axes.title.set_fontweight("bold")


def _svg_text(figure: Figure) -> str:
    out = io.StringIO()
    with _lock, matplotlib.rc_context(_RC):  # type: ignore[arg-type]  # keys are rc names
        figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


def inline_svg(figure: Figure, chart_id: str, title: str, description: str) -> Markup:
    """``figure`` as an ``<svg>`` element ready to place in a page.

    Parameters
    ----------
    figure : Figure
    chart_id : str
        Unique on the page: letters, digits and ``-`` (prefixes every id).
    title, description : str
        The chart's accessible name and description (escaped here).

    Returns
    -------
    Markup
    """
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", chart_id):
        raise ValueError(f"chart id {chart_id!r}: letters, digits and '-' only")
    svg = _svg_text(figure)
    svg = _DROP.sub("", svg).strip()
    ids = set(_ID.findall(svg))
    # longest first, so that no id is rewritten inside a longer one
    for old in sorted(ids, key=len, reverse=True):
        new = f"{chart_id}-{old}".replace(".", "-")
        svg = svg.replace(f'id="{old}"', f'id="{new}"')
        svg = svg.replace(f'href="#{old}"', f'href="#{new}"')
        svg = svg.replace(f"url(#{old})", f"url(#{new})")
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    opening = (
        f'<svg role="img" aria-label="{html.escape(title, quote=True)}" '
        f'aria-labelledby="{title_id}" aria-describedby="{desc_id}" '
        f'focusable="false" class="chart-svg"'
    )
    svg = re.sub(r'<svg\b([^>]*?)\swidth="[^"]*"\s+height="[^"]*"', r"<svg\1", svg, count=1)
    svg = svg.replace("<svg", opening, 1)
    head_end = svg.index(">") + 1
    svg = (
        svg[:head_end]
        + f'<title id="{title_id}">{html.escape(title)}</title>'
        + f'<desc id="{desc_id}">{html.escape(description)}</desc>'
        + svg[head_end:]
    )
    return Markup(svg)


def _empty(axes: Axes, message: str = "No data yet") -> None:
    axes.text(0.5, 0.5, message, ha="center", va="center", transform=axes.transAxes)
    axes.set_xticks([])
    axes.set_yticks([])


def activation_chart(series: Mapping[str, Sequence[date]]) -> Figure:
    """Jurisdictions activated over time: one step line per series (state).

    Parameters
    ----------
    series : mapping of str to sequence of date
        Each series' activation days (sorted or not), by label.
    """
    figure = _figure()
    axes = figure.add_subplot()
    _style(axes)
    drawn = False
    for i, (label, days) in enumerate(series.items()):
        ordered = sorted(days)
        if not ordered:
            continue
        xs = [ordered[0], *ordered]
        ys = [0, *range(1, len(ordered) + 1)]
        other = label.startswith("Other")
        axes.step(
            xs,  # type: ignore[arg-type]  # matplotlib converts dates
            ys,
            where="post",
            label=label,
            color="#4a4a4a" if other else SERIES_COLOURS[i % len(SERIES_COLOURS)],
            linestyle="--" if other else "-",
            linewidth=1.8,
        )
        drawn = True
    if not drawn:
        _empty(axes)
        return figure
    axes.set_ylabel("Jurisdictions activated")
    axes.set_xlabel("Activation date")
    axes.grid(axis="y", color="#dddddd")
    axes.legend(loc="upper left", fontsize=8, ncols=2, frameon=False)
    return figure


def levels_chart(
    months: Sequence[date],
    matches_by_level: Sequence[Sequence[int]],
    removals_by_level: Sequence[Sequence[int]],
) -> Figure:
    """Cumulative IDENT matches and removals by priority level, month by month.

    Parameters
    ----------
    months : sequence of date
        First day of each month.
    matches_by_level, removals_by_level : sequence of sequence of int
        Per month, the cumulative counts in :data:`LEVEL_LABELS` order.
    """
    figure = _figure(7.5, 3.4)
    panels = figure.subplots(1, 2, sharex=True)
    for axes, values, what in (
        (panels[0], matches_by_level, "IDENT matches"),
        (panels[1], removals_by_level, "Removals"),
    ):
        _style(axes)
        axes.set_title(f"{what} (cumulative)")
        if not months:
            _empty(axes)
            continue
        for level, (label, colour) in enumerate(zip(LEVEL_LABELS, LEVEL_COLOURS, strict=True)):
            axes.plot(
                list(months),
                [row[level] for row in values],
                label=label,
                color=colour,
                linewidth=1.8,
                marker="o" if len(months) < 24 else None,
                markersize=3,
            )
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.grid(axis="y", color="#dddddd")
        axes.tick_params(axis="x", labelrotation=30, labelsize=8)
    if months:
        panels[0].legend(loc="upper left", fontsize=8, frameon=False)
    return figure


def share_chart(
    labels: Sequence[str], matches: Sequence[float], removals: Sequence[float]
) -> Figure:
    """Non-criminal share (%) of matches and of removals, one pair of bars per label.

    Parameters
    ----------
    labels : sequence of str
        States.
    matches, removals : sequence of float
        Shares in percent (NaN where there is nothing to divide by).
    """
    height = max(2.2, 0.32 * len(labels) + 1.2)
    figure = _figure(7.5, height)
    axes = figure.add_subplot()
    _style(axes)
    if not labels:
        _empty(axes)
        return figure
    _paired_bars(axes, labels, matches, removals, ("of matches", "of removals"))
    axes.set_xlim(0, 100)
    axes.set_xlabel("Non-criminal share (%)")
    return figure


def _paired_bars(
    axes: Axes,
    labels: Sequence[str],
    a: Sequence[float],
    b: Sequence[float],
    names: tuple[str, str],
) -> None:
    """Two horizontal bars per label (``a`` above ``b``), first label on top."""
    ys = list(range(len(labels)))
    axes.barh([y - 0.2 for y in ys], a, height=0.4, label=names[0], color="#0b5cad")
    axes.barh([y + 0.2 for y in ys], b, height=0.4, label=names[1], color="#9a5b00")
    axes.set_yticks(ys, list(labels))
    axes.invert_yaxis()
    axes.grid(axis="x", color="#dddddd")
    axes.legend(loc="lower right", fontsize=8, frameon=False)


def monthly_chart(
    months: Sequence[date], submissions: Sequence[int], matches: Sequence[int]
) -> Figure:
    """Submissions forwarded to IDENT and IDENT matches, month by month (bars)."""
    figure = _figure(7.5, 3.0)
    axes = figure.add_subplot()
    _style(axes)
    if not months:
        _empty(axes)
        return figure
    xs = list(range(len(months)))
    axes.bar([x - 0.2 for x in xs], submissions, width=0.4, label="Submissions", color="#0b5cad")
    axes.bar([x + 0.2 for x in xs], matches, width=0.4, label="IDENT matches", color="#b3261e")
    step = max(1, len(months) // 12)
    axes.set_xticks(xs[::step], [m.strftime("%Y-%m") for m in months][::step])
    axes.tick_params(axis="x", labelrotation=30, labelsize=8)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(axis="y", color="#dddddd")
    axes.legend(loc="upper left", fontsize=8, frameon=False)
    return figure


def comparison_chart(
    labels: Sequence[str], a: Sequence[float], b: Sequence[float], names: tuple[str, str]
) -> Figure:
    """Two policies' outcomes side by side: a pair of bars per outcome."""
    height = max(2.2, 0.36 * len(labels) + 1.2)
    figure = _figure(7.5, height)
    axes = figure.add_subplot()
    _style(axes)
    if not labels:
        _empty(axes)
        return figure
    _paired_bars(axes, labels, a, b, names)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    return figure
