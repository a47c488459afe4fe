"""Reads for surveys: what is open, a draft by its token, results (with the one small-number
rule, `portal.disclosure`, for results shown outside the engagement team), KPI values and
export rows."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Q, QuerySet
from django.utils import timezone

# Surveys depend on the feedback app: free text is redacted by it, and who may read flagged or
# original text is its rule. If it cannot be asked, the text is not shown.
from feedback import selectors as feedback_selectors
from feedback import services as feedback_services
from portal import disclosure

from .models import Answer, Invitation, Response, ResponseStatus, Survey, SurveyStatus
from .questions import Kind, default_positive, display, kind_of

logger = logging.getLogger(__name__)


def surveys_open_public(now: datetime | None = None) -> QuerySet[Survey]:
    """Open surveys anyone may answer, for the /surveys/ list."""
    now = now or timezone.now()
    return (
        Survey.objects.filter(status=SurveyStatus.OPEN, open_to_anyone=True, versions__isnull=False)
        .filter(Q(opens_at__isnull=True) | Q(opens_at__lte=now))
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gt=now))
        .distinct()
        .order_by("title")
    )


def survey_get_by_slug(slug: str) -> Survey | None:
    return Survey.objects.filter(slug=slug).exclude(status=SurveyStatus.DRAFT).first()


def response_get_by_token(token: str) -> Response | None:
    from .services import token_hash

    if not token or len(token) > 100:
        return None
    return Response.objects.select_related("survey", "version").filter(token_hash=token_hash(token)).first()


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


@dataclass
class Filters:
    date_from: date | None = None
    date_to: date | None = None
    audience: str = ""
    version: int | None = None


@dataclass
class Row:
    label: str
    count: int | str | None  # outside the team: None is "fewer than N", or `disclosure.NOT_SHOWN`
    percent: float | None = None


@dataclass
class QuestionResult:
    key: str
    text: str
    kind: str
    answered: int | str | None
    rows: list[Row] = field(default_factory=list)
    matrix: list[tuple[str, list[Row]]] = field(default_factory=list)
    stats: dict = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)
    suppressed: bool = False
    chart: str = ""

    @property
    def is_scale(self) -> bool:
        return kind_of(self.kind).scale


@dataclass
class Results:
    survey: Survey
    responses: int | str | None
    invitations: int | str | None
    invited_responses: int | str | None
    rate: float | None
    questions: list[QuestionResult]
    suppressed: bool
    threshold: int
    fewer_than: str = ""


def submitted_responses(survey: Survey, filters: Filters | None = None) -> QuerySet[Response]:
    filters = filters or Filters()
    qs = Response.objects.filter(survey=survey, status=ResponseStatus.SUBMITTED)
    tz = timezone.get_current_timezone()
    if filters.date_from:
        qs = qs.filter(submitted_at__gte=datetime.combine(filters.date_from, time.min, tz))
    if filters.date_to:
        qs = qs.filter(submitted_at__lte=datetime.combine(filters.date_to, time.max, tz))
    if filters.audience:
        qs = qs.filter(audience=filters.audience)
    if filters.version:
        qs = qs.filter(version__number=filters.version)
    return qs


def question_catalogue(survey: Survey) -> list[dict]:
    """Every question key ever asked, in the newest version's order then older ones: the
    stable columns of results and exports."""
    seen: dict[str, dict] = {}
    for version in survey.versions.order_by("-number"):
        for q in version.definition["questions"]:
            seen.setdefault(q["key"], q)
    return list(seen.values())


# Shown (and exported) in place of free text that could not be redacted.
REDACTION_FAILED = "Withheld: this answer could not be checked for personal details"


def redact(text: str) -> str:
    """The text with personal details taken out (`feedback.services.redact_text`). Raises if
    redaction fails: anything that shows or exports text uses `redact_or_withhold`."""
    return feedback_services.redact_text(text)


def redact_or_withhold(text: str) -> str:
    """Redacted text, or `REDACTION_FAILED` if redaction fails: never the text as typed."""
    try:
        return redact(text)
    except Exception:
        logger.warning("Redaction failed: a free-text answer is withheld", exc_info=True)
        return REDACTION_FAILED


def answer_source_ref(answer_pk: int) -> str:
    """The feedback item an answer's free text became (`services.answers_feed_feedback`)."""
    return f"surveys.answer:{answer_pk}"


def withheld_answers(*, answer_pks, user) -> tuple[set[int], str]:
    """(answers whose text `user` may not read, the words to show instead): answers whose
    feedback item was flagged for safeguarding, for anyone the inbox would not show it to. The
    rule and the words are the feedback app's (`feedback.selectors.withheld_source_refs`)."""
    by_ref = {answer_source_ref(pk): pk for pk in answer_pks}
    withheld = feedback_selectors.withheld_source_refs(source_refs=list(by_ref), user=user)
    return {by_ref[ref] for ref in withheld}, feedback_selectors.SAFEGUARDING_WITHHELD


