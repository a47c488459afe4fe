"""Writes for surveys: publishing versions, answering, submitting, invitations, reminders and
feeding free text to the feedback pipeline.

Called by the public views, the Wagtail admin, Celery tasks, the demo loader and management
commands alike. Each service takes keyword-only arguments and validates before it saves.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import json
import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from portal import ratelimit
from portal.optional import import_if_present

from . import conf
from .models import (
    Answer,
    Invitation,
    Question,
    Response,
    ResponseStatus,
    Survey,
    SurveyStatus,
    SurveyVersion,
)
from .questions import (
    TEXT_KINDS,
    ConditionOp,
    Kind,
    is_answered,
    options_from_lines,
    prune,
    question_options,
    valid_stored,
    visible_questions,
)

logger = logging.getLogger(__name__)


class SubmissionRefused(Exception):
    """The response cannot be submitted; `reason` is one of the REASONS keys."""

    REASONS = ("invitation_used", "invitation_expired", "closed", "incomplete")

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(detail or reason)
        self.reason = reason
        self.detail = detail


# ---------------------------------------------------------------------------------------------
# Tokens: derived from a random nonce and SECRET_KEY, only their hash is stored (docs/decisions/0031).
# ---------------------------------------------------------------------------------------------

def _token(purpose: str, nonce: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), f"surveys.{purpose}:{nonce}".encode(),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def token_hash(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def invitation_token(invitation: Invitation) -> str:
    return _token("invitation", invitation.nonce)


def response_token(response: Response) -> str:
    return _token("response", response.nonce)


def _site_url(path: str) -> str:
    return settings.SITE_BASE_URL.rstrip("/") + path


# ---------------------------------------------------------------------------------------------
# Building and publishing
# ---------------------------------------------------------------------------------------------

def _question_definition(q: Question, page: int, earlier: dict[str, dict]) -> dict:
    options = options_from_lines(q.options)
    statements = options_from_lines(q.statements)
    show_if = None
    if q.show_if_key:
        target = earlier.get(q.show_if_key)
        if target is None:
            raise ValidationError(f"Question '{q.key}' depends on '{q.show_if_key}', which is not an "
                                  "earlier question in this survey.")
        by_label = {o["label"].lower(): o["value"] for o in question_options(target)}
        values = [by_label.get(v.strip().lower(), v.strip())
                  for v in (q.show_if_values or "").splitlines() if v.strip()]
        op = q.show_if_op or ConditionOp.EQUALS
        if op != ConditionOp.ANSWERED and not values:
            raise ValidationError(f"Question '{q.key}': give the values the condition looks for.")
        show_if = {"key": q.show_if_key, "op": op, "values": values}
    definition = {
        "key": q.key, "kind": q.kind, "text": q.text, "help": q.help_text, "required": q.required,
        "section": q.section, "page": page, "options": options, "statements": statements,
        "allow_other": q.allow_other and q.kind in (Kind.SINGLE, Kind.MULTIPLE),
        "scale_points": q.scale_points, "pictorial": q.pictorial,
        "min": float(q.min_value) if q.min_value is not None else None,
        "max": float(q.max_value) if q.max_value is not None else None,
        "easy_text": q.easy_text or q.text, "symbol": q.symbol, "image_url": "",
        "show_if": show_if,
        "objectives": sorted(o.code for o in q.objectives.all()) if q.pk else [],
        "kpi": q.kpi.code if q.kpi_id else "",
        "positive": [v.strip() for v in q.positive_values.splitlines() if v.strip()],
    }
    if q.easy_image_id:
        try:
            definition["image_url"] = q.easy_image.get_rendition("max-240x240").url
        except Exception:  # a missing image file must not stop publishing
            logger.warning("No rendition for image %s", q.easy_image_id, exc_info=True)
    if q.kind in (Kind.SINGLE, Kind.MULTIPLE, Kind.RANKING) and len(options) < 2:
        raise ValidationError(f"Question '{q.key}' needs at least two options.")
    if q.kind == Kind.MATRIX and not statements:
        raise ValidationError(f"Question '{q.key}' needs at least one statement.")
    if q.kind == Kind.RATING and not 2 <= q.scale_points <= 10:
        raise ValidationError(f"Question '{q.key}': a rating scale has 2 to 10 points.")
    return definition


def survey_definition_build(*, survey: Survey) -> dict:
    """The survey's current questions as a version definition (validated)."""
    questions = list(survey.questions.all().order_by("sort_order", "pk"))
    if not questions:
        raise ValidationError("Add at least one question before opening the survey.")
    earlier: dict[str, dict] = {}
    out, page = [], 0
    for q in questions:
        if q.key in earlier:
            raise ValidationError(f"Two questions use the key '{q.key}'.")
        if not q.same_page_as_previous or not out:
            page += 1
        d = _question_definition(q, page, earlier)
        earlier[q.key] = d
        out.append(d)
    return {"title": survey.title, "questions": out}


