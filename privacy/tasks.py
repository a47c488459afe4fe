"""Scheduled privacy jobs. Thin: each calls one service."""

from celery import shared_task


@shared_task(acks_late=True)
def enforce_retention():
    from .retention import retention_enforce

    return retention_enforce()
