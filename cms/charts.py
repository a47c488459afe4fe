"""Server-rendered SVG charts for KPIs: no JavaScript, text alternatives built in.

Each chart is an `<svg role="img">` whose `<title>` names the measure and whose `<desc>` says in
words what the chart shows (baseline, every reading, target, direction of travel). Pages also
print the same numbers as a table. Every value is escaped; nothing here trusts its input.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 110, 24, 48


def _fmt(value, unit: str) -> str:
    number = f"{Decimal(value).normalize():f}"
    return f"{number}%" if unit == "%" else f"{number} {unit}".strip()


def kpi_points(kpi) -> list[tuple[str, Decimal, bool]]:
    """(label, value, is_baseline) in time order: the baseline first, then every reading."""
    points = []
    if kpi.baseline_value is not None:
        label = kpi.baseline_label or (
            kpi.baseline_date.strftime("%b %Y") if kpi.baseline_date else "Baseline"
        )
        points.append((f"Baseline {label}".strip(), Decimal(kpi.baseline_value), True))
    for reading in kpi.sorted_readings():
        label = reading.label or reading.date.strftime("%b %Y")
        points.append((label, Decimal(reading.value), False))
    return points


def kpi_description(kpi) -> str:
    """The chart in words, for screen readers and anyone who prefers text."""
    parts = []
    points = kpi_points(kpi)
    for label, value, _ in points:
        parts.append(f"{label}: {_fmt(value, kpi.unit)}.")
    if kpi.target_value is not None:
        by = f" by {kpi.target_date:%B %Y}" if kpi.target_date else ""
        parts.append(f"Target: {_fmt(kpi.target_value, kpi.unit)}{by}.")
    parts.append(f"{'Higher' if kpi.higher_is_better else 'Lower'} is better.")
    parts.append(f"Direction of travel: {kpi.direction_label}.")
    if not points:
        parts.insert(0, "No readings yet.")
    return " ".join(parts)


def kpi_chart_svg(kpi) -> SafeString:
    """A line chart of a KPI: baseline (hollow marker), readings (solid markers, each labelled
    with its value), the target as a dashed, labelled line. Meaning never relies on colour."""
    uid = f"kpi-{kpi.pk}"
    points = kpi_points(kpi)
    values = [v for _, v, _ in points]
    if kpi.target_value is not None:
        values.append(Decimal(kpi.target_value))
    top = max(values) if values else Decimal(100)
    top = Decimal(100) if kpi.unit == "%" and top <= 100 else top * Decimal("1.15") or Decimal(1)
    bottom = min([Decimal(0), *values])
    span = (top - bottom) or Decimal(1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i: int) -> float:
        return LEFT + (plot_w * (i + 0.5) / max(len(points), 1))

    def y(v: Decimal) -> float:
        return TOP + float((top - v) / span) * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
        f'aria-labelledby="{uid}-title {uid}-desc" focusable="false" font-family="Arial, sans-serif">',
        f'<title id="{uid}-title">{escape(kpi.name)}</title>',
        f'<desc id="{uid}-desc">{escape(kpi_description(kpi))}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
    ]
    for step in range(5):
        v = bottom + span * step / 4
        yy = y(v)
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{yy:.1f}" y2="{yy:.1f}" '
            f'stroke="#b1b4b6" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{LEFT - 8}" y="{yy + 5:.1f}" text-anchor="end" font-size="14" '
            f'fill="#0b0c0c">{escape(_fmt(round(v, 1), kpi.unit))}</text>'
        )
    out.append(
        f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" stroke="#0b0c0c" stroke-width="2"/>'
    )
    out.append(
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{HEIGHT - BOTTOM}" '
        f'y2="{HEIGHT - BOTTOM}" stroke="#0b0c0c" stroke-width="2"/>'
    )
    if kpi.target_value is not None:
        ty = y(Decimal(kpi.target_value))
        out.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" '
            f'stroke="#0b0c0c" stroke-width="3" stroke-dasharray="10 6"/>'
        )
        out.append(
            f'<text x="{WIDTH - RIGHT + 6}" y="{ty + 5:.1f}" font-size="14" font-weight="bold" '
            f'fill="#0b0c0c">Target {escape(_fmt(kpi.target_value, kpi.unit))}</text>'
        )
    if len(points) > 1:
        coords = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, (_, v, _) in enumerate(points))
        out.append(f'<polyline points="{coords}" fill="none" stroke="#1d70b8" stroke-width="3"/>')
    for i, (label, value, is_baseline) in enumerate(points):
        fill = "#ffffff" if is_baseline else "#1d70b8"
        out.append(
            f'<circle cx="{x(i):.1f}" cy="{y(value):.1f}" r="6" fill="{fill}" '
            f'stroke="#1d70b8" stroke-width="3"/>'
        )
        out.append(
            f'<text x="{x(i):.1f}" y="{y(value) - 12:.1f}" text-anchor="middle" '
            f'font-size="14" font-weight="bold" fill="#0b0c0c">'
            f"{escape(_fmt(value, kpi.unit))}</text>"
        )
        out.append(
            f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 20}" text-anchor="middle" '
            f'font-size="13" fill="#0b0c0c">{escape(label[:22])}</text>'
        )
    if not points:
        out.append(
            f'<text x="{LEFT + 10}" y="{TOP + 30}" font-size="16" fill="#0b0c0c">No readings yet</text>'
        )
    out.append("</svg>")
    # Every interpolated value above is escaped, so the assembled SVG is safe to mark.
    return mark_safe("".join(out))  # noqa: S308  # nosec B308 B703