def _hash_definition(definition: dict) -> str:
    return hashlib.sha256(json.dumps(definition, sort_keys=True).encode()).hexdigest()


@transaction.atomic
def survey_publish(*, survey: Survey, user=None, open_survey: bool = True) -> SurveyVersion:
    """Freeze the survey's questions as a new version (only if they changed) and open it.

    Existing responses keep the version they answered, so changing an open survey never
    changes what earlier answers meant.
    """
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    definition = survey_definition_build(survey=survey)
    digest = _hash_definition(definition)
    latest = survey.versions.order_by("-number").first()
    if latest is None or latest.definition_hash != digest:
        version = SurveyVersion(survey=survey, number=(latest.number + 1) if latest else 1,
                                definition=definition, definition_hash=digest, published_by=user)
        version.full_clean()
        version.save()
    else:
        version = latest
    if open_survey and survey.status != SurveyStatus.OPEN:
        survey.status = SurveyStatus.OPEN
        survey.full_clean()
        survey.save(update_fields=["status", "updated_at"])
    return version


def survey_set_status(*, survey: Survey, status: str, user=None) -> Survey:
    """Move a survey through draft → open → closed → archived (opening publishes)."""
    if status == SurveyStatus.OPEN:
        survey_publish(survey=survey, user=user)
        survey.refresh_from_db()
        return survey
    survey.status = status
    survey.full_clean()
    survey.save(update_fields=["status", "updated_at"])
    return survey


