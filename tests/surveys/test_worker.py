"""Invitation emails and reminders through a real Celery worker and Redis (PostgreSQL only;
skipped on SQLite, required in CI)."""

import pytest

from surveys import services
from tests.worker import wait_for

pytestmark = pytest.mark.worker


def test_invitation_email_sent_by_worker(celery_worker, simple_survey):
    invitation, token = services.invitation_create(survey=simple_survey, email="carer@example.org")

    def mail_with_link():
        for path in celery_worker.mail_dir.iterdir():
            text = path.read_text(errors="replace")
            if token in text:
                return text
        return None

    text = wait_for(mail_with_link, timeout=60)
    assert "carer@example.org" in text
    invitation.refresh_from_db()
    assert invitation.sent_at is not None


def test_submission_does_not_wait_for_broker(celery_worker, simple_survey):
    """The response is committed first; feeding feedback happens in the worker afterwards."""
    response = services.response_start(survey=simple_survey)
    services.response_save_answers(
        response=response, values={"colour": "red", "agree": "agree", "comment": "Clearer letters"}
    )
    submitted = services.response_submit(response=response)
    assert submitted.status == "submitted"
