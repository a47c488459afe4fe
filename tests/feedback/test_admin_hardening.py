"""Security review, issue 18: the inbox's filters (11), bulk actions' `next` (open redirect) and
imports over the row limit (12)."""

import csv
import io
import re
import zipfile

import pytest
from openpyxl import Workbook

from feedback import imports
from feedback.models import FeedbackItem
from portal.roles import Role
from tests.auth import sign_in

pytestmark = pytest.mark.django_db

JUNK_DATES = ["abc", "2024-13-45", "2024-02-30", "abc\x00def", "%00", "9" * 5000, "2024-06-01' OR 1=1 --"]


@pytest.fixture
def staff(make_user, client, feedback_setup):
    user = make_user(Role.ENGAGEMENT_TEAM, totp=True)
    sign_in(client, user)
    return user


@pytest.fixture
def two_items(ingest):
    from datetime import UTC, datetime

    old = ingest(text="Transport was late in 2023.", received_at=datetime(2023, 3, 1, 12, tzinfo=UTC))
    new = ingest(text="Transport was late in 2024.", received_at=datetime(2024, 6, 1, 12, tzinfo=UTC))
    return old, new


def _listed(html: str) -> set[int]:
    return {int(pk) for pk in re.findall(r'href="/admin/feedback/item/(\d+)/"', html)}


def test_malformed_inbox_dates_are_a_message_not_a_500(client, staff, two_items):
    from django.utils.html import escape

    for field in ("date_from", "date_to"):
        for junk in JUNK_DATES:
            response = client.get("/admin/feedback/", {field: junk, "channel": "web_form"})
            assert response.status_code == 200, (field, junk)
            html = response.content.decode()
            assert "Enter a real date, for example 2024-06-30" in html, (field, junk)
            assert f'id="f-{field}-error"' in html and 'aria-invalid="true"' in html
            # What was typed is kept (NULs are dropped from query strings before any view).
            assert f'name="{field}" value="{escape(junk.replace(chr(0), ""))}"' in html, (field, junk)
            # The date is not applied; the other filters still are.
            assert _listed(html) == {two_items[0].pk, two_items[1].pk}


def test_valid_dates_still_filter_and_a_reversed_range_is_explained(client, staff, two_items):
    old, new = two_items
    html = client.get("/admin/feedback/", {"date_from": "2024-01-01"}).content.decode()
    assert _listed(html) == {new.pk} and "error-message" not in html
    html = client.get("/admin/feedback/", {"date_to": "31/12/2023"}).content.decode()
    assert _listed(html) == {old.pk}
    response = client.get("/admin/feedback/", {"date_from": "2024-01-01", "date_to": "2023-01-01"})
    assert response.status_code == 200
    assert "must be the same as or after the &#x27;from&#x27; date" in response.content.decode()


def test_other_malformed_filters_are_messages_too(client, staff, two_items):
    response = client.get("/admin/feedback/", {"status": "nonsense", "objective": "NOPE:9", "q": "x" * 500})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="error-message"') == 3
    assert "Search text must be 200 characters or fewer" in html


def test_bulk_action_ignores_an_off_site_next(client, staff, two_items):
    ids = [i.pk for i in two_items]
    off_site = (
        "https://evil.example/phish",
        "//evil.example/",
        "https:/\\evil.example",
        "javascript:alert(1)",
    )
    for next_url in off_site:
        response = client.post("/admin/feedback/bulk/", {"items": ids, "action": "triaged", "next": next_url})
        assert response.status_code == 302
        assert response["Location"] == "/admin/feedback/", next_url
        # Also when nothing was selected.
        response = client.post("/admin/feedback/bulk/", {"action": "triaged", "next": next_url})
        assert response["Location"] == "/admin/feedback/", next_url
    # The inbox's own address (with its filters) is still where the team goes back to.
    response = client.post(
        "/admin/feedback/bulk/",
        {"items": ids, "action": "actioned", "next": "/admin/feedback/?status=triaged&p=2"},
    )
    assert response["Location"] == "/admin/feedback/?status=triaged&p=2"
    assert set(FeedbackItem.objects.values_list("status", flat=True)) == {"actioned"}


# --- Imports over the row limit ------------------------------------------------------------------

OVER_LIMIT = 60_000