def survey_accepting(survey: Survey, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return (survey.status == SurveyStatus.OPEN
            and (survey.opens_at is None or survey.opens_at <= now)
            and (survey.closes_at is None or now < survey.closes_at))


# ---------------------------------------------------------------------------------------------
# Answering
# ---------------------------------------------------------------------------------------------

def client_rate_limit_check(*, client_key: str, action: str) -> bool:
    """Count one action for this client; False when the client has gone over the limit."""
    limit, seconds = conf.rate_limit()
    return ratelimit.allow(scope=f"surveys:{action}", client=client_key, limit=limit, window=seconds)


def response_start(*, survey: Survey, invitation: Invitation | None = None, respondent=None) -> Response:
    """Begin a draft response on the survey's current version."""
    version = survey.current_version()
    if version is None:
        raise ValidationError("This survey has not been published.")
    nonce = secrets.token_urlsafe(32)
    response = Response(
        survey=survey, version=version, audience=survey.audience, nonce=nonce,
        token_hash=token_hash(_token("response", nonce)),
        idempotency_key=secrets.token_urlsafe(24), invitation=invitation,
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
    return [q for q in visible_questions(response.version.definition, answers)
            if q.get("required") and not is_answered(answers.get(q["key"]))]


def response_submit(*, response: Response, now: datetime | None = None) -> Response:
    """Submit a draft exactly once. Idempotent: a second call returns the submitted response.

    With an invitation, the link is spent by a conditional UPDATE (… WHERE used_at IS NULL) in
    the same transaction, so two browsers submitting at once cannot both succeed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Lock only this response row: FOR UPDATE over the join would also lock the survey and
        # version rows every submission shares, serialising them and deadlocking with new drafts.
        locked = (Response.objects.select_for_update(of=("self",))
                  .select_related("version", "survey").get(pk=response.pk))
        if locked.status == ResponseStatus.SUBMITTED:
            return locked
        if not survey_accepting(locked.survey, now):
            raise SubmissionRefused("closed")
        definition = locked.version.definition
        answers = prune(definition, locked.answers)
        by_key = {q["key"]: q for q in definition["questions"]}
        answers = {k: v for k, v in answers.items()
                   if (k.endswith(".other") and isinstance(v, str) and "\x00" not in v)
                   or (k in by_key and valid_stored(by_key[k], v))}
        locked.answers = answers
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
        locked.full_clean(exclude=["survey", "version", "invitation", "respondent"],
                          validate_unique=False, validate_constraints=False)
        locked.save(update_fields=["status", "submitted_at", "answers", "updated_at"])
        Answer.objects.bulk_create(_answer_rows(locked, by_key))
        transaction.on_commit(lambda: _queue_feed(locked.pk))
    return locked


def _answer_rows(response: Response, by_key: dict) -> list[Answer]:
    rows = []
    for key, value in response.answers.items():
        if key.endswith(".other"):
            rows.append(Answer(response=response, survey_id=response.survey_id, question_key=key,
                               kind=Kind.SHORT_TEXT, value=value, text=value))
            continue
        q = by_key[key]
        text = value if q["kind"] in TEXT_KINDS else ""
        rows.append(Answer(response=response, survey_id=response.survey_id, question_key=key,
                           kind=q["kind"], value=value, text=text))
    return rows


def _queue_feed(response_pk: int) -> None:
    from .tasks import feed_feedback

    try:
        feed_feedback.delay(response_pk)
    except Exception:  # broker down: the answers are stored; `feed_pending_answers` catches up
        logger.warning("Could not queue feedback feed for response %s", response_pk, exc_info=True)


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
    if not ratelimit.allow(scope="surveys:resume-to", client=email.strip().lower(),
                           limit=conf.resume_emails_per_address(), window=3600):
        logger.info("Resume link for response %s not emailed: the address has had enough", response.pk)
        return response
    response.resume_email = email
    response.full_clean()
    response.save(update_fields=["resume_email", "updated_at"])
    from .tasks import send_resume_link

    pk = response.pk
    transaction.on_commit(lambda: _safe_delay(send_resume_link, pk))
    return response


def resume_link_send(*, response: Response) -> bool:
    if not response.resume_email or response.status != ResponseStatus.DRAFT:
        return False
    url = response_resume_url(response)
    send_mail(
        subject=f"Your answers to: {response.survey.title}",
        message=(f"You saved your answers to '{response.survey.title}'.\n\n"
                 f"To carry on where you left off, open this link:\n{url}\n\n"
                 "Keep this link private: anyone with it can see and change your answers.\n"),
        from_email=None, recipient_list=[response.resume_email],
    )
    return True


def _safe_delay(task, *args) -> None:
    try:
        task.delay(*args)
    except Exception:
        logger.warning("Could not queue %s%s", task.name, args, exc_info=True)


# ---------------------------------------------------------------------------------------------
# Feedback
# ---------------------------------------------------------------------------------------------

def _feedback_services():
    try:
        return import_if_present("feedback.services")
    except Exception:  # the feedback app is being built in parallel; never fail a survey for it
        logger.warning("feedback.services could not be imported", exc_info=True)
        return None


def answers_feed_feedback(*, response_id: int | None = None, limit: int = 1000) -> int:
    """Send free-text answers not yet fed to `feedback.services.feedback_ingest` (idempotent
    by source_ref). Returns how many were fed; 0 if the feedback app is not there yet."""
    services = _feedback_services()
    if services is None or not hasattr(services, "feedback_ingest"):
        return 0
    rows = (Answer.objects.filter(fed_to_feedback_at__isnull=True, response__status=ResponseStatus.SUBMITTED)
            .exclude(text="").select_related("response"))
    if response_id is not None:
        rows = rows.filter(response_id=response_id)
    fed = 0
    for answer in rows.order_by("pk")[:limit]:
        services.feedback_ingest(
            text=answer.text, channel="survey", audience=answer.response.audience,
            source_ref=f"surveys.answer:{answer.pk}", received_at=answer.response.submitted_at,
        )
        Answer.objects.filter(pk=answer.pk).update(fed_to_feedback_at=timezone.now())
        fed += 1
    return fed


# ---------------------------------------------------------------------------------------------
# Invitations
# ---------------------------------------------------------------------------------------------

def invitation_create(*, survey: Survey, email: str = "", name: str = "", reference: str = "",
                      send_at: datetime | None = None, created_by=None,
                      valid_days: int | None = None) -> tuple[Invitation, str]:
    """Create a single-use invitation. Returns it with its link token (shown once; only a hash
    is stored). With an email, the invitation is emailed now or at `send_at`."""
    now = timezone.now()
    nonce = secrets.token_urlsafe(32)
    token = _token("invitation", nonce)
    invitation = Invitation(
        survey=survey, nonce=nonce, token_hash=token_hash(token), email=(email or "").strip().lower(),
        name=(name or "").strip(), reference=(reference or "").strip(), send_at=send_at,
        expires_at=now + timedelta(days=valid_days or conf.invitation_valid_days()),
        created_by=created_by,
    )
    invitation.full_clean()
    invitation.save()
    if invitation.email and (send_at is None or send_at <= now):
        from .tasks import send_invitation

        pk = invitation.pk
        transaction.on_commit(lambda: _safe_delay(send_invitation, pk))
    return invitation, token


def invitation_url(invitation: Invitation) -> str:
    return _site_url(reverse("surveys:invitation", args=[invitation_token(invitation)]))


def invitation_send(*, invitation: Invitation, reminder: bool = False) -> bool:
    """Email the invitation (or a reminder). Skips anyone who unsubscribed, used the link, or
    whose link expired. Returns True when an email went out."""
    now = timezone.now()
    if (not invitation.email or invitation.unsubscribed_at or invitation.used_at
            or invitation.expires_at <= now):
        return False
    if not reminder and invitation.sent_at:
        return False
    survey = invitation.survey
    url = invitation_url(invitation)
    unsubscribe = _site_url(reverse("surveys:unsubscribe", args=[invitation_token(invitation)]))
    greeting = f"Dear {invitation.name}," if invitation.name else "Hello,"
    subject = (f"Reminder: {survey.title}" if reminder else f"Please tell us what you think: {survey.title}")
    body = (f"{greeting}\n\n{survey.intro}\n\nYou can answer here (the link is just for you and "
            f"works once):\n{url}\n\n"
            f"The link works until {timezone.localtime(invitation.expires_at):%-d %B %Y}.\n\n"
            f"If you do not want any more emails about this survey:\n{unsubscribe}\n")
    send_mail(subject=subject, message=body, from_email=None, recipient_list=[invitation.email])
    if reminder:
        Invitation.objects.filter(pk=invitation.pk).update(
            reminders_sent=invitation.reminders_sent + 1, last_reminded_at=now, updated_at=now)
    else:
        Invitation.objects.filter(pk=invitation.pk).update(sent_at=now, updated_at=now)
    return True


def _contactable(now: datetime):
    return Invitation.objects.filter(
        used_at__isnull=True, unsubscribed_at__isnull=True, expires_at__gt=now,
        survey__status=SurveyStatus.OPEN,
    ).exclude(email="")


def invitations_due(*, now: datetime | None = None) -> list[int]:
    """Invitations scheduled for now or earlier and not yet sent."""
    now = now or timezone.now()
    return list(_contactable(now).filter(sent_at__isnull=True)
                .filter(Q(send_at__isnull=True) | Q(send_at__lte=now)).values_list("pk", flat=True))


def reminders_due(*, now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    cutoff = now - timedelta(days=conf.reminder_interval_days())
    return list(
        _contactable(now).filter(sent_at__lte=cutoff, reminders_sent__lt=conf.reminder_max())
        .filter(Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lte=cutoff))
        .values_list("pk", flat=True))


def invitation_unsubscribe(*, invitation: Invitation) -> Invitation:
    if invitation.unsubscribed_at is None:
        invitation.unsubscribed_at = timezone.now()
        invitation.save(update_fields=["unsubscribed_at", "updated_at"])
    return invitation


def invitation_find(*, token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return Invitation.objects.select_related("survey").filter(token_hash=token_hash(token)).first()


def invitation_state(invitation: Invitation | None, now: datetime | None = None) -> str:
    """ok | used | expired | closed | unknown — the view shows a kind message for each."""
    now = now or timezone.now()
    if invitation is None:
        return "unknown"
    if invitation.used_at:
        return "used"
    if invitation.expires_at <= now:
        return "expired"
    if not survey_accepting(invitation.survey, now):
        return "closed"
    return "ok"


@dataclass
class ImportResult:
    created: int = 0
    errors: list[str] = field(default_factory=list)


def invitations_import_csv(*, survey: Survey, data: bytes, created_by=None,
                           send_at: datetime | None = None) -> ImportResult:
    """Create invitations from a CSV with columns email, name (optional) and reference
    (optional). All or nothing: a file with any bad row creates none and lists the problems."""
    result = ImportResult()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append("The file must be a CSV saved as UTF-8.")
        return result
    if "\x00" in text:
        result.errors.append("The file contains null characters: save it again as CSV.")
        return result
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    if "email" not in fields:
        result.errors.append("The first row must name the columns, including 'email'.")
        return result
    rows = []
    for line, row in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() if isinstance(v, str) else ""
               for k, v in row.items()}
        if not any(row.values()):
            continue
        try:
            validate_email(row.get("email", ""))
        except ValidationError:
            result.errors.append(f"Row {line}: '{row.get('email', '')[:80]}' is not an email address.")
            continue
        if len(row.get("name", "")) > 200 or len(row.get("reference", "")) > 100:
            result.errors.append(f"Row {line}: the name or reference is too long.")
            continue
        rows.append(row)
        if len(rows) > conf.upload_max_rows():
            result.errors.append(f"The file has more than {conf.upload_max_rows()} rows: split it.")
            return result
    if result.errors:
        return result
    if not rows:
        result.errors.append("The file has no rows with an email address.")
        return result
    with transaction.atomic():
        for row in rows:
            invitation_create(survey=survey, email=row["email"], name=row.get("name", ""),
                              reference=row.get("reference", ""), created_by=created_by,
                              send_at=send_at)
            result.created += 1
    return result


# ---------------------------------------------------------------------------------------------
# Retention
# ---------------------------------------------------------------------------------------------

def retention_apply(*, now: datetime) -> dict[str, int]:
    """Erase invitation contact details past their period, delete stale drafts, clear resume
    emails of submitted responses and redact old free text (see `surveys.retention`)."""
    erase_before = now - timedelta(days=conf.invitation_retention_days())
    erased = (Invitation.objects.filter(expires_at__lt=erase_before, personal_data_erased_at__isnull=True)
              .update(email="", name="", reference="", personal_data_erased_at=now, updated_at=now))
    stale = now - timedelta(days=conf.draft_retention_days())
    drafts, _ = Response.objects.filter(status=ResponseStatus.DRAFT, updated_at__lt=stale).delete()
    emails = (Response.objects.filter(status=ResponseStatus.SUBMITTED).exclude(resume_email="")
              .update(resume_email=""))
    redacted = free_text_redact(before=now - timedelta(days=conf.free_text_retention_days()), now=now)
    return {"invitations_erased": erased, "drafts_deleted": drafts, "resume_emails_cleared": emails,
            "free_text_redacted": redacted}


def _text_keys(response: Response) -> set[str]:
    """Keys of a response's answers that hold free text: text questions and 'other' text."""
    kinds = {q["key"]: q["kind"] for q in response.version.definition["questions"]}
    return {k for k in response.answers if k.endswith(".other") or kinds.get(k) in TEXT_KINDS}


def free_text_redact(*, before: datetime, now: datetime) -> int:
    """Replace the free text of responses submitted before `before` by its redacted text (blank
    if no redaction is available), in the response and its answer rows. Each response is done
    once (`free_text_redacted_at`). Returns how many responses had text to redact."""
    from .selectors import redact, redactor

    due = Response.objects.filter(status=ResponseStatus.SUBMITTED, submitted_at__lt=before,
                                  free_text_redacted_at__isnull=True)
    with_text = list(due.filter(answer_rows__text__gt="").distinct().select_related("version"))
    fn = redactor()
    for response in with_text:
        with transaction.atomic():
            answers = dict(response.answers)
            for key in _text_keys(response):
                if isinstance(answers.get(key), str):
                    answers[key] = redact(answers[key], fn) if fn else ""
            Response.objects.filter(pk=response.pk).update(answers=answers, free_text_redacted_at=now,
                                                           updated_at=now)
            for row in Answer.objects.filter(response=response).exclude(text=""):
                text = redact(row.text, fn) if fn else ""
                Answer.objects.filter(pk=row.pk).update(text=text, value=text, updated_at=now)
    due.update(free_text_redacted_at=now)
    return len(with_text)


# ---------------------------------------------------------------------------------------------
# Data protection: a person's own data
# ---------------------------------------------------------------------------------------------

def responses_export_audit(*, survey: Survey, user, fmt: str, rows: int, unredacted: bool = False) -> None:
    """Record in the access log that `user` exported this survey's responses with personal data
    (invitation and account details, and with `unredacted` free text as typed): called by the
    export screen when `selectors.export_scope` gives the user either."""
    from portal.models import AccessLogEntry
    from portal.services import access_log_record

    access_log_record(actor=user, action=AccessLogEntry.Action.EXPORT_PERSONAL,
                      object_type="surveys.survey", object_id=survey.pk, screen="surveys_admin:export",
                      detail={"format": fmt, "responses": rows, "anonymous_survey": survey.anonymous,
                              "unredacted_text": unredacted})


@transaction.atomic
def survey_subject_erase(*, user=None, emails=(), now: datetime | None = None) -> dict[str, int]:
    """Subject erasure (`portal.subject_access`): for responses linked to this person (their
    account on a named survey, an invitation to one of their emails, a resume email), drafts
    are deleted and submitted responses lose the link to them and every free-text answer (and
    the feedback items those became); choice, scale and number answers stay, anonymous, so
    results and KPIs stay true. Invitations to their emails lose the email, name and reference."""
    from .selectors import subject_invitations, subject_responses

    now = now or timezone.now()
    invitations = subject_invitations(emails)
    responses = list(subject_responses(user=user, emails=emails, invitations=invitations)
                     .select_related("version"))
    submitted = [r for r in responses if r.status == ResponseStatus.SUBMITTED]
    text_rows = Answer.objects.filter(response__in=submitted).exclude(text="")
    refs = [f"surveys.answer:{pk}" for pk in text_rows.values_list("pk", flat=True)]
    feedback = _feedback_services()
    erased_feedback = 0
    if refs and feedback is not None and hasattr(feedback, "feedback_erase"):
        erased_feedback = feedback.feedback_erase(source_refs=refs, now=now)["erased"]
    text_rows.delete()
    for response in submitted:
        answers = {k: v for k, v in response.answers.items() if k not in _text_keys(response)}
        Response.objects.filter(pk=response.pk).update(answers=answers, respondent=None, resume_email="",
                                                       updated_at=now)
    drafts = Response.objects.filter(pk__in=[r.pk for r in responses if r.status == ResponseStatus.DRAFT])
    drafts_deleted = drafts.delete()[1].get("surveys.Response", 0)
    invitations_erased = invitations.update(email="", name="", reference="", personal_data_erased_at=now,
                                            updated_at=now)
    return {"responses_anonymised": len(submitted), "drafts_deleted": drafts_deleted,
            "invitations_erased": invitations_erased, "feedback_erased": erased_feedback}



@transaction.atomic
def survey_create(*, title: str, slug: str, audience: str, intro: str, privacy_notice: str,
                  questions: list[dict], easy_intro: str = "", anonymous: bool = True,
                  open_to_anyone: bool = True, publish: bool = True, user=None) -> Survey:
    """Create a survey with its questions from plain data (templates, demo, tests). Question
    dicts use the Question field names, plus `objectives` (codes) and `kpi` (a code)."""
    from portal.models import KPI, Objective

    survey = Survey(title=title, slug=slug, audience=audience, intro=intro, easy_intro=easy_intro,
                    privacy_notice=privacy_notice, anonymous=anonymous, open_to_anyone=open_to_anyone)
    survey.full_clean()
    survey.save()
    for order, spec in enumerate(questions):
        spec = dict(spec)
        objective_codes = spec.pop("objectives", [])
        kpi_code = spec.pop("kpi", "")
        question = Question(survey=survey, sort_order=order, **spec)
        if kpi_code:
            question.kpi = KPI.objects.filter(code=kpi_code).order_by("-plan__is_current").first()
        question.full_clean(exclude=["survey"])
        question.save()
        if objective_codes:
            question.objectives.set(Objective.objects.filter(code__in=objective_codes))
            question.save()
    if publish:
        survey_publish(survey=survey, user=user)
        survey.refresh_from_db()
    return survey


def kpi_reading_from_surveys(*, kpi_code: str, on, date_from=None, date_to=None, label: str = ""):
    """Record today's value of a satisfaction KPI (e.g. KPI-SATISFACTION-PARENTS) from every
    survey question tagged with it. Returns the reading, or None when nobody answered."""
    from decimal import Decimal

    from portal.models import KPI
    from portal.services import kpi_record_reading

    from .selectors import kpi_satisfaction

    value, n = kpi_satisfaction(kpi_code=kpi_code, date_from=date_from, date_to=date_to)
    kpi = KPI.objects.filter(code=kpi_code).order_by("-plan__is_current").first()
    if value is None or kpi is None:
        return None
    return kpi_record_reading(kpi=kpi, value=Decimal(str(value)), on=on, label=label,
                              note=f"From {n} survey answers")
