"""The data behind every chart of a pack, as CSV and XLSX. Hidden counts are written in the words
of the one disclosure rule (`portal.disclosure`: "fewer than N", "not shown"), never as the
number; a missing percentage or KPI figure is "not available", never "fewer than N" (a KPI
target is not a count). Text cells are made formula-safe."""

from __future__ import annotations

import csv
import io

from portal import disclosure
from portal.spreadsheets import safe_cell

from .charts import NOT_AVAILABLE
from .models import BoardPack, BoardPackChart

# Charts of percentages and KPI figures. Packs built since charts write "not available" into
# their tables themselves; this keeps older stored packs from calling a missing target "fewer
# than 5" too.
_NOT_COUNTS = ("kpi-", "representation", "survey-kpis")


def _cell(value, threshold: int, counts: bool = True):
    if value is None:
        return disclosure.fewer_than(threshold) if counts else NOT_AVAILABLE
    return safe_cell(value)


def _header_row(chart: BoardPackChart) -> list:
    return [safe_cell(c) for c in chart.columns]


def _data_rows(chart: BoardPackChart, threshold: int) -> list[list]:
    # The first column is a label; a None there is a missing label, not a suppressed count.
    counts = not chart.key.startswith(_NOT_COUNTS)
    return [[safe_cell(row[0]), *[_cell(v, threshold, counts) for v in row[1:]]] for row in chart.rows]


def chart_csv(*, pack: BoardPack, chart: BoardPackChart) -> str:
    threshold = pack.data.get("threshold", 5)
    out = io.StringIO()
    out.write("\ufeff")  # so spreadsheet programs read the file as UTF-8
    writer = csv.writer(out)
    writer.writerow(_header_row(chart))
    writer.writerows(_data_rows(chart, threshold))
    return out.getvalue()


def pack_xlsx(*, pack: BoardPack, charts: list[BoardPackChart]) -> bytes:
    """One sheet per chart, with its title and text alternative above the table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    threshold = pack.data.get("threshold", 5)
    book = Workbook()
    book.remove(book.active)
    about = book.create_sheet("About")
    about.append([safe_cell(pack.title)])
    about.append([f"Version {pack.version}, built {pack.created_at:%d %B %Y %H:%M}"])
    if threshold > 1:
        about.append(
            [
                f"Counts of people from 1 to {threshold - 1} are shown as "
                f"'{disclosure.fewer_than(threshold)}'; where one could be worked out from the others, "
                f"another is '{disclosure.NOT_SHOWN}'. Zero is shown as 0."
            ]
        )
    about.append(
        [f"Percentages and KPI figures are never hidden as counts; '{NOT_AVAILABLE}' means there is none."]
    )
    about["A1"].font = Font(bold=True)
    used = set()
    for chart in charts:
        name = chart.key[:31]
        while name in used:
            name = name[:28] + f"~{len(used)}"
        used.add(name)
        sheet = book.create_sheet(name)
        sheet.append([safe_cell(chart.title)])
        sheet["A1"].font = Font(bold=True)
        sheet.append([safe_cell(chart.alt)])
        sheet.append([])
        sheet.append(_header_row(chart))
        for cell in sheet[4]:
            cell.font = Font(bold=True)
        for row in _data_rows(chart, threshold):
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def chart_xlsx(*, pack: BoardPack, chart: BoardPackChart) -> bytes:
    return pack_xlsx(pack=pack, charts=[chart])