def _rows(
    counter: Counter, options: list[dict], base: int, threshold: int, suppress: bool
) -> tuple[list[Row], int | str | None]:
    """The rows of one question (or one matrix statement) and its total as it may be shown.
    Outside the team the options are shown with the number who answered, so they are one
    group (`portal.disclosure.group`): a small count is hidden and, so that it cannot be
    worked out by subtraction, so is another; percentages go with their counts."""
    counts = {opt["value"]: counter.get(opt["value"], 0) for opt in options}
    if not suppress:
        rows = [
            Row(
                label=opt["label"],
                count=counts[opt["value"]],
                percent=round(100 * counts[opt["value"]] / base, 1) if base else None,
            )
            for opt in options
        ]
        return rows, base
    shown = disclosure.group(counts, total=base, threshold=threshold)
    rows = [
        Row(label=opt["label"], count=shown.cells[opt["value"]], percent=shown.share(opt["value"]))
        for opt in options
    ]
    return rows, shown.total


def _totals(
    *, responses: int, invited: int, invitations: int, threshold: int, suppress: bool
) -> tuple[int | str | None, int | str | None, int | str | None, float | None]:
    """(responses, from invitations, invitations, response rate) as they may be shown. Outside
    the team they are two sums a reader can see: responses = from invitations + by the open
    link, and invitations = answered + not answered, so one `portal.disclosure.protect` covers
    both (24 responses, 22 from invitations: the 2 by the open link are not given away)."""
    rate = round(100 * invited / invitations, 1) if invitations else None
    if not suppress:
        return responses, invited, invitations, rate
    shown = disclosure.protect(
        {
            "invited": invited,
            "open": responses - invited,
            "no_reply": max(0, invitations - invited),
            "responses": responses,
            "invitations": invitations,
        },
        [(["invited", "open"], "responses"), (["invited", "no_reply"], "invitations")],
        threshold,
    )
    if not (disclosure.is_shown(shown["invited"]) and disclosure.is_shown(shown["invitations"])):
        rate = None  # the rate and the invitations would give the hidden count away
    return shown["responses"], shown["invited"], shown["invitations"], rate


def survey_results(
    *, survey: Survey, filters: Filters | None = None, suppress: bool = False, user=None
) -> Results:
    """Counts per option (never per combination of options), scale distributions, number
    statistics and free text. With `suppress`, the view for anyone outside the engagement
    team: counts follow the one small-number rule (`portal.disclosure`: small counts hidden,
    zero shown as 0, nothing hidden recoverable by subtraction, percentages hidden with their
    counts) and free text and the extremes of numbers are left out.

    Free text is redacted (withheld if redaction fails); an answer flagged for safeguarding
    shows only the inbox's words ("Safeguarding: referred to the safeguarding lead") unless
    `user` may read it in the inbox (`withheld_answers`; with no user, it is withheld)."""
    threshold = disclosure.threshold()
    responses = submitted_responses(survey, filters)
    total = responses.count()
    invitations = Invitation.objects.filter(survey=survey).count()
    invited = responses.filter(invitation__isnull=False).count()
    total_shown, invited_shown, invitations_shown, rate = _totals(
        responses=total, invited=invited, invitations=invitations, threshold=threshold, suppress=suppress
    )
    all_hidden = suppress and not disclosure.is_shown(total_shown)
    answers: dict[str, list] = {}
    text_pks: dict[str, list] = {}
    for pk, key, value, text in (
        Answer.objects.filter(response__in=responses)
        .values_list("pk", "question_key", "value", "text")
        .order_by("pk")
    ):
        answers.setdefault(key, []).append(value)
        text_pks.setdefault(key, []).append(pk if text else None)
    withheld, withheld_words = set(), ""
    if not suppress:  # free text is shown only then
        withheld, withheld_words = withheld_answers(
            answer_pks=[pk for pks in text_pks.values() for pk in pks if pk], user=user
        )

    def texts(key: str) -> list[str]:
        return [
            withheld_words if pk in withheld else redact_or_withhold(value)
            for pk, value in zip(text_pks.get(key, []), answers.get(key, []), strict=True)
        ]

    hidden_totals: list = []

    def tally(counter: Counter, options: list[dict], base: int) -> list[Row]:
        rows, shown_total = _rows(counter, options, base, threshold, suppress)
        if not disclosure.is_shown(shown_total):
            hidden_totals.append(shown_total)
        return rows

    results = []
    for q in question_catalogue(survey):
        values = answers.get(q["key"], [])
        n = len(values)
        r = QuestionResult(key=q["key"], text=q["text"], kind=q["kind"], answered=n, suppressed=all_hidden)
        if all_hidden:
            r.answered = None
            results.append(r)
            continue
        if suppress and disclosure.is_small(n, threshold):
            r.answered, r.suppressed = None, True
            results.append(r)
            continue
        kind = kind_of(q)
        hidden_totals.clear()
        for name, value in kind.summarise(q, values, tally=tally, suppress=suppress).items():
            setattr(r, name, value)
        if hidden_totals and r.rows:  # the options' total had to be hidden too
            r.answered = disclosure.NOT_SHOWN
        if kind.text and not suppress:
            r.texts = texts(q["key"])
        results.append(r)
        if q.get("allow_other") and not suppress:
            others = answers.get(f"{q['key']}.other", [])
            if others:
                results.append(
                    QuestionResult(
                        key=f"{q['key']}.other",
                        text=f"{q['text']} – other",
                        kind=Kind.SHORT_TEXT,
                        answered=len(others),
                        texts=texts(f"{q['key']}.other"),
                    )
                )
    if all_hidden:
        invited_shown, rate = None, None
    return Results(
        survey=survey,
        responses=total_shown,
        invitations=invitations_shown,
        invited_responses=invited_shown,
        rate=rate,
        questions=results,
        suppressed=suppress,
        threshold=threshold,
        fewer_than=disclosure.fewer_than(threshold),
    )


