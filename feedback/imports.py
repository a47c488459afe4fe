"""Bulk import of offline feedback (CSV or XLSX).

Every row is validated before anything is written; a file with errors imports nothing unless
the person chooses to import the valid rows. Rows become items through `feedback_ingest`.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db import transaction
from django.utils import timezone

from portal.text import clean_text

from .models import OFFLINE_CHANNELS, Audience, Channel, Locality
from .services import feedback_ingest

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
# An .xlsx is a zip: 5 MB of it can unpack to gigabytes of XML, and openpyxl reads a sheet with
# no dimension record through to its end when opening it. 5,000 rows of real feedback unpack to
# a few MB; past this, the file is refused before anything is parsed.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
REQUIRED = ("text", "channel", "date", "audience")


class ImportFileError(Exception):
    """The file as a whole cannot be read."""


@dataclass
class RowError:
    row: int
    field: str
    message: str


@dataclass
class ImportReport:
    total: int = 0
    valid: int = 0
    imported: int = 0
    errors: list[RowError] = field(default_factory=list)
    item_ids: list[int] = field(default_factory=list)


def _norm_header(value) -> str:
    return clean_text(str(value or "")).lower().replace(" ", "_").lstrip("\ufeff")


TOO_MANY_ROWS = f"The file has more than {MAX_ROWS:,} rows: split it into smaller files"
# Blank rows are skipped, but each still costs a read: a sheet "used" down to row 1,048,576 (a
# formatted column, say) would otherwise be read to the end. Past this many, the file is refused.
MAX_BLANK_ROWS = 10 * MAX_ROWS
TOO_MANY_BLANK_ROWS = (
    f"The file has more than {MAX_BLANK_ROWS:,} empty rows: copy the rows of feedback into a new file"
)


def rows_within_limit(rows: Iterable, *, is_blank) -> list:
    """The non-blank rows of `rows`, pulled one at a time and never more than one past the limit:
    a 60,000-row file is refused at row 5,001, not parsed whole first."""
    kept: list = []
    blank = 0
    for row in rows:
        if is_blank(row):
            blank += 1
            if blank > MAX_BLANK_ROWS:
                raise ImportFileError(TOO_MANY_BLANK_ROWS)
            continue
        if len(kept) == MAX_ROWS:
            raise ImportFileError(TOO_MANY_ROWS)
        kept.append(row)
    return kept


def _xlsx_rows(raw: bytes) -> list[dict]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            # Declared sizes: zipfile never unpacks more than a member declares.
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise ImportFileError("The file could not be read as an Excel workbook") from exc
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportFileError("The file is too big once unpacked: split it into smaller files")
    try:
        # read_only streams the sheet's XML: rows are parsed as they are asked for.
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as exc:
        raise ImportFileError("The file could not be read as an Excel workbook") from exc
    try:
        values = book.worksheets[0].iter_rows(values_only=True)
        first = next(values, None)
        if first is None:
            raise ImportFileError("The file is empty")
        headers = [_norm_header(h) for h in first]
        kept = rows_within_limit(values, is_blank=lambda r: all(c in (None, "") for c in r))
    except ImportFileError:
        raise
    except Exception as exc:  # broken XML or cells part way through the sheet
        raise ImportFileError("The file could not be read as an Excel workbook") from exc
    finally:
        book.close()
    return [dict(zip(headers, r, strict=False)) for r in kept]


def _csv_rows(raw: bytes) -> list[dict]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    reader = csv.DictReader(io.StringIO(text.replace("\x00", "")))
    try:
        if not reader.fieldnames:
            raise ImportFileError("The file is empty")
        reader.fieldnames = [_norm_header(h) for h in reader.fieldnames]
        return rows_within_limit(
            reader, is_blank=lambda r: not any((v or "").strip() for v in r.values() if isinstance(v, str))
        )
    except csv.Error as exc:
        raise ImportFileError(f"The file could not be read as a CSV file (line {reader.line_num})") from exc


def read_rows(upload) -> list[dict]:
    """Rows as dicts keyed by lower-case header, from a .csv or .xlsx upload. Refuses a file
    over MAX_BYTES before reading it, and one over MAX_ROWS as soon as row MAX_ROWS + 1 is read."""
    name = (getattr(upload, "name", "") or "").lower()
    if not name.endswith((".csv", ".xlsx")):
        raise ImportFileError("The file must be a CSV or an Excel (.xlsx) file")
    if getattr(upload, "size", 0) and upload.size > MAX_BYTES:
        raise ImportFileError("The file is too big: the limit is 5 MB")
    raw = upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ImportFileError("The file is too big: the limit is 5 MB")
    rows = _xlsx_rows(raw) if name.endswith(".xlsx") else _csv_rows(raw)
    if not rows:
        raise ImportFileError("The file has no rows of feedback")
    missing = [c for c in REQUIRED if c not in rows[0]]
    if missing:
        raise ImportFileError(f"The file is missing the column(s): {', '.join(missing)}")
    return rows


def _lookup(choices, value: str) -> str | None:
    value = clean_text(value).lower()
    for code, label in choices:
        if value in (code.lower(), label.lower(), label.lower().replace("'", "")):
            return code
    return None


AUDIENCE_ALIASES = {
    "parent": "parent_carer",
    "carer": "parent_carer",
    "parent/carer": "parent_carer",
    "parent carer": "parent_carer",
    "young person": "young_person",
    "cyp": "young_person",
    "child": "young_person",
    "professional": "professional",
    "": "unknown",
}
CHANNEL_ALIASES = {
    "keep in touch": "keep_in_touch",
    "kit": "keep_in_touch",
    "send conversations": "send_conversation",
    "focus groups": "focus_group",
    "sounding boards": "sounding_board",
    "telephone": "phone",
}


def _parse_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = clean_text(str(value or ""))
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y"):
        try:
            return datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a date, made aware below
        except ValueError:
            continue
    return None


def validate_row(number: int, row: dict) -> tuple[dict | None, list[RowError]]:
    errors: list[RowError] = []
    text = clean_text(str(row.get("text") or ""))
    if not text:
        errors.append(RowError(number, "text", "Enter the feedback text"))
    elif len(text) > 10000:
        errors.append(RowError(number, "text", "Feedback text must be 10,000 characters or fewer"))
    channel_raw = clean_text(str(row.get("channel") or "")).lower()
    channel = CHANNEL_ALIASES.get(channel_raw) or _lookup(
        [(c.value, c.label) for c in OFFLINE_CHANNELS], channel_raw
    )
    if channel is None:
        allowed = ", ".join(c.value for c in OFFLINE_CHANNELS)
        errors.append(RowError(number, "channel", f"'{channel_raw}' is not a channel ({allowed})"))
    when = _parse_date(row.get("date"))
    if when is None:
        errors.append(RowError(number, "date", "Enter the date as YYYY-MM-DD or DD/MM/YYYY"))
    elif when > timezone.localdate():
        errors.append(RowError(number, "date", "The date is in the future"))
    audience_raw = clean_text(str(row.get("audience") or "")).lower()
    audience = AUDIENCE_ALIASES.get(audience_raw) or _lookup(Audience.choices, audience_raw)
    if audience is None:
        errors.append(
            RowError(
                number,
                "audience",
                f"'{audience_raw}' is not an audience (parent_carer, young_person, professional, unknown)",
            )
        )
    locality_raw = clean_text(str(row.get("locality") or ""))
    locality = _lookup(Locality.choices, locality_raw) if locality_raw else ""
    if locality is None:
        errors.append(
            RowError(number, "locality", f"'{locality_raw}' is not a locality (north, central, south)")
        )
    consent_raw = clean_text(str(row.get("consent_to_quote") or "")).lower()
    if consent_raw not in ("", "yes", "no", "y", "n", "true", "false", "1", "0"):
        errors.append(RowError(number, "consent_to_quote", "Use yes or no"))
    if errors:
        return None, errors
    received = timezone.make_aware(datetime.combine(when, time(12, 0)))
    return {
        "text": text,
        "channel": channel,
        "audience": audience,
        "locality": locality,
        "received_at": received,
        "consent_to_quote": consent_raw in ("yes", "y", "true", "1"),
    }, []


def feedback_import(*, rows: list[dict], entered_by, import_valid_rows: bool = False) -> ImportReport:
    """Validate all rows; import all of them (atomically) or, if asked, only the valid ones."""
    report = ImportReport(total=len(rows))
    valid = []
    for number, row in enumerate(rows, start=2):  # row 1 is the header
        data, errors = validate_row(number, row)
        report.errors.extend(errors)
        if data is not None:
            valid.append(data)
    report.valid = len(valid)
    if report.errors and not import_valid_rows:
        return report
    with transaction.atomic():
        for data in valid:
            item = feedback_ingest(entered_by=entered_by, **data)
            report.item_ids.append(item.pk)
    report.imported = len(report.item_ids)
    return report


__all__ = ["read_rows", "rows_within_limit", "feedback_import", "ImportReport", "ImportFileError", "Channel"]
