"""Scheduled jobs of the shared core. Thin: each calls one service."""

from celery import shared_task


@shared_task(bind=True, acks_late=True, ignore_result=True)
def heartbeat(self):
    from .services import worker_heartbeat_record

    worker_heartbeat_record(worker=self.request.hostname or "eager")
