"""The data behind every chart of a pack, as CSV and XLSX. Suppressed values are written as
"fewer than N", never as the number; text cells are made formula-safe."""

from __future__ import annotations

import csv
import io

from portal.spreadsheets import safe_cell

from .models import BoardPack, BoardPackChart


def _cell(value, threshold: int):
    if value is None:
        return f"fewer than {threshold}"
    return safe_cell(value)


def _header_row(chart: BoardPackChart) -> list:
    return [safe_cell(c) for c in chart.columns]


def _data_rows(chart: BoardPackChart, threshold: int) -> list[list]:
    # The first column is a label; a None there is a missing label, not a suppressed count.
    return [[safe_cell(row[0]), *[_cell(v, threshold) for v in row[1:]]] for row in chart.rows]


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
    about.append([f"Counts from 1 to {threshold - 1} are shown as 'fewer than {threshold}'."])
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
