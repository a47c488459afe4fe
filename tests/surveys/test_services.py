"""Services: publishing versions, submitting once, invitations, feedback feed, retention."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from surveys import retention, services, tasks
from surveys.models import Answer, Invitation, Question, Response, SurveyStatus


def answer_all(survey, **extra):
    response = services.response_start(survey=survey)
    answers = {"colour": "red", "agree": "agree", **extra}
    return services.response_save_answers(response=response, values=answers)


def test_publish_creates_version_only_when_questions_change(simple_survey):
    v1 = simple_survey.current_version()
    assert v1.number == 1 and simple_survey.status == SurveyStatus.OPEN
    assert services.survey_publish(survey=simple_survey).number == 1
    old = answer_all(simple_survey)
    services.response_submit(response=old)
    Question.objects.filter(survey=simple_survey, key="agree").update(text="Things are better")
    v2 = services.survey_publish(survey=simple_survey)
    assert v2.number == 2
    old.refresh_from_db()
    assert old.version == v1  # earlier answers keep the version they answered
    assert services.response_start(survey=simple_survey).version == v2


def test_publish_refuses_bad_condition(simple_survey):
    Question.objects.filter(survey=simple_survey, key="why-blue").update(show_if_key="nope")
    with pytest.raises(ValidationError):
        services.survey_publish(survey=simple_survey)


def test_submit_is_idempotent_and_stores_answer_rows(simple_survey):
    response = answer_all(simple_survey, comment="<script>alert(1)</script>")
    first = services.response_submit(response=response)
    second = services.response_submit(response=response)
    assert first.pk == second.pk and first.status == "submitted"
    assert Answer.objects.filter(response=response).count() == 3
    assert Answer.objects.get(response=response, question_key="comment").text == "<script>alert(1)</script>"


def test_hidden_and_unknown_answers_are_discarded(simple_survey):
    response = services.response_start(survey=simple_survey)
    services.response_save_answers(response=response, values={"colour": "blue", "why-blue": "calm"})
    services.response_save_answers(
        response=response, values={"colour": "red", "agree": "agree", "hacked": "x"}
    )
    assert "why-blue" not in response.answers and "hacked" not in response.answers
    # A draft tampered with directly in the database still cannot store a bad value.
    Response.objects.filter(pk=response.pk).update(
        answers={"colour": "red", "agree": "agree", "why-blue": "sneaky", "count": "abc"}
    )
    submitted = services.response_submit(response=response)
    assert set(submitted.answers) == {"colour", "agree"}


def test_incomplete_submission_refused(simple_survey):
    response = services.response_start(survey=simple_survey)
    with pytest.raises(services.SubmissionRefused) as refused:
        services.response_submit(response=response)
    assert refused.value.reason == "incomplete"


def test_closed_survey_refuses(simple_survey):
    response = answer_all(simple_survey)
    services.survey_set_status(survey=simple_survey, status=SurveyStatus.CLOSED)
    with pytest.raises(services.SubmissionRefused) as refused:
        services.response_submit(response=response)
    assert refused.value.reason == "closed"


def test_invitation_single_use(simple_survey):
    invitation, token = services.invitation_create(survey=simple_survey, reference="EHCNA-1")
    assert len(token) >= 43  # 256 bits, base64
    assert Invitation.objects.get().token_hash == services.token_hash(token) != token
    assert services.invitation_find(token=token) == invitation
    a = services.response_start(survey=simple_survey, invitation=invitation)
    b = services.response_start(survey=simple_survey, invitation=invitation)
    for r in (a, b):
        services.response_save_answers(response=r, values={"colour": "red", "agree": "agree"})
    services.response_submit(response=a)
    with pytest.raises(services.SubmissionRefused) as refused:
        services.response_submit(response=b)
    assert refused.value.reason == "invitation_used"
    assert services.invitation_state(services.invitation_find(token=token)) == "used"


def test_expired_invitation(simple_survey):
    invitation, token = services.invitation_create(survey=simple_survey)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert services.invitation_state(services.invitation_find(token=token)) == "expired"
    assert services.invitation_find(token="x" * 500) is None


def test_invitation_email_reminders_and_unsubscribe(simple_survey, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = services.invitation_create(
            survey=simple_survey, email="Parent@Example.org", name="Sam"
        )
    assert len(mail.outbox) == 1  # sent on commit by the (eager) task
    assert token in mail.outbox[0].body and "Dear Sam" in mail.outbox[0].body
    invitation.refresh_from_db()
    assert invitation.sent_at and invitation.email == "parent@example.org"
    assert tasks.send_due_invitations() == 0
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now() - timedelta(days=8))
    assert tasks.send_reminders() == 1
    assert mail.outbox[-1].subject.startswith("Reminder")
    assert tasks.send_reminders() == 0  # not again until the interval has passed
    services.invitation_unsubscribe(invitation=invitation)
    Invitation.objects.filter(pk=invitation.pk).update(last_reminded_at=timezone.now() - timedelta(days=8))
    assert tasks.send_reminders() == 0


def test_scheduled_invitation_sent_when_due(simple_survey, django_capture_on_commit_callbacks):
    later = timezone.now() + timedelta(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _ = services.invitation_create(survey=simple_survey, email="a@example.org", send_at=later)
    assert mail.outbox == [] and tasks.send_due_invitations() == 0
    Invitation.objects.filter(pk=invitation.pk).update(send_at=timezone.now() - timedelta(minutes=1))
    assert tasks.send_due_invitations() == 1
    assert len(mail.outbox) == 1


def test_csv_import_all_or_nothing(simple_survey, django_capture_on_commit_callbacks):
    bad = b"email,name,reference\nok@example.org,A,EHCNA-1\nnot-an-email,B,\n"
    result = services.invitations_import_csv(survey=simple_survey, data=bad)
    assert result.created == 0 and "Row 3" in result.errors[0]
    good = "\ufeffemail,name,reference\nok@example.org,A,EHCNA-1\n\nb@example.org,,\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        result = services.invitations_import_csv(survey=simple_survey, data=good)
    assert result.created == 2 and not result.errors
    assert len(mail.outbox) == 2
    assert services.invitations_import_csv(survey=simple_survey, data=b"\xff\xfe").errors
    assert services.invitations_import_csv(survey=simple_survey, data=b"name\nx\n").errors


def test_feed_feedback_uses_contract(simple_survey, monkeypatch, django_capture_on_commit_callbacks):
    from feedback import services as feedback_services

    calls = []
    monkeypatch.setattr(feedback_services, "feedback_ingest", lambda **kw: calls.append(kw))
    response = answer_all(simple_survey, comment="The caseworker never rang back")
    with django_capture_on_commit_callbacks(execute=True):  # the feed task runs after commit
        services.response_submit(response=response)
    assert len(calls) == 1
    call = calls[0]
    answer = Answer.objects.get(question_key="comment")
    assert call["channel"] == "survey" and call["audience"] == "parent_carer"
    assert call["source_ref"] == f"surveys.answer:{answer.pk}"
    assert answer.fed_to_feedback_at is not None
    assert services.answers_feed_feedback() == 0  # never fed twice


def test_retention(simple_survey):
    invitation, _ = services.invitation_create(
        survey=simple_survey, email="x@example.org", reference="EHCNA-9"
    )
    draft = services.response_start(survey=simple_survey)
    now = timezone.now() + timedelta(days=365)
    result = retention.enforce(now=now)
    assert result["invitations_erased"] == 1 and result["drafts_deleted"] == 1
    invitation.refresh_from_db()
    assert (invitation.email, invitation.reference) == ("", "")
    assert not Response.objects.filter(pk=draft.pk).exists()


def test_an_invitation_only_survey_takes_answers_only_through_its_own_invitation(simple_survey, db):
    """The rule lives in the service, so every way in (the view, a script, the API of a later
    front end) meets it: no invitation, or another survey's invitation, is refused; a draft
    started while the survey was open cannot be sent once it is invitation-only."""
    from surveys.services import survey_create

    open_draft = services.response_start(survey=simple_survey)
    services.response_save_answers(response=open_draft, values={"colour": "red", "agree": "agree"})
    other = survey_create(
        title="Other",
        slug="other",
        audience="parent_carer",
        intro="x",
        privacy_notice="y",
        questions=[{"key": "q", "kind": "yes_no", "text": "Q?"}],
    )
    foreign, _ = services.invitation_create(survey=other)
    simple_survey.open_to_anyone = False
    simple_survey.save()

    with pytest.raises(services.InvitationRequired):
        services.response_start(survey=simple_survey)
    with pytest.raises(services.InvitationRequired):
        services.response_start(survey=simple_survey, invitation=foreign)
    with pytest.raises(services.SubmissionRefused) as refused:
        services.response_submit(response=open_draft)
    assert refused.value.reason == "invitation_required"

    own, _ = services.invitation_create(survey=simple_survey)
    draft = services.response_start(survey=simple_survey, invitation=own)
    services.response_save_answers(response=draft, values={"colour": "red", "agree": "agree"})
    assert services.response_submit(response=draft).status == "submitted"
