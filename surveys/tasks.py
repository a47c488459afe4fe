"""Thin Celery tasks: each takes primary keys and calls one service."""

from celery import shared_task
from django.core.cache import cache

RETRY = {
    "acks_late": True,
    "autoretry_for": (Exception,),
    "retry_backoff": 30,
    "retry_kwargs": {"max_retries": 5},
    "ignore_result": True,
}
# Held while `feed_pending_answers` runs; it expires on its own if the worker dies mid-run.
FEED_LOCK = "surveys:feed-running"


@shared_task(**RETRY)
def send_invitation(invitation_pk: int) -> bool:
    from .models import Invitation
    from .services import invitation_send

    invitation = Invitation.objects.select_related("survey").filter(pk=invitation_pk).first()
    return bool(invitation) and invitation_send(invitation=invitation)


@shared_task(**RETRY)
def send_reminder(invitation_pk: int) -> bool:
    from .models import Invitation
    from .services import invitation_send

    invitation = Invitation.objects.select_related("survey").filter(pk=invitation_pk).first()
    return bool(invitation) and invitation_send(invitation=invitation, reminder=True)


@shared_task(acks_late=True, ignore_result=True)
def send_due_invitations() -> int:
    from .services import invitations_due

    due = invitations_due()
    for pk in due:
        send_invitation.delay(pk)
    return len(due)


@shared_task(acks_late=True, ignore_result=True)
def send_reminders() -> int:
    from .services import reminders_due

    due = reminders_due()
    for pk in due:
        send_reminder.delay(pk)
    return len(due)


@shared_task(**RETRY)
def send_resume_link(response_pk: int) -> bool:
    from .models import Response
    from .services import resume_link_send

    response = Response.objects.select_related("survey").filter(pk=response_pk).first()
    return bool(response) and resume_link_send(response=response)


@shared_task(**RETRY)
def feed_feedback(response_pk: int) -> int:
    from .services import answers_feed_feedback

    return answers_feed_feedback(response_id=response_pk)


@shared_task(acks_late=True, ignore_result=True)
def feed_pending_answers() -> int:
    """Every 10 seconds (config/celery.py): feed free-text answers whose `feed_feedback` message was
    lost (the broker was down when the response was submitted). Idempotent by source_ref.

    One run at a time: after an outage a run takes longer than 10 s, and runs side by side
    would feed the same answers twice over (harmless, but the worker's time is the backlog's)."""
    from .services import answers_feed_feedback

    if not cache.add(FEED_LOCK, True, timeout=120):
        return 0
    try:
        return answers_feed_feedback(limit=5000)
    finally:
        cache.delete(FEED_LOCK)
