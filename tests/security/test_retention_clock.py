"""Retention across every app, tested with a clock: data is built at known times, then
`privacy.retention.retention_enforce(now=...)` runs at day 0, just before and just after each
period (the defaults in each app's conf.py). Each step asserts exactly what was purged or
anonymised and what was kept, and that running again at the same moment changes nothing."""

from datetime import UTC, datetime, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.sessions.models import Session

from cms.models import NewsletterSubscription
from feedback.models import FeedbackItem, FeedbackOriginal, SafeguardingAlert
from portal.models import AccessLogEntry, User
from portal.roles import Role
from privacy.retention import retention_enforce
from surveys.models import Answer, Invitation, Response
from tests.people import named_survey, run_on_commit
from youthforum.models import AgeBand, ConsentRequest, Member

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
KEYS = [
    "feedback.originals_purged",
    "feedback.contacts_purged",
    "surveys.invitations_erased",
    "surveys.drafts_deleted",
    "surveys.resume_emails_cleared",
    "surveys.free_text_redacted",
    "youthforum.consent_requests_expired",
    "youthforum.members_erased",
    "cms.newsletter_unconfirmed_deleted",
    "cms.newsletter_unsubscribed_deleted",
    "portal.unverified_accounts_deleted",
    "portal.expired_sessions_deleted",
    "portal.access_log_entries_deleted",
]


def day(n: float):
    return T0 + timedelta(days=n)


def test_the_defaults_this_clock_is_built_on():
    from cms import conf as cms_conf
    from feedback import conf as feedback_conf
    from portal import retention
    from surveys import conf as surveys_conf
    from youthforum import conf as youthforum_conf

    assert feedback_conf.original_retention_days() == 365
    assert (
        surveys_conf.invitation_valid_days(),
        surveys_conf.invitation_retention_days(),
        surveys_conf.draft_retention_days(),
        surveys_conf.free_text_retention_days(),
    ) == (28, 90, 60, 365)
    assert (
        youthforum_conf.consent_expiry_days(),
        youthforum_conf.rejected_retention_days(),
        youthforum_conf.pending_retention_days(),
    ) == (30, 30, 90)
    assert (cms_conf.newsletter_unconfirmed_days(), cms_conf.newsletter_unsubscribed_days()) == (30, 30)
    assert (retention.unverified_account_days(), retention.access_log_retention_days()) == (30, 2190)


def _feedback(text, *, analyse=True, **kwargs):
    from feedback.services import feedback_ingest

    kwargs.update(channel="web_form", audience="parent_carer", received_at=T0)
    if analyse:
        item = run_on_commit(feedback_ingest, text=text, **kwargs)
    else:
        item = feedback_ingest(text=text, **kwargs)
    item.refresh_from_db()
    return item