def kpi_satisfaction(
    *, kpi_code: str, date_from: date | None = None, date_to: date | None = None
) -> tuple[float | None, int]:
    """(% of answers counted as satisfied, answers counted) over every survey question tagged
    with the KPI, e.g. 'good satisfaction ratings from surveys'."""
    positive = total = 0
    filters = Filters(date_from=date_from, date_to=date_to)
    for survey in Survey.objects.filter(versions__definition__icontains=kpi_code).distinct():
        tagged = {q["key"]: q for q in question_catalogue(survey) if q.get("kpi") == kpi_code}
        if not tagged:
            continue
        rows = Answer.objects.filter(
            response__in=submitted_responses(survey, filters), question_key__in=tagged
        ).values_list("question_key", "value")
        for key, value in rows:
            good = set(default_positive(tagged[key]))
            values = (
                list(value.values())
                if isinstance(value, dict)
                else (value if isinstance(value, list) else [value])
            )
            for v in values:
                total += 1
                positive += v in good
    return (round(100 * positive / total, 1) if total else None), total


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------

PERSONAL_COLUMNS = ["Invitation email", "Invitation name", "Invitation reference", "Respondent email"]


@dataclass(frozen=True)
class ExportScope:
    """What an export holds for one user beyond redacted answers."""

    personal: bool  # invitation and account columns
    unredacted: bool  # free text as it was typed

    @property
    def leaves_personal_data(self) -> bool:
        return self.personal or self.unredacted


def export_scope(*, survey: Survey, user) -> ExportScope:
    """Invitation and account columns need `surveys.view_personal_data`. Free text as typed
    needs the permission that lets the inbox show original text (`feedback.selectors.
    may_view_original`: the safeguarding lead), not the administrator's personal-data one:
    typed text can name a child or disclose harm. An anonymous survey never gives either."""
    if user is None or survey.anonymous:
        return ExportScope(personal=False, unredacted=False)
    return ExportScope(
        personal=user.has_perm("surveys.view_personal_data"),
        unredacted=feedback_selectors.may_view_original(user),
    )


def export_table(
    *, survey: Survey, filters: Filters | None = None, user=None
) -> tuple[list[str], list[list]]:
    """One row per response, one column per question key (stable across versions). What
    `user` may take beyond redacted answers is `export_scope`'s; an answer flagged for
    safeguarding shows only the inbox's words unless the user may read it in the inbox
    (`withheld_answers`). With no user: redacted, nothing personal, flagged answers withheld.
    Text that cannot be redacted is withheld (`REDACTION_FAILED`), never exported as typed."""
    catalogue = question_catalogue(survey)
    scope = export_scope(survey=survey, user=user)
    # Free text is redacted unless typed text may go.
    redacted = not scope.unredacted
    personal = scope.personal
    header = ["Response", "Survey version", "Submitted at", "Audience"]
    columns: list[tuple[str, bool]] = []
    for q in catalogue:
        columns.append((q["key"], False))
        header.append(f"{q['text']} [{q['key']}]")
        if q.get("allow_other"):
            columns.append((q["key"], True))
            header.append(f"{q['text']} – other [{q['key']}.other]")
    if personal:
        header += PERSONAL_COLUMNS
    rows = []
    responses = (
        submitted_responses(survey, filters)
        .select_related("version", "invitation", "respondent")
        .order_by("submitted_at", "pk")
    )
    text_answers = {
        (response_id, key): pk
        for pk, response_id, key in (
            Answer.objects.filter(response__in=responses)
            .exclude(text="")
            .values_list("pk", "response_id", "question_key")
        )
    }
    withheld, withheld_words = withheld_answers(answer_pks=text_answers.values(), user=user)
    withheld_cells = {cell for cell, pk in text_answers.items() if pk in withheld}
    for response in responses:
        by_key = {q["key"]: q for q in response.version.definition["questions"]}
        answers = response.answers
        row = [
            response.pk,
            response.version.number,
            timezone.localtime(response.submitted_at).strftime("%Y-%m-%d %H:%M"),
            response.get_audience_display(),
        ]
        for key, is_other in columns:
            if (response.pk, f"{key}.other" if is_other else key) in withheld_cells:
                row.append(withheld_words)
                continue
            if is_other:
                other = answers.get(f"{key}.other", "")
                row.append(redact_or_withhold(other) if redacted and other else other)
                continue
            q, value = by_key.get(key), answers.get(key)
            if q is None or value is None:
                row.append("")
            elif kind_of(q).text and redacted:
                row.append(redact_or_withhold(value))
            else:
                row.append(kind_of(q).export_value(q, value))
        if personal:
            inv = response.invitation
            row += [
                inv.email if inv else "",
                inv.name if inv else "",
                inv.reference if inv else "",
                response.respondent.email if response.respondent_id else "",
            ]
        rows.append(row)
    return header, rows


