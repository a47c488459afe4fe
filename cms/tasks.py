"""Thin Celery tasks for the CMS: they take primary keys and call one service. Safe to run twice
(each service claims its sends)."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
    reject_on_worker_lost=True,
)
def send_reply_batch(send_id: int, batch: int) -> int:
    """One batch of the reply emails a staff member confirmed on the replies screen. Safe to run
    twice or after a worker died: each person is claimed before their email goes."""
    return services.yswd_reply_batch_send(send_id=send_id, batch=batch)


@shared_task(ignore_result=True)
def send_feedback_replies(page_id: int) -> int:
    """Retired: publishing used to queue this and email everyone at once, unseen (issue 19).
    Kept so a message still in the broker from before the change is consumed and sends
    nothing; staff send replies from the replies screen."""
    logger.warning(
        "Ignored a queued reply send for page %s: replies are now sent from the "
        "replies screen after a preview",
        page_id,
    )
    return 0


@shared_task(
    acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=8, reject_on_worker_lost=True
)
def send_newsletter_confirmation(subscription_id: int) -> bool:
    """The double opt-in email for a newsletter sign-up."""
    return services.newsletter_confirmation_send(subscription_id=subscription_id)
