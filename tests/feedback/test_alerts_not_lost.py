"""Issue 14 item 5, "No alert is lost or left": no safeguarding lead, unacknowledged alerts,
crisis signposting after a worrying submission, and the overdue-triage safety net."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse
from django.utils import timezone

from feedback import services, tasks
from feedback.models import FeedbackItem, SafeguardingAlert
from portal.roles import Role
from tests.auth import sign_in

pytestmark = pytest.mark.django_db

AT_RISK = "He says he wants to end it all."


@pytest.fixture
def alert(feedback_setup, ingest):
    ingest(text=AT_RISK)
    return SafeguardingAlert.objects.get()


def test_no_lead_tells_the_administrators_and_keeps_the_alert_for_the_first_lead(alert, make_user):
    # Raised with nobody in either role: nothing sent, nothing marked.
    assert alert.notified_at is None and alert.admins_notified_at is None and not mail.outbox
    admin = make_user(Role.ADMINISTRATOR)
    assert tasks.sweep_unanalysed()["notified"] == 0
    alert.refresh_from_db()
    assert alert.notified_at is None and alert.admins_notified_at is not None
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [admin.email]
    assert "no safeguarding lead is set up" in mail.outbox[0].body
    assert AT_RISK not in mail.outbox[0].body
    # The administrators are told once, not on every sweep.
    tasks.sweep_unanalysed()
    assert len(mail.outbox) == 1
    lead = make_user(Role.SAFEGUARDING_LEAD)
    assert tasks.sweep_unanalysed()["notified"] == 1
    alert.refresh_from_db()
    assert alert.notified_at is not None
    assert mail.outbox[-1].to == [lead.email] and "Safeguarding alert" in mail.outbox[-1].subject


def test_no_lead_and_no_administrators_is_never_marked_done(alert, caplog):
    for _ in range(2):
        assert services.safeguarding_alert_notify(alert_id=alert.pk) is False
    alert.refresh_from_db()
    assert alert.notified_at is None and alert.admins_notified_at is None and not mail.outbox
    assert any(r.levelname == "ERROR" and "administrator" in r.getMessage() for r in caplog.records)


def _age(alert, minutes):
    raised = timezone.now() - timedelta(minutes=minutes)
    SafeguardingAlert.objects.filter(pk=alert.pk).update(created_at=raised)


def test_unacknowledged_alert_escalates_once_after_the_time(alert, make_user, settings):
    settings.FEEDBACK_SAFEGUARDING_DEPUTY_EMAILS = "deputy@example.org, other@example.org"
    settings.FEEDBACK_ALERT_ESCALATE_MINUTES = 60
    admin = make_user(Role.ADMINISTRATOR)
    make_user(Role.SAFEGUARDING_LEAD)
    services.safeguarding_alert_notify(alert_id=alert.pk)
    mail.outbox.clear()
    _age(alert, 59)
    assert tasks.escalate_unacknowledged_alerts() == 0 and not mail.outbox
    _age(alert, 125)
    assert tasks.escalate_unacknowledged_alerts() == 1
    assert tasks.escalate_unacknowledged_alerts() == 0
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert set(sent.to) == {"deputy@example.org", "other@example.org", admin.email}
    assert f"/admin/feedback/alerts/{alert.pk}/" in sent.body and "2\xa0hours" in sent.body
    assert AT_RISK not in sent.body and "end it all" not in sent.body
    alert.refresh_from_db()
    assert alert.escalated_at is not None


def test_acknowledged_alert_does_not_escalate(alert, make_user, settings):
    settings.FEEDBACK_SAFEGUARDING_DEPUTY_EMAILS = "deputy@example.org"
    lead = make_user(Role.SAFEGUARDING_LEAD)
    services.safeguarding_alert_update(alert=alert, actor=lead, state="acknowledged")
    mail.outbox.clear()
    _age(alert, 600)
    assert tasks.escalate_unacknowledged_alerts() == 0 and not mail.outbox


def test_alert_list_and_page_show_age_and_escalation(client, alert, make_user):
    lead = make_user(Role.SAFEGUARDING_LEAD, totp=True)
    _age(alert, 125)
    SafeguardingAlert.objects.filter(pk=alert.pk).update(escalated_at=timezone.now())
    sign_in(client, lead)
    listing = client.get("/admin/feedback/alerts/").content.decode()
    assert "raised 2\xa0hours" in listing and "escalated at" in listing
    page = client.get(f"/admin/feedback/alerts/{alert.pk}/").content.decode()
    assert "Raised 2\xa0hours" in page and "Escalated at" in page


def test_healthz_reports_no_safeguarding_lead_without_taking_the_site_down(client, make_user):
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200 and body["status"] == "ok"
    assert body["safeguarding_lead"] == {"status": "error", "error": "no safeguarding lead"}
    assert body["failing"] == ["safeguarding_lead"]
    make_user(Role.SAFEGUARDING_LEAD)
    body = client.get("/healthz").json()
    assert body["safeguarding_lead"]["status"] == "ok" and body["failing"] == []


def test_dashboard_shows_a_failure_panel_without_a_lead(client, make_user):
    admin = make_user(Role.ADMINISTRATOR, totp=True)
    sign_in(client, admin)
    html = client.get("/admin/").content.decode()
    assert "no safeguarding lead is set up" in html and 'href="/admin/users/"' in html
    make_user(Role.SAFEGUARDING_LEAD)
    assert "no safeguarding lead is set up" not in client.get("/admin/").content.decode()


def test_deploy_check_with_the_database_errors_without_a_lead(make_user):
    with pytest.raises(SystemCheckError, match="safeguarding lead"):
        call_command("check", deploy=True, databases=["default"], tags=["database"])
    call_command("check", deploy=True, tags=["database"])  # without a database (CI's plain check): skipped
    call_command("check", databases=["default"], tags=["database"])  # migrate's checks: not a deploy check
    make_user(Role.SAFEGUARDING_LEAD)
    call_command("check", deploy=True, databases=["default"], tags=["database"])


def test_start_up_logs_loudly_without_a_lead(caplog):
    from config.health import log_if_no_safeguarding_lead

    log_if_no_safeguarding_lead("Celery worker")
    assert any(r.levelname == "ERROR" and "NO SAFEGUARDING LEAD" in r.getMessage() for r in caplog.records)


# --- Crisis signposting on the feedback thanks page ------------------------------------------

FORM = {"audience": "parent_carer", "locality": "north"}


def test_thanks_page_shows_crisis_numbers_after_a_worrying_submission(client, feedback_setup, settings):
    settings.SAFEGUARDING_CONTACT_PHONE = "01234 567890"
    client.post("/feedback/", {**FORM, "text": AT_RISK})
    html = client.get(reverse("feedback:thanks")).content.decode()
    assert 'data-signposting="strong"' in html
    for number in ("0800 1111", "116 123", "999", "01234 567890"):
        assert number in html
    assert "end it all" not in html
    # Shown once: a reload shows the general line only.
    assert 'data-signposting="strong"' not in client.get(reverse("feedback:thanks")).content.decode()


def test_thanks_page_easy_read_and_default_local_contact(client, feedback_setup):
    client.cookies["easy_read"] = "1"
    client.post("/feedback/", {**FORM, "text": AT_RISK})
    html = client.get(reverse("feedback:thanks")).content.decode()
    assert "If you or a child is not safe" in html and "phone <strong>999</strong>" in html
    assert "your local council&#x27;s children&#x27;s services" in html


def test_ordinary_submission_gets_only_the_general_line(client, feedback_setup):
    client.post("/feedback/", {**FORM, "text": "Forty weeks and still no plan."})
    html = client.get(reverse("feedback:thanks")).content.decode()
    assert 'data-signposting="strong"' not in html and 'data-signposting="general"' in html


# --- Overdue triage -----------------------------------------------------------------------------


@pytest.fixture
def overdue_items(feedback_setup, ingest):
    old = ingest(text="Waited ages for a reply about transport.")
    new = ingest(text="The new parent group is great.")
    FeedbackItem.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(hours=30))
    return old, new


def test_overdue_filter_in_the_inbox(client, make_user, overdue_items):
    old, new = overdue_items
    sign_in(client, make_user(Role.ENGAGEMENT_TEAM, totp=True))
    html = client.get("/admin/feedback/?overdue=yes").content.decode()
    assert f"/admin/feedback/item/{old.pk}/" in html and f"/admin/feedback/item/{new.pk}/" not in html
    assert 'name="overdue"' in client.get("/admin/feedback/").content.decode()


def test_overdue_email_goes_to_the_team_lead_once_a_day(make_user, overdue_items, settings):
    team = make_user(Role.ENGAGEMENT_TEAM)
    assert tasks.notify_overdue_triage() == 1
    assert mail.outbox[-1].to == [team.email] and "?overdue=yes" in mail.outbox[-1].body
    assert "transport" not in mail.outbox[-1].body
    assert tasks.notify_overdue_triage() == 0 and len(mail.outbox) == 1
    from django.core.cache import cache

    cache.clear()
    settings.FEEDBACK_TEAM_LEAD_EMAILS = "lead@example.org"
    assert tasks.notify_overdue_triage() == 1 and mail.outbox[-1].to == ["lead@example.org"]