# ---------------------------------------------------------------------------------------------
# Data protection: a person's own data
# ---------------------------------------------------------------------------------------------


def _email_match(field_name: str, emails) -> Q | None:
    match = None
    for email in emails or ():
        if email:
            q = Q(**{f"{field_name}__iexact": email})
            match = q if match is None else match | q
    return match


def subject_invitations(emails) -> QuerySet[Invitation]:
    """Invitations sent to one of these emails (case does not matter)."""
    match = _email_match("email", emails)
    return Invitation.objects.filter(match) if match is not None else Invitation.objects.none()


def subject_responses(*, user=None, emails=(), invitations=None) -> QuerySet[Response]:
    """Responses linked to one person: given from their account (named surveys only; anonymous
    surveys never record who answered), through an invitation to one of their emails, or saved
    with one of their emails for resuming."""
    match = Q(pk__in=[])
    if user is not None and user.pk:
        match |= Q(respondent=user)
    if invitations is None:
        invitations = subject_invitations(emails)
    match |= Q(invitation__in=invitations)
    resume = _email_match("resume_email", emails)
    if resume is not None:
        match |= resume
    return Response.objects.filter(match).distinct()


def survey_subject_data(*, user=None, emails=()) -> dict:
    """What surveys hold about one person, for a subject access export: invitations sent to
    their emails (with the name and reference staff gave), and their responses and drafts with
    every answer in words. Also returns `feedback_refs`: the feedback items their free-text
    answers became."""
    invitations = list(subject_invitations(emails).select_related("survey").order_by("created_at"))
    responses = (
        subject_responses(user=user, emails=emails, invitations=invitations)
        .select_related("survey", "version", "invitation")
        .order_by("created_at")
    )
    out: dict = {"invitations": [], "responses": [], "feedback_refs": []}
    for inv in invitations:
        out["invitations"].append(
            {
                "survey": inv.survey.title,
                "email": inv.email,
                "name": inv.name,
                "reference": inv.reference,
                "created_at": inv.created_at,
                "sent_at": inv.sent_at,
                "reminders_sent": inv.reminders_sent,
                "expires_at": inv.expires_at,
                "used_at": inv.used_at,
                "unsubscribed_at": inv.unsubscribed_at,
            }
        )
    for response in responses:
        by_key = {q["key"]: q for q in response.version.definition["questions"]}
        answers = []
        for key, value in response.answers.items():
            if key.endswith(".other"):
                q = by_key.get(key[:-6])
                answers.append({"question": f"{q['text'] if q else key} (other)", "answer": value})
            elif key in by_key:
                answers.append({"question": by_key[key]["text"], "answer": display(by_key[key], value)})
        linked = []
        if user is not None and response.respondent_id == getattr(user, "pk", None):
            linked.append("your account")
        if response.invitation_id and response.invitation in invitations:
            linked.append("an invitation sent to your email")
        if response.resume_email:
            linked.append("the email you gave to save your answers")
        out["responses"].append(
            {
                "survey": response.survey.title,
                "status": response.get_status_display(),
                "started_at": response.created_at,
                "submitted_at": response.submitted_at,
                "linked_to_you_by": linked,
                "resume_email": response.resume_email,
                "answers": answers,
                "free_text_redacted_at": response.free_text_redacted_at,
            }
        )
    out["feedback_refs"] = [
        f"surveys.answer:{pk}"
        for pk in Answer.objects.filter(response__in=responses).exclude(text="").values_list("pk", flat=True)
    ]
    return out
