"""The demo loader is idempotent; management commands feed feedback and send due mail."""

import io

from django.core.management import call_command

from surveys import demo as surveys_demo
from surveys.models import Answer, Invitation, Response, Survey


def test_demo_is_idempotent_and_has_june_2024(demo):
    before = (Survey.objects.count(), Response.objects.count(), Invitation.objects.count())
    surveys_demo.load(io.StringIO())
    assert (Survey.objects.count(), Response.objects.count(), Invitation.objects.count()) == before
    assert before == (4, 94, 40)
    june = Response.objects.filter(submitted_at__year=2024, submitted_at__month=6).count()
    assert june >= 20
    # Every template question tagged to the plan found its objectives and KPIs.
    survey = Survey.objects.get(slug="after-your-ehc-needs-assessment")
    overall = next(q for q in survey.current_version().definition["questions"] if q["key"] == "overall")
    assert overall["kpi"] == "KPI-SATISFACTION-PARENTS" and overall["objectives"] == ["PAP1:4"]


def test_feed_command_with_real_feedback_app(simple_survey):
    from feedback.models import FeedbackItem
    from surveys import services as survey_services

    r = survey_services.response_start(survey=simple_survey)
    survey_services.response_save_answers(
        response=r,
        values={
            "colour": "other",
            "colour.other": "Teal",
            "agree": "agree",
            "comment": "Letters were unclear",
        },
    )
    survey_services.response_submit(response=r)  # on_commit never fires inside the test transaction
    out = io.StringIO()
    call_command("surveys_feed_feedback", stdout=out)
    assert "2 free-text answers fed" in out.getvalue()
    refs = set(FeedbackItem.objects.values_list("source_ref", flat=True))
    assert {f"surveys.answer:{a.pk}" for a in Answer.objects.exclude(text="")} <= refs
    comment = Answer.objects.get(question_key="comment")
    item = FeedbackItem.objects.get(source_ref=f"surveys.answer:{comment.pk}")
    assert item.channel == "survey" and item.audience == "parent_carer"
    call_command("surveys_feed_feedback", stdout=out)
    assert FeedbackItem.objects.filter(channel="survey").count() == 2


def test_send_due_command(simple_survey):
    out = io.StringIO()
    call_command("surveys_send_due", stdout=out)
    assert "0 invitations and 0 reminders queued" in out.getvalue()


def test_periodic_feed_catches_answers_whose_message_was_lost(simple_survey, plan):
    """The broker was down at submit time, so no `feed_feedback` message exists: the task beat
    runs every minute feeds the answers, once, however often it runs."""
    from config.celery import app
    from feedback.models import FeedbackItem
    from surveys import services as survey_services
    from surveys.tasks import feed_pending_answers

    assert app.conf.beat_schedule["surveys-feed-pending-answers"]["task"] == feed_pending_answers.name
    r = survey_services.response_start(survey=simple_survey)
    survey_services.response_save_answers(
        response=r, values={"colour": "red", "agree": "agree", "comment": "No reply to emails"}
    )
    survey_services.response_submit(response=r)  # on_commit never fires inside the test transaction
    assert not FeedbackItem.objects.exists()
    assert feed_pending_answers() == 1
    assert feed_pending_answers() == 0
    item = FeedbackItem.objects.get()
    assert item.source_ref == f"surveys.answer:{Answer.objects.get(question_key='comment').pk}"
