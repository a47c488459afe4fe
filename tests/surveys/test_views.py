"""The public answering flow through Django's test client: errors, conditions, check answers,
resume, invitations, bad input and double submits. Never a 500."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from surveys import services
from surveys.models import Answer, Invitation, Response


@pytest.fixture
def started(client, simple_survey):
    resp = client.post("/surveys/short-test/")
    assert resp.status_code == 302 and resp["Location"] == "/surveys/short-test/page/1/"
    return client


def draft():
    return Response.objects.get(status="draft")


def test_list_and_start_page(client, simple_survey):
    html = client.get("/surveys/").content.decode()
    assert "Short test survey" in html
    html = client.get("/surveys/short-test/").content.decode()
    assert "Start now" in html and "We keep answers for 2 years." in html


def test_unknown_and_draft_surveys_are_404(client, simple_survey):
    assert client.get("/surveys/nope/").status_code == 404
    simple_survey.status = "draft"
    simple_survey.save()
    assert client.get("/surveys/short-test/").status_code == 404


def test_full_flow_with_error_condition_and_check(started):
    client = started
    resp = client.post("/surveys/short-test/page/1/", {})
    html = resp.content.decode()
    assert resp.status_code == 200
    assert "There is a problem" in html and 'href="#q-colour"' in html and "Select an answer" in html
    assert "<title>Error:" in html
    resp = client.post("/surveys/short-test/page/1/", {"q-colour": "blue"})
    assert resp["Location"] == "/surveys/short-test/page/2/"  # the conditional question
    resp = client.post("/surveys/short-test/page/2/", {"q-why-blue": "It is calm"})
    assert resp["Location"] == "/surveys/short-test/page/3/"
    # Page 3 holds two questions (agree + count); keep what was typed on error.
    resp = client.post("/surveys/short-test/page/3/", {"q-agree": "agree", "q-count": "lots"})
    html = resp.content.decode()
    assert "Enter a number, like 3 or 12" in html and 'value="lots"' in html
    assert 'value="agree" checked' in html
    client.post("/surveys/short-test/page/3/", {"q-agree": "agree", "q-count": "4"})
    client.post("/surveys/short-test/page/4/", {})
    resp = client.post("/surveys/short-test/page/5/", {"q-comment": "<script>alert('x')</script>"})
    assert resp["Location"] == "/surveys/short-test/check/"
    html = client.get("/surveys/short-test/check/").content.decode()
    assert "It is calm" in html and "&lt;script&gt;" in html and "<script>alert" not in html
    # Change the first answer: the conditional question disappears and its answer is discarded.
    resp = client.post("/surveys/short-test/page/1/?change=1", {"q-colour": "red"})
    assert resp["Location"] == "/surveys/short-test/check/"
    assert "why-blue" not in draft().answers
    key = draft().idempotency_key
    resp = client.post("/surveys/short-test/check/", {"idempotency_key": key})
    assert resp["Location"] == "/surveys/short-test/done/"
    assert "Answers sent" in client.get("/surveys/short-test/done/").content.decode()
    # A double submit (second click, refresh, back button) does not create a second response.
    resp = client.post("/surveys/short-test/check/", {"idempotency_key": key})
    assert resp["Location"] == "/surveys/short-test/done/"
    assert Response.objects.filter(status="submitted").count() == 1
    assert Answer.objects.filter(question_key="comment").get().text == "<script>alert('x')</script>"


def test_hidden_page_redirects_and_tampered_ids_ignored(started):
    client = started
    client.post("/surveys/short-test/page/1/", {"q-colour": "red", "q-agree": "disagree", "q-evil": "1"})
    assert draft().answers == {"colour": "red"}
    resp = client.get("/surveys/short-test/page/2/")  # hidden by the answer
    assert resp["Location"] == "/surveys/short-test/page/3/"
    resp = client.post("/surveys/short-test/page/2/", {"q-why-blue": "sneaky"})
    assert resp.status_code == 302 and "why-blue" not in draft().answers
    assert client.get("/surveys/short-test/page/99/").status_code == 302
    assert client.get("/surveys/short-test/page/0/").status_code == 302


def test_bad_input_never_500(started):
    client = started
    client.post("/surveys/short-test/page/1/", {"q-colour": "red"})
    client.post("/surveys/short-test/page/3/", {"q-agree": "agree"})
    for data in (
        {"q-when-day": "31", "q-when-month": "2", "q-when-year": "2024"},
        {"q-when-day": "\x00", "q-when-month": "x", "q-when-year": "2024"},
    ):
        resp = client.post("/surveys/short-test/page/4/", data)
        assert resp.status_code == 200 and "There is a problem" in resp.content.decode()
    resp = client.post("/surveys/short-test/page/5/", {"q-comment": "a\x00b"})
    assert "null character" in resp.content.decode()
    resp = client.post("/surveys/short-test/page/5/", {"q-comment": "y" * 5001})
    assert "5,000 characters or fewer" in resp.content.decode()
    resp = client.post(
        "/surveys/short-test/page/1/", {"q-colour": ["red", "blue"], "q-colour-other": "z" * 9000}
    )
    assert resp.status_code in (200, 302)
    resp = client.post("/surveys/short-test/check/", {"idempotency_key": "forged"})
    assert resp.status_code == 200 and "out of date" in resp.content.decode()
    assert Response.objects.filter(status="submitted").count() == 0


def test_save_and_resume_by_link_and_email(started, client, django_capture_on_commit_callbacks):
    started.post("/surveys/short-test/page/1/", {"q-colour": "green", "save_later": "1"})
    html = started.get("/surveys/short-test/save/").content.decode()
    link = re.search(r'id="resume-link" href="([^"]+)"', html).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        resp = started.post("/surveys/short-test/save/", {"email": "parent@example.org"})
    assert "We have sent the link" in resp.content.decode()
    assert link in mail.outbox[0].body
    bad = started.post("/surveys/short-test/save/", {"email": "nope"})
    assert "There is a problem" in bad.content.decode()
    from django.test import Client

    other = Client()  # another browser, days later
    resp = other.get(link.replace("http://testserver", ""))
    assert resp.status_code == 302
    html = other.get(resp["Location"]).content.decode()
    assert "Things are good" in html
    assert other.get("/surveys/short-test/page/1/").content.decode().count('value="green" checked') == 1
    assert other.get("/surveys/resume/not-a-token/").status_code == 200


def test_easy_read_toggle_keeps_answers(started):
    resp = started.post("/surveys/short-test/page/1/", {"q-colour": "green", "toggle_easy_read": "1"})
    assert resp.status_code == 302 and resp.cookies["easy_read"].value == "1"
    assert draft().answers["colour"] == "green"
    html = started.get("/surveys/short-test/page/1/").content.decode()
    assert "Switch off easy read" in html and 'value="green" checked' in html


def test_honeypot_discards(client, simple_survey):
    resp = client.post("/surveys/short-test/", {"website": "http://spam"})
    assert resp.status_code == 302 and not Response.objects.exists()


def test_rate_limit(client, simple_survey, settings):
    settings.SURVEYS_RATE_LIMIT_COUNT = 2
    for _ in range(2):
        client.cookies.clear()
        assert client.post("/surveys/short-test/").status_code == 302
    client.cookies.clear()
    resp = client.post("/surveys/short-test/")
    assert resp.status_code == 429 and "Please wait" in resp.content.decode()


def test_invitation_link_flow_and_kind_messages(client, simple_survey):
    invitation, token = services.invitation_create(survey=simple_survey, reference="EHCNA-42")
    simple_survey.open_to_anyone = False
    simple_survey.save()
    from django.test import Client

    assert "invitation link" in Client().post("/surveys/short-test/").content.decode()
    resp = client.get(f"/surveys/i/{token}/")
    assert resp["Location"] == "/surveys/short-test/"
    client.post("/surveys/short-test/")
    client.post("/surveys/short-test/page/1/", {"q-colour": "red"})
    client.post("/surveys/short-test/page/3/", {"q-agree": "agree"})
    resp = client.post("/surveys/short-test/check/", {"idempotency_key": draft().idempotency_key})
    assert resp["Location"] == "/surveys/short-test/done/"
    assert Response.objects.get(status="submitted").invitation == invitation
    html = client.get(f"/surveys/i/{token}/").content.decode()
    assert "already been used" in html
    assert "do not recognise" in client.get("/surveys/i/garbage/").content.decode()
    other, other_token = services.invitation_create(survey=simple_survey)
    Invitation.objects.filter(pk=other.pk).update(expires_at=timezone.now() - timedelta(days=1))
    assert "expired" in client.get(f"/surveys/i/{other_token}/").content.decode()


def test_second_browser_with_same_link_gets_kind_message(simple_survey):
    from django.test import Client

    _, token = services.invitation_create(survey=simple_survey)
    browsers = [Client(), Client()]
    for b in browsers:
        b.get(f"/surveys/i/{token}/")
        b.post("/surveys/short-test/")
        b.post("/surveys/short-test/page/1/", {"q-colour": "red"})
        b.post("/surveys/short-test/page/3/", {"q-agree": "agree"})
    keys = [r.idempotency_key for r in Response.objects.filter(status="draft").order_by("pk")]
    assert browsers[0].post("/surveys/short-test/check/", {"idempotency_key": keys[0]}).status_code == 302
    resp = browsers[1].post("/surveys/short-test/check/", {"idempotency_key": keys[1]})
    assert resp.status_code == 200 and "already been sent" in resp.content.decode()
    assert Response.objects.filter(status="submitted").count() == 1


def test_unsubscribe(client, simple_survey):
    invitation, token = services.invitation_create(survey=simple_survey, email="a@example.org")
    assert "Stop emails" in client.get(f"/surveys/unsubscribe/{token}/").content.decode()
    client.post(f"/surveys/unsubscribe/{token}/")
    invitation.refresh_from_db()
    assert invitation.unsubscribed_at is not None


def test_closed_survey_message(client, simple_survey):
    services.survey_set_status(survey=simple_survey, status="closed")
    resp = client.get("/surveys/short-test/")
    assert resp.status_code == 200 and "This survey is closed" in resp.content.decode()
    assert "Short test survey" not in client.get("/surveys/").content.decode()


def test_sent_but_session_not_saved_says_sent_not_start_again(started):
    """If the database goes away after the answers are saved but before the session is, the
    person sends again: they are told the answers were sent, and nothing is saved twice."""
    client = started
    client.post("/surveys/short-test/page/1/", {"q-colour": "red"})
    client.post("/surveys/short-test/page/3/", {"q-agree": "agree"})
    client.post("/surveys/short-test/page/4/", {})
    client.post("/surveys/short-test/page/5/", {})
    key = draft().idempotency_key
    services.response_submit(response=draft())  # saved, but this browser's session never heard
    resp = client.post("/surveys/short-test/check/", {"idempotency_key": key})
    assert resp["Location"] == "/surveys/short-test/done/"
    assert Response.objects.filter(status="submitted").count() == 1


def test_interrupted_session_page_is_honest(rf):
    from django.contrib.sessions.exceptions import SessionInterrupted

    from portal.views import error_400

    html = error_400(rf.get("/"), SessionInterrupted()).content.decode()
    assert "may already have been saved" in html and "has not been saved" not in html
