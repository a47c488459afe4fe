import pytest
from django.urls import reverse

from feedback.models import FeedbackItem

pytestmark = pytest.mark.django_db

VALID = {
    "text": "Forty weeks and still no plan.",
    "audience": "parent_carer",
    "locality": "north",
    "consent_to_quote": "on",
}


def test_form_renders_govuk_markup(client):
    html = client.get("/feedback/").content.decode()
    assert 'class="govuk-textarea' in html and 'class="govuk-radios' in html
    assert 'name="website"' in html  # honeypot


def test_submission_is_saved_and_confirmed(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/feedback/", VALID)
    assert response.status_code == 302 and response["Location"] == reverse("feedback:thanks")
    item = FeedbackItem.objects.get()
    assert item.channel == "web_form" and item.locality == "north" and item.consent_to_quote
    assert item.analysis_state == "done"  # eager Celery in tests: analysed after commit
    assert "has been sent" in client.get(response["Location"]).content.decode()


def test_errors_are_summarised_and_typed_values_kept(client):
    response = client.post(
        "/feedback/",
        {"text": "<script>alert(1)</script> my words", "wants_reply": "on", "contact_email": "not-an-email"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "govuk-error-summary" in html
    assert "Select whether you are a parent or carer" in html
    assert "Enter an email address in the correct format" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; my words" in html  # kept and escaped
    assert "<script>alert(1)" not in html
    assert 'value="not-an-email"' in html
    assert FeedbackItem.objects.count() == 0


def test_wants_reply_needs_an_email(client):
    html = client.post("/feedback/", {**VALID, "wants_reply": "on"}).content.decode()
    assert "Enter your email address so we can reply" in html


def test_nul_bytes_are_stripped(client):
    client.post("/feedback/", {**VALID, "text": "No\x00 plan\x00"})
    assert FeedbackItem.objects.get().original.text == "No plan"


def test_honeypot_discards_bots_silently(client):
    response = client.post("/feedback/", {**VALID, "website": "http://spam.example"})
    assert response.status_code == 302
    assert FeedbackItem.objects.count() == 0


def test_rate_limit_returns_429_with_a_clear_page(client, settings):
    settings.FEEDBACK_RATE_LIMIT_COUNT = 2
    for _ in range(2):
        assert client.post("/feedback/", VALID).status_code == 302
    response = client.post("/feedback/", VALID)
    assert response.status_code == 429
    assert "a lot of feedback in a short time" in response.content.decode()
    assert FeedbackItem.objects.count() == 2