@pytest.fixture
def world(make_user):
    """One of everything retention cares about, all made at T0 (timestamps set directly, as the
    auto-filled ones would be at that moment)."""
    from cms.services import newsletter_confirm, newsletter_subscribe, newsletter_unsubscribe
    from feedback.services import safeguarding_alert_update
    from portal.services import access_log_record
    from surveys import services as surveys
    from youthforum import services as youthforum

    lead = make_user(Role.SAFEGUARDING_LEAD)
    moderator = make_user(Role.ENGAGEMENT_TEAM)
    w = {"lead": lead, "moderator": moderator}
    # Feedback: analysed, never analysed, under an open alert, under a closed alert.
    w["done"] = _feedback("Transport is late, ring me", contact_email="done@example.org", contact_name="Dee")
    w["pending"] = _feedback("Not analysed yet", analyse=False, contact_email="pending@example.org")
    w["open_alert"] = _feedback(
        "She has started cutting herself and says she wants to die.", contact_email="open@example.org"
    )
    w["closed_alert"] = _feedback(
        "He says he wants to die and has been hurting himself.", contact_email="closed@example.org"
    )
    assert w["pending"].analysis_state == "pending"
    assert SafeguardingAlert.objects.get(item=w["open_alert"]).state == "open"
    safeguarding_alert_update(
        alert=SafeguardingAlert.objects.get(item=w["closed_alert"]),
        actor=lead,
        state="closed",
        notes="Handled",
    )
    # Surveys: an invitation, a saved draft with a resume email, and a response submitted with a
    # resume email and free text.
    survey = named_survey()
    w["invitation"], _ = surveys.invitation_create(
        survey=survey, email="invited@example.org", name="Ivy", reference="EHCNA-1"
    )
    Invitation.objects.filter(pk=w["invitation"].pk).update(created_at=T0, expires_at=day(28))
    draft = surveys.response_start(survey=survey)
    surveys.response_save_answers(response=draft, values={"comment": "Half written"})
    surveys.response_resume_email(response=draft, email="draft@example.org")
    Response.objects.filter(pk=draft.pk).update(created_at=T0, updated_at=T0)
    w["draft"] = draft
    submitted = surveys.response_start(survey=survey)
    surveys.response_save_answers(
        response=submitted, values={"rating": "good", "comment": "Ring Jo Bloggs on 07700 900123"}
    )
    surveys.response_resume_email(response=submitted, email="resumer@example.org")
    surveys.response_submit(response=submitted, now=T0)
    Response.objects.filter(pk=submitted.pk).update(created_at=T0, submitted_at=T0)
    w["submitted"] = submitted
    # Youth forum: an under-16 whose parent never answered, a request turned down, a request
    # nobody decided, and an approved member.
    w["no_consent"] = youthforum.member_join(
        nickname="Wren", age_band=AgeBand.AGE_13_15, contact_email="wren-parent@example.org"
    )
    w["rejected"] = youthforum.member_reject(
        member=youthforum.member_join(
            nickname="Rex", age_band=AgeBand.AGE_16_17, contact_email="rex@example.org"
        ),
        actor=moderator,
    )
    w["undecided"] = youthforum.member_join(
        nickname="Uma", age_band=AgeBand.AGE_18_25, contact_email="uma@example.org"
    )
    w["approved"] = youthforum.member_approve(
        member=youthforum.member_join(
            nickname="Abe", age_band=AgeBand.AGE_16_17, contact_email="abe@example.org"
        ),
        actor=moderator,
    )
    Member.objects.update(created_at=T0)
    Member.objects.filter(pk=w["rejected"].pk).update(rejected_at=T0)
    ConsentRequest.objects.update(created_at=T0)
    # Newsletter: never confirmed, unsubscribed, and a current subscriber.
    unconfirmed = newsletter_subscribe(email="unconfirmed@example.org", audience="parent_carer")
    gone = newsletter_subscribe(email="gone@example.org", audience="parent_carer")
    newsletter_confirm(token=gone.confirm_token)
    newsletter_unsubscribe(token=gone.unsubscribe_token)
    current = newsletter_subscribe(email="current@example.org", audience="professional")
    newsletter_confirm(token=current.confirm_token)
    NewsletterSubscription.objects.update(created_at=T0)
    NewsletterSubscription.objects.filter(pk=gone.pk).update(unsubscribed_at=T0)
    w.update(unconfirmed=unconfirmed, gone=gone, current=current)
    # Accounts: a sign-up never verified, and a verified one.
    w["unverified"] = User.objects.create_user(email="never-verified@example.org", password="x" * 12)
    EmailAddress.objects.create(
        user=w["unverified"], email=w["unverified"].email, verified=False, primary=True
    )
    w["verified"] = make_user(Role.PARENT_CARER)
    User.objects.filter(pk__in=[w["unverified"].pk, w["verified"].pk]).update(created_at=T0)
    # A session that expires after 14 days, and an access log entry.
    Session.objects.create(session_key="k" * 32, session_data="", expire_date=day(14))
    w["log"] = access_log_record(
        actor=lead,
        action="original_viewed",
        object_type="feedback.item",
        object_id=w["done"].pk,
        screen="feedback_admin:item",
    )
    AccessLogEntry.objects.update(created_at=T0)
    return w


def _snapshot():
    """Every row retention may touch, so a second run can be shown to change nothing."""
    models = [
        FeedbackItem,
        FeedbackOriginal,
        SafeguardingAlert,
        Invitation,
        Response,
        Answer,
        Member,
        ConsentRequest,
        NewsletterSubscription,
        User,
        EmailAddress,
        Session,
        AccessLogEntry,
    ]
    return {m.__name__: sorted(m.objects.values_list(), key=str) for m in models}


def _enforce(now, **expected):
    """Run retention at `now`, check exactly what it did, then run again: nothing more."""
    wanted = dict.fromkeys(KEYS, 0)
    wanted.update({key.replace("__", "."): value for key, value in expected.items()})
    assert retention_enforce(now=now) == wanted
    before = _snapshot()
    assert retention_enforce(now=now) == dict.fromkeys(KEYS, 0)
    assert _snapshot() == before


def _original(item) -> FeedbackOriginal:
    return FeedbackOriginal.objects.get(item=item)


def _members() -> set[str]:
    return set(Member.objects.values_list("nickname", flat=True))


def _newsletter() -> set[str]:
    return set(NewsletterSubscription.objects.values_list("email", flat=True))


