"""Marking feedback as responded to when a public "You said, we did" page answers it.

Called by `cms.services.yswd_page_published` (the page_published signal). Lives in feedback
because it writes feedback rows and their audit trail; it knows nothing about pages beyond the
URL it is given.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from .models import AuditEntry, FeedbackItem


@transaction.atomic
def feedback_mark_responded(*, items, page_url: str, actor=None) -> int:
    """Set status RESPONDED and `response_url` on the given items (FeedbackItem objects, a
    queryset, or primary keys) and audit each change. Items already responded to by the same
    page are left alone, so republishing changes nothing. Three queries, whatever the number of
    items. Returns how many items changed.

    Not the triage state machine (`services.ALLOWED_TRANSITIONS`): linking an item to a
    published answer is itself the decision, so a new, triaged or actioned item (or one answered
    by an earlier page) becomes responded. A closed item stays closed: someone closed it with a
    reason, and only they (or a colleague) reopening it should change that."""
    page_url = (page_url or "").replace("\x00", "").strip()[:300]
    ids = [getattr(i, "pk", i) for i in items]
    if not ids or not page_url:
        return 0
    rows = list(
        FeedbackItem.objects.select_for_update()
        .filter(pk__in=ids)
        .exclude(status=FeedbackItem.Status.RESPONDED, response_url=page_url)
        .exclude(status=FeedbackItem.Status.CLOSED)
        .values_list("pk", "status", "response_url")
    )
    if not rows:
        return 0
    now = timezone.now()
    FeedbackItem.objects.filter(pk__in=[pk for pk, _, _ in rows]).update(
        status=FeedbackItem.Status.RESPONDED, response_url=page_url, updated_at=now
    )
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                item_id=pk,
                actor=actor,
                action="responded",
                changes={
                    "status": [status, FeedbackItem.Status.RESPONDED],
                    "response_url": [old_url, page_url],
                },
            )
            for pk, status, old_url in rows
        ]
    )
    return len(rows)
