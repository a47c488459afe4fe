"""Board packs in the portal: who can read and build them, the page, the PDF and the data,
and that a board member can reach nothing identifiable."""

from __future__ import annotations

import io

import pytest

from boardpacks.models import BoardPack
from portal.demo import totp_current_code
from portal.roles import Role
from tests.auth import sign_in
from tests.factories import PASSWORD

from .conftest import JUNE

pytestmark = pytest.mark.django_db


@pytest.fixture
def pack(seeded):
    from boardpacks.services import board_pack_build

    return board_pack_build(plan=seeded.plan, period_start=JUNE[0], period_end=JUNE[1], notify=False)


@pytest.fixture
def board_client(client, board_user):
    sign_in(client, board_user)
    return client


def test_board_member_signs_in_through_two_factor_and_reads_the_list(client, board_user, pack):
    response = client.post("/accounts/login/", {"login": board_user.email, "password": PASSWORD})
    assert "/accounts/2fa/authenticate/" in response["Location"]
    client.post("/accounts/2fa/authenticate/", {"code": totp_current_code(board_user.totp_secret)})
    response = client.get("/board/")
    assert response.status_code == 200
    assert f"/board/packs/{pack.pk}/" in response.content.decode()


def test_pack_page_shows_numbers_quotes_and_charts(board_client, pack, seeded):
    response = board_client.get(f"/board/packs/{pack.pk}/")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private")
    html = response.content.decode()
    assert "Board pack: June 2024" in html
    assert seeded.texts["positive"] in html
    for secret in ("no_consent", "safeguarding", "alerted"):
        assert seeded.texts[secret] not in html
    assert 'src="data:image/svg+xml;base64,' in html
    assert "fewer than 5" in html
    assert html.count("<img ") == html.count('alt="') >= 5


def test_pdf_renders_with_text_charts_and_tags(board_client, pack, seeded):
    from pypdf import PdfReader

    response = board_client.get(f"/board/packs/{pack.pk}/pack.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 3
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Board pack: June 2024" in text
    assert "Key performance indicators" in text
    assert "fewer than 5" in text
    assert seeded.texts["no_consent"] not in text
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert str(root["/Lang"]).startswith("en")
    # Tagged PDF: every drawn chart is a Figure with its text alternative.
    figures = _figures(root["/StructTreeRoot"]["/K"])
    drawn = pack.charts.exclude(svg="")
    assert len(figures) == drawn.count() >= 3
    assert {str(alt) for alt in figures} == set(drawn.values_list("alt", flat=True))


def _figures(node) -> list:
    from pypdf.generic import ArrayObject, DictionaryObject

    node = node.get_object()
    found = []
    if isinstance(node, ArrayObject):
        for kid in node:
            found += _figures(kid)
    elif isinstance(node, DictionaryObject):
        if node.get("/S") == "/Figure":
            found.append(node.get("/Alt"))
        if node.get("/K") is not None:
            found += _figures(node["/K"])
    return found


def test_chart_data_as_csv_and_xlsx(board_client, pack):
    from openpyxl import load_workbook

    csv_response = board_client.get(f"/board/packs/{pack.pk}/data/feedback-channel.csv")
    assert csv_response.status_code == 200
    body = csv_response.content.decode("utf-8-sig")
    assert body.splitlines()[0].startswith("Channel,This period (Jun 2024)")
    assert "Web form,16,5" in body and "fewer than 5" in body
    xlsx = board_client.get(f"/board/packs/{pack.pk}/data/feedback-channel.xlsx")
    assert xlsx.status_code == 200
    whole = board_client.get(f"/board/packs/{pack.pk}/data.xlsx")
    book = load_workbook(io.BytesIO(whole.content))
    assert "feedback-channel" in book.sheetnames and len(book.sheetnames) == pack.charts.count() + 1
    assert board_client.get(f"/board/packs/{pack.pk}/data/nope.csv").status_code == 404


def test_board_member_cannot_reach_inboxes_raw_text_or_personal_exports(board_client, pack, seeded):
    item = seeded.items[0]
    for url in [
        "/admin/",
        "/admin/feedback/",
        f"/admin/feedback/item/{item.pk}/",
        "/admin/feedback/alerts/",
        "/admin/survey-tools/",
        f"/admin/survey-tools/{seeded.survey.pk}/export.csv",
        f"/admin/survey-tools/{seeded.survey.pk}/results/",
        "/board/build/",
    ]:
        response = board_client.get(url)
        assert response.status_code in (302, 403, 404), url
        assert item.redacted_text not in response.content.decode(errors="ignore")


def test_other_roles_and_anonymous_visitors(client, make_user, pack):
    assert client.get("/board/").status_code == 302
    assert client.get(f"/board/packs/{pack.pk}/pack.pdf")["Location"].startswith("/accounts/login/")
    parent = make_user(Role.PARENT_CARER)
    sign_in(client, parent)
    assert client.get("/board/").status_code == 403
    assert client.get(f"/board/packs/{pack.pk}/").status_code == 403
    client.logout()
    no_totp = make_user(Role.BOARD_MEMBER)
    sign_in(client, no_totp)
    response = client.get("/board/")
    assert response.status_code == 302 and "totp" in response["Location"]


def test_engagement_team_builds_a_pack_for_any_dates(client, make_user, seeded):
    staff = make_user(Role.ENGAGEMENT_TEAM, totp=True)
    sign_in(client, staff)
    assert client.get("/board/build/").status_code == 200
    bad = client.post(
        "/board/build/", {"plan": seeded.plan.code, "date_from": "2024-06-30", "date_to": "2024-06-01"}
    )
    assert bad.status_code == 200 and "must be the same as or after" in bad.content.decode()
    response = client.post(
        "/board/build/", {"plan": seeded.plan.code, "date_from": "2024-06-10", "date_to": "2024-06-20"}
    )
    pack = BoardPack.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/board/packs/{pack.pk}/"
    assert pack.built_by == staff and pack.trigger == "on_demand"
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.browser
def test_pack_page_is_accessible(page, live_server, board_user, pack, client):
    from django.conf import settings

    from tests.browser import assert_accessible

    sign_in(client, board_user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.goto(f"/board/packs/{pack.pk}/")
    assert page.get_by_role("heading", name="Board pack: June 2024").is_visible()
    assert_accessible(page)