def _upload(data: bytes, name: str):
    f = io.BytesIO(data)
    f.name = name
    f.size = len(data)
    return f


def _csv_over_limit(poisoned_tail: bool) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["text", "channel", "date", "audience"])
    for n in range(OVER_LIMIT):
        writer.writerow([f"Row {n}", "phone", "2024-06-03", "parent_carer"])
    if poisoned_tail:
        # A field longer than csv's limit: a reader that went on to the end would fail here.
        out.write('"' + "x" * 200_000 + '",phone,2024-06-03,parent_carer\n')
    return out.getvalue().encode()


def test_csv_over_the_limit_is_refused_without_reading_the_rest():
    data = _csv_over_limit(poisoned_tail=True)
    assert len(data) < imports.MAX_BYTES
    with pytest.raises(imports.ImportFileError, match=f"more than {imports.MAX_ROWS:,} rows"):
        imports.read_rows(_upload(data, "feedback.csv"))


def test_rows_are_consumed_only_up_to_the_limit():
    """The limit check pulls one row past the limit from the reader and no more."""
    pulled = 0

    def rows():
        nonlocal pulled
        for n in range(OVER_LIMIT):
            pulled += 1
            yield {"text": f"row {n}"}

    with pytest.raises(imports.ImportFileError):
        imports.rows_within_limit(rows(), is_blank=lambda row: False)
    assert pulled == imports.MAX_ROWS + 1
    # Blank rows are skipped, but not read for ever either.
    with pytest.raises(imports.ImportFileError, match="empty rows"):
        imports.rows_within_limit(({} for _ in range(10**7)), is_blank=lambda row: True)


def _xlsx_over_limit() -> bytes:
    """A workbook of 60,000 rows, with the dimension record Excel and LibreOffice write, whose
    sheet XML is cut off after the limit: a reader that went on to the end would fail on it."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["text", "channel", "date", "audience"])
    for n in range(OVER_LIMIT):
        sheet.append([f"Row {n}", "phone", "2024-06-03", "parent_carer"])
    buf = io.BytesIO()
    book.save(buf)
    source = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                content = content.replace(
                    b"<sheetData>", b'<dimension ref="A1:D%d"/><sheetData>' % (OVER_LIMIT + 1), 1
                )
                cut = content.index(b'<row r="%d"' % (imports.MAX_ROWS + 100))
                content = content[:cut] + b"<row><c><broken"
            target.writestr(info, content)
    return out.getvalue()


def test_xlsx_over_the_limit_is_refused_without_reading_the_rest():
    data = _xlsx_over_limit()
    assert len(data) < imports.MAX_BYTES
    with pytest.raises(imports.ImportFileError, match=f"more than {imports.MAX_ROWS:,} rows"):
        imports.read_rows(_upload(data, "feedback.xlsx"))


def test_import_page_shows_the_row_limit_error(client, staff):
    response = client.post(
        "/admin/feedback/import/", {"file": _upload(_csv_over_limit(poisoned_tail=False), "feedback.csv")}
    )
    assert response.status_code == 200
    assert f"more than {imports.MAX_ROWS:,} rows" in response.content.decode()
    assert FeedbackItem.objects.count() == 0


def test_a_file_at_the_limit_with_blank_rows_is_still_read():
    lines = ["text,channel,date,audience"] + [
        f"Row {n},phone,2024-06-03,parent_carer" for n in range(imports.MAX_ROWS)
    ]
    lines += [",,,"] * 50
    rows = imports.read_rows(_upload(("\n".join(lines) + "\n").encode(), "feedback.csv"))
    assert len(rows) == imports.MAX_ROWS


def test_xlsx_that_unpacks_to_too_much_is_refused_before_parsing():
    """A small zip that unpacks to more than MAX_UNPACKED_BYTES (a zip bomb, or a sheet openpyxl
    would read to the end just to open it)."""
    book = Workbook()
    book.active.append(["text", "channel", "date", "audience"])
    buf = io.BytesIO()
    book.save(buf)
    source = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename))
        target.writestr("xl/padding.xml", b" " * (imports.MAX_UNPACKED_BYTES + 1))
    data = out.getvalue()
    assert len(data) < imports.MAX_BYTES
    with pytest.raises(imports.ImportFileError, match="too big once unpacked"):
        imports.read_rows(_upload(data, "feedback.xlsx"))
