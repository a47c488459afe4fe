"""A survey invitation link works once.

tests/surveys/test_views.py already sends answers through a link and opens it again (GET), and
has two browsers racing with the same link. Here the spent link, the survey's pages and the
captured final POST are replayed through the views in every way a person or a script could,
and tampered or unknown tokens are tried: always a clear page, never a second response, never
a server error.
"""

from __future__ import annotations

import pytest
from django.test import Client

from surveys import services
from surveys.models import Answer, Invitation, Response

pytestmark = pytest.mark.django_db

SLUG = "invited-only"
START, PAGE, CHECK = f"/surveys/{SLUG}/", f"/surveys/{SLUG}/page/1/", f"/surveys/{SLUG}/check/"


@pytest.fixture
def invited_survey(site):
    from surveys.models import Audience
    from surveys.questions import Kind
    from surveys.services import survey_create

    return survey_create(
        title="Your EHC needs assessment",
        slug=SLUG,
        audience=Audience.PARENT_CARER,
        intro="For families we invited.",
        privacy_notice="Kept for 2 years.",
        open_to_anyone=False,
        questions=[
            {"key": "agree", "kind": Kind.LIKERT, "text": "The assessment was explained well"},
            {
                "key": "comment",
                "kind": Kind.LONG_TEXT,
                "text": "Anything else?",
                "required": False,
                "same_page_as_previous": True,
            },
        ],
    )


def _complete(client, token) -> dict:
    """Answer through the invitation link; return the final POST as the browser sent it."""
    assert client.get(f"/surveys/i/{token}/")["Location"] == START
    assert client.post(START).status_code == 302
    assert client.post(PAGE, {"q-agree": "agree", "q-comment": "Thank you"})["Location"] == CHECK
    final = {"idempotency_key": Response.objects.get(status="draft").idempotency_key}
    assert client.post(CHECK, final)["Location"] == f"/surveys/{SLUG}/done/"
    return final


def _stored() -> tuple[int, int, int]:
    return (
        Response.objects.filter(status="submitted").count(),
        Response.objects.count(),
        Answer.objects.count(),
    )


def _says_used(response) -> None:
    html = response.content.decode()
    assert response.status_code == 200
    assert "This link has already been used" in html and "Each link works once" in html


def test_a_spent_link_is_refused_however_it_is_replayed(client, invited_survey):
    invitation, token = services.invitation_create(survey=invited_survey, reference="EHCNA-7")
    final = _complete(client, token)
    after_first = _stored()
    assert after_first == (1, 1, 2)
    assert Invitation.objects.get(pk=invitation.pk).used_at is not None

    # The same browser opens the link again (GET, and a POST as a script might send).
    _says_used(client.get(f"/surveys/i/{token}/"))
    _says_used(client.post(f"/surveys/i/{token}/", final))
    # ...replays the final POST: it is told the answers were sent, nothing new is stored.
    response = client.post(CHECK, final)
    assert response.status_code == 302 and response["Location"] == f"/surveys/{SLUG}/done/"
    # ...tries to start again and replays the answer page: the link no longer lets it in.
    response = client.post(START)
    assert response.status_code == 200 and "You need an invitation link" in response.content.decode()
    assert client.post(PAGE, {"q-agree": "disagree"}).status_code == 302
    assert _stored() == after_first

    # A second browser with the link and the captured final POST gets no further.
    other = Client()
    _says_used(other.get(f"/surveys/i/{token}/"))
    assert "You need an invitation link" in other.post(START).content.decode()
    response = other.post(CHECK, final)
    assert response.status_code == 302 and response["Location"] == START
    assert other.post(PAGE, {"q-agree": "disagree"}).status_code == 302
    assert _stored() == after_first
    assert Response.objects.get().answers == {"agree": "agree", "comment": "Thank you"}


def test_a_browser_that_opened_the_link_earlier_cannot_start_after_it_is_spent(client, invited_survey):
    _, token = services.invitation_create(survey=invited_survey)
    early = Client()
    assert early.get(f"/surveys/i/{token}/")["Location"] == START  # opened, not started
    _complete(client, token)
    response = early.post(START)
    assert response.status_code == 200 and "You need an invitation link" in response.content.decode()
    assert _stored() == (1, 1, 2)


def test_the_resume_link_of_sent_answers_cannot_reopen_them(client, invited_survey):
    _, token = services.invitation_create(survey=invited_survey)
    _complete(client, token)
    resume = f"/surveys/resume/{services.response_token(Response.objects.get())}/"
    other = Client()
    response = other.get(resume)
    assert response.status_code == 200 and "Your answers have already been sent" in response.content.decode()
    assert other.post(CHECK, {"idempotency_key": Response.objects.get().idempotency_key}).status_code == 302
    assert _stored() == (1, 1, 2)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # one character changed
        lambda t: t[:20],  # cut short
        lambda t: t + "x",  # added to
        lambda t: t.upper(),
        lambda t: "%00" + t,
        lambda t: t + "%ED%A0%80",  # a lone surrogate, as sent by a broken client
        lambda t: "x" * 5000,
        lambda t: "..%2F..%2Fadmin",
        lambda t: "' OR 1=1 --",
    ],
)
def test_tampered_or_unknown_tokens_get_a_clear_page(client, invited_survey, tamper):
    _, token = services.invitation_create(survey=invited_survey)
    bad = tamper(token)
    for path in (f"/surveys/i/{bad}/", f"/surveys/resume/{bad}/", f"/surveys/unsubscribe/{bad}/"):
        response = client.get(path)
        assert response.status_code in (200, 404), f"{path}: {response.status_code}"
        if response.status_code == 200:
            html = response.content.decode()
            assert "We do not recognise this link" in html or "We could not find your saved answers" in html
    response = client.post(f"/surveys/unsubscribe/{bad}/")
    assert response.status_code in (200, 404)
    # The tampered link let nobody in: starting still needs a real invitation.
    assert "You need an invitation link" in client.post(START).content.decode()
    assert Response.objects.count() == 0
    assert Invitation.objects.get().unsubscribed_at is None
