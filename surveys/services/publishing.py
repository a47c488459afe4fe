"""Building surveys and freezing their questions as versions: what a respondent answers is
always a published version's definition, never the editable questions."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import Question, Survey, SurveyStatus, SurveyVersion
from ..questions import ConditionOp, kind_of, options_from_lines, question_options

logger = logging.getLogger(__name__)


def _question_definition(q: Question, page: int, earlier: dict[str, dict]) -> dict:
    kind = kind_of(q.kind)
    options = options_from_lines(q.options)
    statements = options_from_lines(q.statements)
    show_if = None
    if q.show_if_key:
        target = earlier.get(q.show_if_key)
        if target is None:
            raise ValidationError(
                f"Question '{q.key}' depends on '{q.show_if_key}', which is not an "
                "earlier question in this survey."
            )
        by_label = {o["label"].lower(): o["value"] for o in question_options(target)}
        values = [
            by_label.get(v.strip().lower(), v.strip())
            for v in (q.show_if_values or "").splitlines()
            if v.strip()
        ]
        op = q.show_if_op or ConditionOp.EQUALS
        if op != ConditionOp.ANSWERED and not values:
            raise ValidationError(f"Question '{q.key}': give the values the condition looks for.")
        show_if = {"key": q.show_if_key, "op": op, "values": values}
    definition = {
        "key": q.key,
        "kind": q.kind,
        "text": q.text,
        "help": q.help_text,
        "required": q.required,
        "section": q.section,
        "page": page,
        "options": options,
        "statements": statements,
        "allow_other": q.allow_other and kind.offers_other,
        "scale_points": q.scale_points,
        "pictorial": q.pictorial,
        "min": float(q.min_value) if q.min_value is not None else None,
        "max": float(q.max_value) if q.max_value is not None else None,
        "easy_text": q.easy_text or q.text,
        "symbol": q.symbol,
        "image_url": "",
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
    error = kind.definition_error(definition)
    if error:
        raise ValidationError(error)
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
        version = SurveyVersion(
            survey=survey,
            number=(latest.number + 1) if latest else 1,
            definition=definition,
            definition_hash=digest,
            published_by=user,
        )
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
    return (
        survey.status == SurveyStatus.OPEN
        and (survey.opens_at is None or survey.opens_at <= now)
        and (survey.closes_at is None or now < survey.closes_at)
    )


@transaction.atomic
def survey_create(
    *,
    title: str,
    slug: str,
    audience: str,
    intro: str,
    privacy_notice: str,
    questions: list[dict],
    easy_intro: str = "",
    anonymous: bool = True,
    open_to_anyone: bool = True,
    publish: bool = True,
    user=None,
) -> Survey:
    """Create a survey with its questions from plain data (templates, demo, tests). Question
    dicts use the Question field names, plus `objectives` (codes) and `kpi` (a code)."""
    from portal.models import KPI, Objective

    survey = Survey(
        title=title,
        slug=slug,
        audience=audience,
        intro=intro,
        easy_intro=easy_intro,
        privacy_notice=privacy_notice,
        anonymous=anonymous,
        open_to_anyone=open_to_anyone,
    )
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
