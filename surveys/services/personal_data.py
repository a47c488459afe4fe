"""Data protection: retention (erasing contact details, stale drafts and old free text), the
access-log record of exports with personal data, and erasing one person's data on request."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from feedback import services as feedback_services

from .. import conf
from ..models import Answer, Invitation, Response, ResponseStatus, Survey
from ..questions import kind_of
from ..selectors import answer_source_ref, redact, subject_invitations, subject_responses


def retention_apply(*, now: datetime) -> dict[str, int]:
    """Erase invitation contact details past their period, delete stale drafts, clear resume
    emails of submitted responses and redact old free text (see `surveys.retention`)."""
    erase_before = now - timedelta(days=conf.invitation_retention_days())
    erased = Invitation.objects.filter(
        expires_at__lt=erase_before, personal_data_erased_at__isnull=True
    ).update(email="", name="", reference="", personal_data_erased_at=now, updated_at=now)
    stale = now - timedelta(days=conf.draft_retention_days())
    drafts, _ = Response.objects.filter(status=ResponseStatus.DRAFT, updated_at__lt=stale).delete()
    emails = (
        Response.objects.filter(status=ResponseStatus.SUBMITTED)
        .exclude(resume_email="")
        .update(resume_email="")
    )
    redacted = free_text_redact(before=now - timedelta(days=conf.free_text_retention_days()), now=now)
    return {
        "invitations_erased": erased,
        "drafts_deleted": drafts,
        "resume_emails_cleared": emails,
        "free_text_redacted": redacted,
    }


def _text_keys(response: Response) -> set[str]:
    """Keys of a response's answers that hold free text: text questions and 'other' text."""
    kinds = {q["key"]: q["kind"] for q in response.version.definition["questions"]}
    return {k for k in response.answers if k.endswith(".other") or (k in kinds and kind_of(kinds[k]).text)}


def free_text_redact(*, before: datetime, now: datetime) -> int:
    """Replace the free text of responses submitted before `before` by its redacted text, in
    the response and its answer rows. Each response is done once (`free_text_redacted_at`).
    Returns how many responses had text to redact. If redaction fails this raises and the
    response is left for the next run, rather than its text thrown away over a passing fault
    (results and exports withhold what they cannot redact meanwhile)."""
    due = Response.objects.filter(
        status=ResponseStatus.SUBMITTED, submitted_at__lt=before, free_text_redacted_at__isnull=True
    )
    with_text = list(due.filter(answer_rows__text__gt="").distinct().select_related("version"))
    for response in with_text:
        with transaction.atomic():
            answers = dict(response.answers)
            for key in _text_keys(response):
                if isinstance(answers.get(key), str):
                    answers[key] = redact(answers[key])
            Response.objects.filter(pk=response.pk).update(
                answers=answers, free_text_redacted_at=now, updated_at=now
            )
            for row in Answer.objects.filter(response=response).exclude(text=""):
                text = redact(row.text)
                Answer.objects.filter(pk=row.pk).update(text=text, value=text, updated_at=now)
    due.update(free_text_redacted_at=now)
    return len(with_text)


def responses_export_audit(*, survey: Survey, user, fmt: str, rows: int, unredacted: bool = False) -> None:
    """Record in the access log that `user` exported this survey's responses with personal data
    (invitation and account details, and with `unredacted` free text as typed): called by the
    export screen when `selectors.export_scope` gives the user either."""
    from portal.models import AccessLogEntry
    from portal.services import access_log_record

    access_log_record(
        actor=user,
        action=AccessLogEntry.Action.EXPORT_PERSONAL,
        object_type="surveys.survey",
        object_id=survey.pk,
        screen="surveys_admin:export",
        detail={
            "format": fmt,
            "responses": rows,
            "anonymous_survey": survey.anonymous,
            "unredacted_text": unredacted,
        },
    )


@transaction.atomic
def survey_subject_erase(*, user=None, emails=(), now: datetime | None = None) -> dict[str, int]:
    """Subject erasure (`privacy.subject_access`): for responses linked to this person (their
    account on a named survey, an invitation to one of their emails, a resume email), drafts
    are deleted and submitted responses lose the link to them and every free-text answer (and
    the feedback items those became); choice, scale and number answers stay, anonymous, so
    results and KPIs stay true. Invitations to their emails lose the email, name and reference."""
    now = now or timezone.now()
    invitations = subject_invitations(emails)
    responses = list(
        subject_responses(user=user, emails=emails, invitations=invitations).select_related("version")
    )
    submitted = [r for r in responses if r.status == ResponseStatus.SUBMITTED]
    text_rows = Answer.objects.filter(response__in=submitted).exclude(text="")
    refs = [answer_source_ref(pk) for pk in text_rows.values_list("pk", flat=True)]
    erased_feedback = feedback_services.feedback_erase(source_refs=refs, now=now)["erased"] if refs else 0
    text_rows.delete()
    for response in submitted:
        answers = {k: v for k, v in response.answers.items() if k not in _text_keys(response)}
        Response.objects.filter(pk=response.pk).update(
            answers=answers, respondent=None, resume_email="", updated_at=now
        )
    drafts = Response.objects.filter(pk__in=[r.pk for r in responses if r.status == ResponseStatus.DRAFT])
    drafts_deleted = drafts.delete()[1].get("surveys.Response", 0)
    invitations_erased = invitations.update(
        email="", name="", reference="", personal_data_erased_at=now, updated_at=now
    )
    return {
        "responses_anonymised": len(submitted),
        "drafts_deleted": drafts_deleted,
        "invitations_erased": invitations_erased,
        "feedback_erased": erased_feedback,
    }
