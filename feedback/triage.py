"""Triage: the one state machine for an item's status, who may own an item, and every change
staff (or a published answer) make to them, each audited.

Used by the inbox (`admin_views`) and by `cms.services.yswd_page_published`, which marks the
items a published "You said, we did" page answers.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from portal.models import User
from portal.roles import ADMIN_SITE_ROLES, group_name
from portal.text import clean_text

from .models import AuditEntry, FeedbackItem, TriageNote


def audit_record(item: FeedbackItem, actor, action: str, changes: dict) -> None:
    """Every change to an item is kept in its audit trail (who, what, from and to)."""
    AuditEntry.objects.create(item=item, actor=actor, action=action, changes=changes)


Status = FeedbackItem.Status

# What staff may move an item to from each status (the inbox, its bulk actions).
ALLOWED_TRANSITIONS = {
    Status.NEW: {"triaged", "actioned", "closed"},
    Status.TRIAGED: {"actioned", "responded", "closed", "new"},
    Status.ACTIONED: {"responded", "closed", "triaged"},
    Status.RESPONDED: {"closed", "actioned"},
    Status.CLOSED: {"triaged", "new"},
}

# A published "You said, we did" page that answers an item is itself the decision, so it moves
# an item to RESPONDED from any of these (a new item too). A closed item stays closed: someone
# closed it with a reason, and only a person reopening it should change that.
ANSWERED_BY_PAGE_FROM = frozenset({Status.NEW, Status.TRIAGED, Status.ACTIONED, Status.RESPONDED})


def owners() -> QuerySet:
    """Who may own an item: active users in a back-office role (the inbox's choice list)."""
    return (
        User.objects.filter(groups__name__in=[group_name(r) for r in ADMIN_SITE_ROLES], is_active=True)
        .distinct()
        .order_by("first_name", "email")
    )


def may_own(user) -> bool:
    return user is not None and owners().filter(pk=user.pk).exists()


@transaction.atomic
def feedback_triage(
    *,
    item: FeedbackItem,
    actor,
    status: str | None = None,
    close_reason: str = "",
    owner=None,
    owner_organisation: str | None = None,
    response_url: str | None = None,
    note: str = "",
) -> FeedbackItem:
    """Change an item's status, owner or response link, and add a note; every change is audited.

    Used by the triage inbox and its bulk actions.
    """
    item = FeedbackItem.objects.select_for_update().get(pk=item.pk)
    changes: dict[str, list] = {}
    if status and status != item.status:
        if status not in ALLOWED_TRANSITIONS[item.status]:
            raise ValidationError({"status": f"Cannot move from {item.get_status_display()} to {status}."})
        if status == FeedbackItem.Status.CLOSED and not clean_text(close_reason):
            raise ValidationError({"close_reason": "Give a reason for closing the feedback."})
        changes["status"] = [item.status, status]
        item.status = status
        if status == FeedbackItem.Status.CLOSED:
            changes["close_reason"] = [item.close_reason, clean_text(close_reason)]
            item.close_reason = clean_text(close_reason)
    if owner is not None and owner.pk != item.owner_id:
        if not may_own(owner):
            raise ValidationError(
                {
                    "owner": "Choose an active member of the engagement team, the "
                    "safeguarding lead or an administrator."
                }
            )
        changes["owner"] = [str(item.owner) if item.owner else "", str(owner)]
        item.owner = owner
        if owner_organisation is None and owner.organisation:
            owner_organisation = owner.organisation
    if owner_organisation is not None and clean_text(owner_organisation) != item.owner_organisation:
        changes["owner_organisation"] = [item.owner_organisation, clean_text(owner_organisation)]
        item.owner_organisation = clean_text(owner_organisation)
    if response_url is not None and clean_text(response_url) != item.response_url:
        changes["response_url"] = [item.response_url, clean_text(response_url)]
        item.response_url = clean_text(response_url)
    if changes:
        item.full_clean()
        item.save()
        audit_record(item, actor, "triaged", changes)
    if clean_text(note):
        feedback_note_add(item=item, author=actor, text=note)
    return item


def feedback_note_add(*, item: FeedbackItem, author, text: str) -> TriageNote:
    note = TriageNote(item=item, author=author, text=clean_text(text))
    note.full_clean()
    note.save()
    audit_record(item, author, "note_added", {"note": note.pk})
    return note


@transaction.atomic
def feedback_mark_responded(*, items, page_url: str, actor=None) -> int:
    """Set status RESPONDED and `response_url` on the given items (FeedbackItem objects, a
    queryset, or primary keys) and audit each change. Items already responded to by the same
    page are left alone, so republishing changes nothing. Three queries, whatever the number of
    items. Returns how many items changed.

    The move allowed is `ANSWERED_BY_PAGE_FROM`, not the staff moves: linking an item to a
    published answer is itself the decision."""
    page_url = (page_url or "").replace("\x00", "").strip()[:300]
    ids = [getattr(i, "pk", i) for i in items]
    if not ids or not page_url:
        return 0
    rows = list(
        FeedbackItem.objects.select_for_update()
        .filter(pk__in=ids, status__in=ANSWERED_BY_PAGE_FROM)
        .exclude(status=FeedbackItem.Status.RESPONDED, response_url=page_url)
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
