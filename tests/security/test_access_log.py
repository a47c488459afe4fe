"""The access log: every time staff are shown unredacted personal data (an original feedback
text, a survey export with personal data) leaves exactly one entry naming who, which record and
which screen; people who may not see the data get neither the data nor an entry; and only the
safeguarding lead and administrators can read the log."""

import pytest
from django.test import Client

from feedback.models import FeedbackOriginal, SafeguardingAlert
from feedback.services import feedback_ingest, original_view
from portal.models import AccessLogEntry
from portal.roles import Role
from tests.auth import sign_in
from tests.people import named_survey, run_on_commit

pytestmark = pytest.mark.django_db


def _ingest(text, **kwargs):
    kwargs.setdefault("channel", "web_form")
    kwargs.setdefault("audience", "parent_carer")
    item = run_on_commit(feedback_ingest, text=text, **kwargs)
    item.refresh_from_db()
    return item


@pytest.fixture
def item(db):
    return _ingest(
        "Our caseworker Jenny Smith never replies.",
        contact_email="mum@example.org",
        contact_name="Sam Parent",
    )


@pytest.fixture
def disclosure(db):
    return _ingest("She has started cutting herself and says she wants to die.")


def _client(make_user, role) -> tuple[Client, object]:
    user = make_user(
        role,
        totp=role in (Role.ENGAGEMENT_TEAM, Role.SAFEGUARDING_LEAD, Role.ADMINISTRATOR, Role.BOARD_MEMBER),
    )
    client = Client()
    sign_in(client, user)
    return client, user


def test_viewing_an_original_records_one_entry_per_view(make_user, item):
    client, lead = _client(make_user, Role.SAFEGUARDING_LEAD)
    html = client.get(f"/admin/feedback/item/{item.pk}/").content.decode()
    assert "Jenny Smith" in html and "mum@example.org" in html
    entry = AccessLogEntry.objects.get()
    assert (entry.actor, entry.actor_label, entry.action) == (lead, lead.email, "original_viewed")
    assert (entry.object_type, entry.object_id, entry.screen) == (
        "feedback.item",
        str(item.pk),
        "feedback_admin:item",
    )
    assert "Jenny" not in str(entry.detail) and entry.reason == ""
    client.get(f"/admin/feedback/item/{item.pk}/")
    assert AccessLogEntry.objects.filter(actor=lead, object_id=str(item.pk)).count() == 2


def test_the_safeguarding_alert_screen_is_recorded_with_the_alert(make_user, disclosure):
    client, lead = _client(make_user, Role.SAFEGUARDING_LEAD)
    alert = SafeguardingAlert.objects.get(item=disclosure)
    assert "cutting herself" in client.get(f"/admin/feedback/alerts/{alert.pk}/").content.decode()
    entry = AccessLogEntry.objects.get()
    assert (entry.actor, entry.object_id, entry.screen) == (lead, str(disclosure.pk), "feedback_admin:alert")
    assert entry.detail == {"safeguarding": True, "alert": alert.pk, "alert_state": "open"}


@pytest.mark.parametrize("role", [Role.ENGAGEMENT_TEAM, Role.ADMINISTRATOR])
def test_roles_without_the_permission_see_no_original_and_leave_no_entry(make_user, item, disclosure, role):
    client, _ = _client(make_user, role)
    html = client.get(f"/admin/feedback/item/{item.pk}/").content.decode()
    assert "Jenny Smith" not in html and "mum@example.org" not in html
    client.get(f"/admin/feedback/item/{disclosure.pk}/")
    alert = SafeguardingAlert.objects.get(item=disclosure)
    client.get(f"/admin/feedback/alerts/{alert.pk}/")
    assert not AccessLogEntry.objects.exists()


def test_the_service_records_nothing_for_others_or_for_purged_text(make_user, item):
    team = make_user(Role.ENGAGEMENT_TEAM)
    assert original_view(item=item, user=team, screen="test") is None
    lead = make_user(Role.SAFEGUARDING_LEAD)
    FeedbackOriginal.objects.filter(item=item).update(text="", contact_email="", contact_name="")
    assert original_view(item=item, user=lead, screen="test") is not None
    assert not AccessLogEntry.objects.exists()


