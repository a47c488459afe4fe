"""Answers into the feedback app: free text becomes feedback items in the one inbox (for
redaction, safeguarding and analysis), and the quick safeguarding screen at submit time."""

from __future__ import annotations

import logging

from django.utils import timezone

from feedback import services as feedback_services

from ..models import Answer, ResponseStatus
from ..selectors import answer_source_ref

logger = logging.getLogger(__name__)


def answers_feed_feedback(*, response_id: int | None = None, limit: int = 1000) -> int:
    """Send free-text answers not yet fed to `feedback.services.feedback_ingest` (idempotent
    by source_ref). Returns how many were fed."""
    rows = (
        Answer.objects.filter(fed_to_feedback_at__isnull=True, response__status=ResponseStatus.SUBMITTED)
        .exclude(text="")
        .select_related("response")
    )
    if response_id is not None:
        rows = rows.filter(response_id=response_id)
    fed = 0
    for answer in rows.order_by("pk")[:limit]:
        feedback_services.feedback_ingest(
            text=answer.text,
            channel="survey",
            audience=answer.response.audience,
            source_ref=answer_source_ref(answer.pk),
            received_at=answer.response.submitted_at,
        )
        Answer.objects.filter(pk=answer.pk).update(fed_to_feedback_at=timezone.now())
        fed += 1
    return fed


def answers_at_risk(texts: list[str]) -> bool:
    """The feedback app's quick safeguarding screen over a submission's free text, for the done
    page's crisis signposting. If the screen fails it answers yes: signposting must never cost
    someone their sent answers, and showing the crisis numbers to someone not at risk is the
    safe mistake."""
    try:
        return feedback_services.submission_at_risk(texts=texts)
    except Exception:
        logger.warning("Quick safeguarding screen failed", exc_info=True)
        return True