def test_retention_clock(world):
    w = world
    everyone = {"Wren", "Rex", "Uma", "Abe"}
    all_subscriptions = {"unconfirmed@example.org", "gone@example.org", "current@example.org"}

    # Day 0: only the resume email of the submitted response goes (it is no longer needed).
    _enforce(day(0) + HOUR, surveys__resume_emails_cleared=1)
    assert Response.objects.get(pk=w["submitted"].pk).resume_email == ""
    assert Response.objects.get(pk=w["draft"].pk).resume_email == "draft@example.org"
    assert _members() == everyone and _newsletter() == all_subscriptions
    assert Session.objects.count() == 1 and User.objects.filter(pk=w["unverified"].pk).exists()

    # Day 14: the session has expired.
    _enforce(day(14) - HOUR)
    _enforce(day(14) + HOUR, portal__expired_sessions_deleted=1)

    # Day 30: the unanswered consent request expires and the child waiting for it is erased,
    # the turned-down request is erased, the newsletter sign-ups nobody confirmed or that were
    # cancelled are deleted, and the account never verified is deleted.
    _enforce(day(30) - HOUR)
    assert _members() == everyone
    _enforce(
        day(30) + HOUR,
        youthforum__consent_requests_expired=1,
        youthforum__members_erased=2,
        cms__newsletter_unconfirmed_deleted=1,
        cms__newsletter_unsubscribed_deleted=1,
        portal__unverified_accounts_deleted=1,
    )
    assert _members() == {"Uma", "Abe"}
    assert not User.objects.filter(pk__in=[w["no_consent"].user_id, w["rejected"].user_id]).exists()
    assert not ConsentRequest.objects.exists()
    assert _newsletter() == {"current@example.org"}
    assert not User.objects.filter(pk=w["unverified"].pk).exists()
    assert not EmailAddress.objects.filter(email="never-verified@example.org").exists()
    assert User.objects.filter(pk__in=[w["verified"].pk, w["approved"].user_id]).count() == 2

    # Day 60: the draft nobody came back to is deleted, with its resume email.
    _enforce(day(60) - HOUR)
    assert Response.objects.filter(pk=w["draft"].pk).exists()
    _enforce(day(60) + HOUR, surveys__drafts_deleted=1)
    assert not Response.objects.filter(pk=w["draft"].pk).exists()
    assert not Response.objects.filter(resume_email__gt="").exists()

    # Day 90: the request to join that no moderator decided is erased; the member stays.
    _enforce(day(90) - HOUR)
    _enforce(day(90) + HOUR, youthforum__members_erased=1)
    assert _members() == {"Abe"}

    # Day 118 (expiry on day 28 + 90): the invitation loses its email, name and reference.
    _enforce(day(118) - HOUR)
    assert Invitation.objects.get(pk=w["invitation"].pk).email == "invited@example.org"
    _enforce(day(118) + HOUR, surveys__invitations_erased=1)
    invitation = Invitation.objects.get(pk=w["invitation"].pk)
    assert (invitation.email, invitation.name, invitation.reference) == ("", "", "")
    assert invitation.personal_data_erased_at == day(118) + HOUR

    # Day 365: original feedback text and contact details are purged, except under an open
    # alert; text never redacted keeps its words but loses the contact details; survey free text
    # is replaced by its redacted version.
    _enforce(day(365) - HOUR)
    assert _original(w["done"]).text == "Transport is late, ring me"
    assert Answer.objects.get(response=w["submitted"], question_key="comment").text.endswith("07700 900123")
    _enforce(
        day(365) + HOUR,
        feedback__originals_purged=2,
        feedback__contacts_purged=1,
        surveys__free_text_redacted=1,
    )
    for key in ("done", "closed_alert"):
        original = _original(w[key])
        assert (original.text, original.contact_email, original.contact_name) == ("", "", "")
        assert original.purged_at == day(365) + HOUR
        assert FeedbackItem.objects.get(pk=w[key].pk).redacted_text  # the redacted text stays
    pending = _original(w["pending"])
    assert (pending.text, pending.contact_email, pending.purged_at) == ("Not analysed yet", "", None)
    still_open = _original(w["open_alert"])
    assert "cutting herself" in still_open.text and still_open.contact_email == "open@example.org"
    answer = Answer.objects.get(response=w["submitted"], question_key="comment")
    response = Response.objects.get(pk=w["submitted"].pk)
    assert "07700 900123" not in answer.text and answer.text == answer.value == response.answers["comment"]
    assert answer.text.startswith("Ring")
    assert response.answers["rating"] == "good" and response.free_text_redacted_at == day(365) + HOUR
    assert AccessLogEntry.objects.filter(pk=w["log"].pk).exists()

    # Closing the alert later lets the next run purge that original too.
    SafeguardingAlert.objects.filter(item=w["open_alert"]).update(state="closed")
    _enforce(day(400), feedback__originals_purged=1)
    assert _original(w["open_alert"]).text == ""

    # Six years on, the access log entry goes.
    _enforce(day(2190) - HOUR)
    _enforce(day(2190) + HOUR, portal__access_log_entries_deleted=1)
    assert not AccessLogEntry.objects.exists()
    # What is never purged: the approved member, the current subscriber, the verified account,
    # and the non-personal analysis of every feedback item.
    assert _members() == {"Abe"} and _newsletter() == {"current@example.org"}
    assert User.objects.filter(pk=w["verified"].pk).exists()
    assert FeedbackItem.objects.count() == 4
