"""Thin Celery tasks for the CMS: they take primary keys and call one service. Safe to run twice
(each service claims its sends)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=600,
             max_retries=8, reject_on_worker_lost=True)
def send_feedback_replies(page_id: int) -> int:
    """After a "You said, we did" page is published: tell people who asked for a reply."""
    return services.feedback_replies_send(page_id=page_id)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=8,
             reject_on_worker_lost=True)
def send_newsletter_confirmation(subscription_id: int) -> bool:
    """The double opt-in email for a newsletter sign-up."""
    return services.newsletter_confirmation_send(subscription_id=subscription_id)
