"""After sending a view that may show a child at risk, "My views" shows crisis numbers once
(easy read: the youth forum is written for young people); an ordinary view gets the short line."""

import pytest

from .conftest import sign_in

pytestmark = pytest.mark.django_db


def _send(client, make_member, prompt, words):
    sign_in(client, make_member())
    url = f"/youth-forum/questions/{prompt.pk}/"
    resp = client.post(url, {"send": "1", "feeling": "sad", "words": words})
    assert resp["Location"] == "/youth-forum/my-views/"
    return client.get("/youth-forum/my-views/").content.decode()


def test_worrying_view_gets_crisis_numbers(client, make_member, prompt):
    html = _send(client, make_member, prompt, "My stepdad hits me and I want to end it all")
    assert 'data-signposting="strong"' in html and "If you or a child is not safe" in html
    assert "0800 1111" in html and "116 123" in html
    again = client.get("/youth-forum/my-views/").content.decode()
    assert 'data-signposting="strong"' not in again


def test_ordinary_view_gets_the_general_line(client, make_member, prompt):
    html = _send(client, make_member, prompt, "More visits please")
    assert 'data-signposting="strong"' not in html and 'data-signposting="general"' in html
