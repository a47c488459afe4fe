"""After sending answers that may show a child at risk, the done page shows crisis numbers (in
easy read too); ordinary answers get the short general line only. Never the answers back."""

import pytest

from surveys.models import Response

pytestmark = pytest.mark.django_db


def _send(client, comment):
    client.post("/surveys/short-test/")
    client.post("/surveys/short-test/page/1/", {"q-colour": "red"})
    client.post("/surveys/short-test/page/3/", {"q-agree": "agree", "q-count": "4"})
    client.post("/surveys/short-test/page/4/", {})
    client.post("/surveys/short-test/page/5/", {"q-comment": comment})
    key = Response.objects.get(status="draft").idempotency_key
    assert client.post("/surveys/short-test/check/", {"idempotency_key": key})["Location"].endswith("/done/")
    return client.get("/surveys/short-test/done/").content.decode()


def test_done_page_signposts_after_a_worrying_answer(client, simple_survey):
    html = _send(client, "He says he wants to end it all.")
    assert 'data-signposting="strong"' in html
    assert "0800 1111" in html and "116 123" in html and "999" in html
    assert "end it all" not in html


def test_done_page_in_easy_read(client, simple_survey):
    client.cookies["easy_read"] = "1"
    html = _send(client, "He says he wants to end it all.")
    assert "If you or a child is not safe" in html


def test_done_page_after_ordinary_answers(client, simple_survey):
    html = _send(client, "The school has been helpful.")
    assert 'data-signposting="strong"' not in html and 'data-signposting="general"' in html
