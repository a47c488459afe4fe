"""Answering: starting a draft, saving each page, submitting exactly once, and the resume link
for a draft saved to finish later."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal import ratelimit
from portal.queueing import enqueue_on_commit

from .. import conf
from ..models import Answer, Invitation, Response, ResponseStatus, Survey
from ..questions import Kind, is_answered, kind_of, prune, valid_stored, visible_questions
from .feeding import answers_at_risk
from .publishing import survey_accepting
from .tokens import _site_url, _token, response_token, token_hash

logger = logging.getLogger(__name__)


class SubmissionRefused(Exception):
    """The response cannot be submitted; `reason` is one of the REASONS keys."""

    REASONS = ("invitation_used", "invitation_expired", "invitation_required", "closed", "incomplete")

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(detail or reason)
        self.reason = reason
        self.detail = detail


def client_rate_limit_check(*, client_key: str, action: str) -> bool:
    """Count one action for this client; False when the client has gone over the limit."""
    limit, seconds = conf.rate_limit()
    return ratelimit.allow(scope=f"surveys:{action}", client=client_key, limit=limit, window=seconds)


class InvitationRequired(Exception):
    """The survey is for invited people only and no valid invitation to it was given."""


def invitation_needed(survey: Survey, invitation: Invitation | None) -> bool:
    """The one rule: a survey not open to anyone takes answers only through an invitation to
    that survey (the view, the service and the submission all ask here)."""
    if survey.open_to_anyone:
        return False
    return invitation is None or invitation.survey_id != survey.pk


def response_start(*, survey: Survey, invitation: Invitation | None = None, respondent=None) -> Response:
    """Begin a draft response on the survey's current version. Raises InvitationRequired for an
    invitation-only survey without an invitation to it."""
    if invitation_needed(survey, invitation):
        raise InvitationRequired(survey.slug)
    version = survey.current_version()
    if version is None:
        raise ValidationError("This survey has not been published.")
    nonce = secrets.token_urlsafe(32)
    response = Response(
        survey=survey,
        version=version,
        audience=survey.audience,
        nonce=nonce,
        token_hash=token_hash(_token("response", nonce)),
        idempotency_key=secrets.token_urlsafe(24),
        invitation=invitation,
        respondent=respondent if (respondent and not survey.anonymous) else None,
    )
    response.full_clean()
    response.save()
    return response


def response_save_answers(*, response: Response, values: dict) -> Response:
    """Store answers from one page of a draft. Values come from `questions.parse`: keys that
    are not questions of this version are ignored, answers to now-hidden questions dropped."""
    if response.status != ResponseStatus.DRAFT:
        return response
    definition = response.version.definition
    by_key = {q["key"]: q for q in definition["questions"]}
    answers = dict(response.answers)
    for key, value in values.items():
        base = key[:-6] if key.endswith(".other") else key
        if base not in by_key:
            continue
        if value is None or value == "":
            answers.pop(key, None)
        else:
            answers[key] = value
    response.answers = prune(definition, answers)
    response.full_clean()
    response.save(update_fields=["answers", "updated_at"])
    return response


def response_missing(response: Response) -> list[dict]:
    """Required questions that are shown but not answered."""
    answers = response.answers
    return [
        q
        for q in visible_questions(response.version.definition, answers)
        if q.get("required") and not is_answered(answers.get(q["key"]))
    ]


def response_submit(*, response: Response, now: datetime | None = None) -> Response:
    """Submit a draft exactly once. Idempotent: a second call returns the submitted response.

    With an invitation, the link is spent by a conditional UPDATE (… WHERE used_at IS NULL) in
    the same transaction, so two browsers submitting at once cannot both succeed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Lock only this response row: FOR UPDATE over the join would also lock the survey and
        # version rows every submission shares, serialising them and deadlocking with new drafts.
        locked = (
            Response.objects.select_for_update(of=("self",))
            .select_related("version", "survey", "invitation")
            .get(pk=response.pk)
        )
        if locked.status == ResponseStatus.SUBMITTED:
            return locked
        if not survey_accepting(locked.survey, now):
            raise SubmissionRefused("closed")
        definition = locked.version.definition
        answers = prune(definition, locked.answers)
        by_key = {q["key"]: q for q in definition["questions"]}
        answers = {
            k: v
            for k, v in answers.items()
            if (k.endswith(".other") and isinstance(v, str) and "\x00" not in v)
            or (k in by_key and valid_stored(by_key[k], v))
        }
        locked.answers = answers
        if invitation_needed(locked.survey, locked.invitation):
            raise SubmissionRefused("invitation_required")
        missing = response_missing(locked)
        if missing:
            raise SubmissionRefused("incomplete", ", ".join(q["key"] for q in missing))
        if locked.invitation_id:
            spent = Invitation.objects.filter(
                pk=locked.invitation_id, used_at__isnull=True, expires_at__gt=now
            ).update(used_at=now, updated_at=now)
            if spent != 1:
                invitation = Invitation.objects.get(pk=locked.invitation_id)
                raise SubmissionRefused("invitation_used" if invitation.used_at else "invitation_expired")
        locked.status = ResponseStatus.SUBMITTED
        locked.submitted_at = now
        # Uniqueness and the foreign keys are enforced by the database inside this transaction;
        # checking them again in Python would cost five queries on the busiest write.
        locked.full_clean(
            exclude=["survey", "version", "invitation", "respondent"],
            validate_unique=False,
            validate_constraints=False,
        )
        locked.save(update_fields=["status", "submitted_at", "answers", "updated_at"])
        rows = _answer_rows(locked, by_key)
        Answer.objects.bulk_create(rows)
        from ..tasks import feed_feedback

        # If the broker is down the answers are stored all the same: `feed_pending_answers`
        # catches up.
        enqueue_on_commit(feed_feedback, locked.pk)
    # Not stored: the done page's crisis signposting (the alert comes from the full analysis).
    locked.at_risk_on_submit = answers_at_risk([row.text for row in rows])
    return locked


