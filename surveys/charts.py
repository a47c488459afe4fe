"""SVG charts for results (pygal), always shown next to a table of the same numbers so no
information is carried by the picture alone."""

from __future__ import annotations

import pygal
from pygal.style import Style

from portal.disclosure import number

STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#0b0c0c",
    foreground_strong="#0b0c0c",
    foreground_subtle="#505a5f",
    colors=("#1d70b8",),
    font_family="Arial, sans-serif",
    label_font_size=13,
    value_font_size=13,
)


def bar_chart(title: str, rows) -> str:
    """A horizontal bar per option (hidden counts, `portal.disclosure`, are left out)."""
    chart = pygal.HorizontalBar(
        style=STYLE,
        show_legend=False,
        js=[],
        disable_xml_declaration=True,
        width=640,
        height=max(160, 48 * len(rows) + 60),
        print_values=True,
        explicit_size=False,
        title=None,
    )
    chart.x_labels = [r.label for r in rows]
    chart.add(title[:60], [number(r.count) for r in rows])
    return chart.render(is_unicode=True)
