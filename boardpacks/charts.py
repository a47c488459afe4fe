"""The charts of a pack, drawn once at build time as SVG (pygal) and stored with the pack.

Every chart is a `ChartSpec`: the SVG, a text alternative saying what it shows, and the table
of the same numbers (shown under the chart and offered as CSV/XLSX), so nothing is carried by
the picture alone. Hidden counts (`portal.disclosure`: None for "fewer than N", or "not
shown") are left out of the picture and said in words in the text alternative and the table.
Charts of percentages or KPI figures (`counts=False`) hold no counts of people: a missing value
there is "not available", never "fewer than N".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

import pygal
from pygal.style import Style

from portal import disclosure

NOT_AVAILABLE = "not available"

# GOV.UK palette, distinguishable in greyscale order (dark blue, light blue, orange …).
COLOURS = ("#1d70b8", "#5694ca", "#f47738", "#505a5f", "#00703c", "#d4351c")
SENTIMENT_COLOURS = ("#d4351c", "#b1b4b6", "#00703c")  # negative, neutral, positive


def _style(colours=COLOURS) -> Style:
    return Style(
        background="white",
        plot_background="white",
        foreground="#0b0c0c",
        foreground_strong="#0b0c0c",
        foreground_subtle="#505a5f",
        colors=colours,
        font_family="Arial, Helvetica, sans-serif",
        label_font_size=12,
        major_label_font_size=12,
        value_font_size=11,
        legend_font_size=12,
        title_font_size=14,
    )


@dataclass
class ChartSpec:
    key: str
    title: str
    alt: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)
    svg: str = ""


def has_values(series: dict[str, list]) -> bool:
    return any(disclosure.number(v) for values in series.values() for v in values)


def _plotted(series: dict[str, list]) -> dict[str, list]:
    """What the picture draws: numbers only (a hidden count is not drawn)."""
    return {name: [disclosure.number(v) for v in values] for name, values in series.items()}


def _cell(value, counts: bool):
    """A table cell: counts as the disclosure rule left them (None reads "fewer than N" where
    the pack shows it); a missing percentage or KPI figure is "not available"."""
    return value if counts or value is not None else NOT_AVAILABLE


def _render(chart, drawable: bool = True) -> str:
    """The SVG, or "" when every value is zero or suppressed (the table says so instead of an
    empty set of axes)."""
    if not drawable:
        return ""
    svg = chart.render(is_unicode=True)
    # Decorative for assistive technology: the figure's text alternative and table carry the
    # meaning, and pygal's own tooltips need JavaScript we do not ship.
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


def _base(kind, *, colours=COLOURS, height=320, **kwargs):
    return kind(
        style=_style(colours),
        js=[],
        disable_xml_declaration=True,
        width=720,
        height=height,
        explicit_size=True,
        print_values=False,
        legend_at_bottom=True,
        legend_box_size=12,
        truncate_legend=-1,
        truncate_label=-1,
        show_y_guides=True,
        **kwargs,
    )


def describe(values: dict, unit: str = "", threshold: int = 5, counts: bool = True) -> str:
    parts = []
    for label, value in values.items():
        if disclosure.number(value) is not None:
            words = f"{value:g}{unit}"
        elif counts:
            words = disclosure.text(value, threshold)
        else:
            words = NOT_AVAILABLE
        parts.append(f"{label}: {words}")
    return "; ".join(parts)


def grouped_bar(
    *,
    key: str,
    title: str,
    categories: list[str],
    series: dict[str, list],
    threshold: int,
    unit: str = "",
    first_column: str = "",
    counts: bool = True,
) -> ChartSpec:
    """Horizontal bars, one group per category, one bar per series (e.g. this period, last).
    `counts=False` for percentages or KPI figures."""
    chart = _base(pygal.HorizontalBar, height=max(200, 36 * len(categories) * max(1, len(series)) + 90))
    chart.x_labels = categories
    for name, values in _plotted(series).items():
        chart.add(name, values)
    alt_parts = []
    for i, category in enumerate(categories):
        alt_parts.append(
            f"{category} – " + describe({n: v[i] for n, v in series.items()}, unit, threshold, counts)
        )
    rows = [
        [category, *[_cell(values[i], counts) for values in series.values()]]
        for i, category in enumerate(categories)
    ]
    return ChartSpec(
        key=key,
        title=title,
        alt=f"{title}. " + ". ".join(alt_parts) + ".",
        columns=[first_column or "Category", *series.keys()],
        rows=rows,
        svg=_render(chart, has_values(series)),
    )


def _svg_stacked_columns(periods: list[str], series: dict[str, list], colours) -> str:
    """Stacked columns drawn by hand: pygal takes ~20 ms a chart, and a pack has one of these per
    objective. Suppressed values (None) are simply not drawn."""
    width, height, left, top, bottom = 720, 300, 50, 20, 80
    plot_w, plot_h = width - left - 20, height - top - bottom
    series = _plotted(series)
    totals = [sum(v[i] or 0 for v in series.values()) for i in range(len(periods))]
    peak = max(totals) or 1
    step = _nice_step(peak)
    scale_max = step * -(-peak // step)
    col_w = plot_w / max(1, len(periods))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" aria-hidden="true" focusable="false" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" font-family="Arial, Helvetica, sans-serif" '
        'font-size="12">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for tick in range(0, int(scale_max) + 1, int(step)):
        y = top + plot_h - plot_h * tick / scale_max
        parts.append(
            f'<line x1="{left}" x2="{width - 20}" y1="{y:.1f}" y2="{y:.1f}" stroke="#b1b4b6" '
            'stroke-dasharray="3 3"/>'
        )
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#0b0c0c">{tick}</text>')
    for i, label in enumerate(periods):
        x = left + i * col_w + col_w * 0.2
        y = top + plot_h
        for (_name, values), colour in zip(series.items(), colours, strict=False):
            value = values[i]
            if not value:
                continue
            h = plot_h * value / scale_max
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{col_w * 0.6:.1f}" height="{h:.1f}" '
                f'fill="{colour}" stroke="#ffffff" stroke-width="1"/>'
            )
        parts.append(
            f'<text x="{x + col_w * 0.3:.1f}" y="{top + plot_h + 18}" text-anchor="middle" '
            f'fill="#0b0c0c">{escape(label)}</text>'
        )
    parts.append(
        f'<line x1="{left}" x2="{width - 20}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#0b0c0c"/>'
    )
    for n, ((name, _values), colour) in enumerate(zip(series.items(), colours, strict=False)):
        x = left + n * 200
        y = height - 30
        parts.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 18}" y="{y}" fill="#0b0c0c">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _nice_step(peak: int) -> int:
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000):
        if peak / step <= 6:
            return step
    return 100000


def stacked_trend(
    *, key: str, title: str, periods: list[str], series: dict[str, list], threshold: int
) -> ChartSpec:
    """Stacked columns per period (sentiment over time)."""
    colours = SENTIMENT_COLOURS if len(series) == 3 else COLOURS
    alt_parts = [
        f"{p}: " + describe({n: v[i] for n, v in series.items()}, "", threshold)
        for i, p in enumerate(periods)
    ]
    rows = [[p, *[values[i] for values in series.values()]] for i, p in enumerate(periods)]
    svg = _svg_stacked_columns(periods, series, colours) if has_values(series) else ""
    return ChartSpec(
        key=key,
        title=title,
        alt=f"{title}. " + ". ".join(alt_parts) + ".",
        columns=["Period", *series.keys()],
        rows=rows,
        svg=svg,
    )


def kpi_bars(*, key: str, title: str, unit: str, values: dict[str, float | None]) -> ChartSpec:
    """Baseline, latest and target of one KPI as three bars in the KPI's own unit."""
    chart = _base(pygal.HorizontalBar, height=200, show_legend=False)
    chart.x_labels = list(values)
    chart.add(title[:60], list(values.values()))
    shown_unit = "%" if unit == "%" else f" {unit}" if unit else ""
    alt = f"{title}. " + "; ".join(
        f"{label}: {'not available' if v is None else f'{v:g}{shown_unit}'}" for label, v in values.items()
    )
    rows = [[label, _cell(v, counts=False)] for label, v in values.items()]
    return ChartSpec(
        key=key,
        title=title,
        alt=alt + ".",
        columns=["Measure", f"Value ({unit})" if unit else "Value"],
        rows=rows,
        svg=_render(chart, has_values({"v": list(values.values())})),
    )
