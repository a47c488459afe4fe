import pytest

from feedback.models import FeedbackItem
from tests.browser import assert_accessible


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_public_feedback_form_with_an_error_is_accessible(page):
    page.goto("/feedback/")
    assert_accessible(page)
    page.fill("#id_text", "My son's EHCP is at week 30 and nobody replies.")
    page.get_by_role("button", name="Send feedback").click()
    # Audience missing: error summary, inline error, typed text kept.
    assert page.locator(".govuk-error-summary").is_visible()
    assert "week 30" in page.input_value("#id_text")
    assert_accessible(page)
    page.check("#id_audience_0")
    page.check("#id_locality_1")
    page.get_by_role("button", name="Send feedback").click()
    page.wait_for_url("**/feedback/thank-you/")
    assert "has been sent" in page.inner_text("h1")
    assert_accessible(page)
    assert FeedbackItem.objects.filter(channel="web_form").count() == 1