def test_survey_export_with_personal_data_is_recorded(make_user):
    from surveys import services

    survey = named_survey()
    response = services.response_start(survey=survey)
    services.response_save_answers(
        response=response, values={"rating": "good", "comment": "Ring Jo on 07700 900123"}
    )
    run_on_commit(services.response_submit, response=response)
    admin, admin_user = _client(make_user, Role.ADMINISTRATOR)
    export = admin.get(f"/admin/survey-tools/{survey.pk}/export.csv")
    # Administrators get invitation and account columns but never typed text: that needs
    # feedback.view_original_text (the safeguarding lead's), as in the inbox.
    assert "07700 900123" not in export.content.decode("utf-8-sig")
    entry = AccessLogEntry.objects.get()
    assert (entry.actor, entry.action, entry.object_type, entry.object_id) == (
        admin_user,
        "export_personal",
        "surveys.survey",
        str(survey.pk),
    )
    assert entry.detail == {
        "format": "csv",
        "responses": 1,
        "anonymous_survey": False,
        "unredacted_text": False,
    }
    team, _ = _client(make_user, Role.ENGAGEMENT_TEAM)
    redacted = team.get(f"/admin/survey-tools/{survey.pk}/export.csv").content.decode("utf-8-sig")
    assert "07700 900123" not in redacted
    assert AccessLogEntry.objects.count() == 1


def test_the_log_is_for_the_safeguarding_lead_and_administrators_only(make_user, item):
    lead_client, lead = _client(make_user, Role.SAFEGUARDING_LEAD)
    lead_client.get(f"/admin/feedback/item/{item.pk}/")
    for role in (Role.SAFEGUARDING_LEAD, Role.ADMINISTRATOR):
        client, _ = _client(make_user, role)
        html = client.get("/admin/access-log/").content.decode()
        assert lead.email in html and f"Feedback #{item.pk}" in html
        assert "Jenny" not in html  # the log says who saw what, never the text itself
    for role in (Role.ENGAGEMENT_TEAM, Role.BOARD_MEMBER, Role.PARENT_CARER):
        client, _ = _client(make_user, role)
        response = client.get("/admin/access-log/")
        assert response.status_code == 302 and lead.email not in response.content.decode()
    assert Client().get("/admin/access-log/").status_code == 302


def test_the_log_filters_and_cannot_be_changed(make_user, item, disclosure):
    lead_client, lead = _client(make_user, Role.SAFEGUARDING_LEAD)
    lead_client.get(f"/admin/feedback/item/{item.pk}/")
    lead_client.get(f"/admin/feedback/item/{disclosure.pk}/")
    admin, _ = _client(make_user, Role.ADMINISTRATOR)
    html = admin.get(f"/admin/access-log/?object_type=feedback.item&object_id={item.pk}").content.decode()
    assert f"Feedback #{item.pk}" in html and f"Feedback #{disclosure.pk}<" not in html
    assert "1 entry" in html
    assert "0 entries" in admin.get("/admin/access-log/?actor=nobody@").content.decode()
    assert "2 entries" in admin.get("/admin/access-log/?action=original_viewed").content.decode()
    assert admin.post("/admin/access-log/", {}).status_code in (403, 405)
    assert AccessLogEntry.objects.count() == 2
    # The item page links the lead's reviewers to who has seen its original.
    item_html = admin.get(f"/admin/feedback/item/{item.pk}/").content.decode()
    assert f"object_type=feedback.item&amp;object_id={item.pk}" in item_html


def test_moderators_see_terms_comments_redacted(make_user):
    from youthforum import services
    from youthforum.models import AgeBand, TermsVersion

    moderator = make_user(Role.ENGAGEMENT_TEAM, totp=True)
    member = run_on_commit(
        services.member_join, nickname="Robin", age_band=AgeBand.AGE_16_17, contact_email="robin@example.org"
    )
    services.member_approve(member=member, actor=moderator)
    draft = TermsVersion.objects.create(number=1, body="Draft", status=TermsVersion.Status.DRAFT)
    run_on_commit(
        services.terms_comment_add,
        member=member,
        version=draft,
        text="Email me at robin.real@example.org about meetings",
    )
    client = Client()
    sign_in(client, moderator)
    html = client.get("/admin/youth-forum/comments/").content.decode()
    assert "robin.real@example.org" not in html and "about meetings" in html
