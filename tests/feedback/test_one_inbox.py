"""Feedback from the form, an import, a survey and the youth forum lands in one inbox, redacted,
analysed and tagged."""

import io

import pytest

from feedback.models import FeedbackItem
from portal.roles import Role
from tests.auth import sign_in

pytestmark = pytest.mark.django_db


def test_every_channel_arrives_in_one_inbox(
    client, make_user, feedback_setup, django_capture_on_commit_callbacks
):
    from feedback.services import feedback_ingest

    staff = make_user(Role.ENGAGEMENT_TEAM, totp=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/feedback/", {"text": "Form: our caseworker Jenny never replies.", "audience": "parent_carer"}
        )
    sign_in(client, staff)
    csv = io.BytesIO(
        b"text,channel,date,audience\nImport: 40 weeks and still no EHCP,phone,2024-06-03,parent_carer\n"
    )
    csv.name = "import.csv"
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/feedback/import/", {"file": csv})
    with django_capture_on_commit_callbacks(execute=True):
        # Exactly how surveys.services.answers_feed_feedback and youthforum call the contract.
        feedback_ingest(
            text="Survey: the transport team lost our address",
            channel="survey",
            audience="parent_carer",
            source_ref="surveys.answer:17",
            received_at=None,
        )
        feedback_ingest(
            text="Youth forum: I want to be asked about my plan",
            channel="youth_forum",
            audience="young_person",
            source_ref="youthforum.view:9",
        )
        feedback_ingest(
            text="Again", channel="survey", audience="not-a-real-audience", source_ref="surveys.answer:17"
        )
        odd = feedback_ingest(text="Odd labels", channel="email", audience="martian", locality="mars")
    assert (odd.audience, odd.locality) == ("unknown", "")
    odd.delete()
    assert FeedbackItem.objects.count() == 4
    assert set(FeedbackItem.objects.values_list("channel", flat=True)) == {
        "web_form",
        "phone",
        "survey",
        "youth_forum",
    }
    assert not FeedbackItem.objects.exclude(analysis_state="done").exists()
    html = client.get("/admin/feedback/").content.decode()
    assert "Jenny" not in html
    for word in ("Form:", "Import:", "Survey:", "Youth forum:"):
        assert word in html
    assert FeedbackItem.objects.get(source_ref="surveys.answer:17").objective_tags.exists()


def test_admin_menu_and_home_render_for_staff(client, make_user, feedback_setup):
    sign_in(client, make_user(Role.ENGAGEMENT_TEAM, totp=True))
    html = client.get("/admin/").content.decode()
    assert "/admin/feedback/" in html
    assert client.get("/admin/feedback/new/").status_code == 200
    assert client.get("/admin/feedback/import/").status_code == 200