def _answer_rows(response: Response, by_key: dict) -> list[Answer]:
    rows = []
    for key, value in response.answers.items():
        if key.endswith(".other"):
            rows.append(
                Answer(
                    response=response,
                    survey_id=response.survey_id,
                    question_key=key,
                    kind=Kind.SHORT_TEXT,
                    value=value,
                    text=value,
                )
            )
            continue
        q = by_key[key]
        text = value if kind_of(q).text else ""
        rows.append(
            Answer(
                response=response,
                survey_id=response.survey_id,
                question_key=key,
                kind=q["kind"],
                value=value,
                text=text,
            )
        )
    return rows


def response_resume_url(response: Response) -> str:
    """The draft's resume link, on SITE_BASE_URL (never the request's Host), for the email and
    for the page that shows it."""
    return _site_url(reverse("surveys:resume", args=[response_token(response)]))


def response_resume_email(*, response: Response, email: str) -> Response:
    """Keep an email address for a draft and send it the resume link (through Celery). At most
    a few emails an hour go to any one address, so the form cannot be used to flood a mailbox;
    past that nothing is sent or kept and the page says the same as usual, so it never shows
    that someone else has been sent links at that address."""
    validate_email(email)
    if not ratelimit.allow(
        scope="surveys:resume-to",
        client=email.strip().lower(),
        limit=conf.resume_emails_per_address(),
        window=3600,
    ):
        logger.info("Resume link for response %s not emailed: the address has had enough", response.pk)
        return response
    response.resume_email = email
    response.full_clean()
    response.save(update_fields=["resume_email", "updated_at"])
    from ..tasks import send_resume_link

    enqueue_on_commit(send_resume_link, response.pk)
    return response


def resume_link_send(*, response: Response) -> bool:
    if not response.resume_email or response.status != ResponseStatus.DRAFT:
        return False
    url = response_resume_url(response)
    send_mail(
        subject=f"Your answers to: {response.survey.title}",
        message=(
            f"You saved your answers to '{response.survey.title}'.\n\n"
            f"To carry on where you left off, open this link:\n{url}\n\n"
            "Keep this link private: anyone with it can see and change your answers.\n"
        ),
        from_email=None,
        recipient_list=[response.resume_email],
    )
    return True
