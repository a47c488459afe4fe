"""Scheduled jobs of the shared core. Thin: each calls one service."""

from celery import shared_task

from .optional import import_if_present

# Board-pack tasks live with the board packs; importing them here lets autodiscovery find them.
import_if_present("portal.boardpacks.tasks")


@shared_task(acks_late=True)
def enforce_retention():
    from .retention import retention_enforce

    return retention_enforce()


@shared_task(bind=True, acks_late=True, ignore_result=True)
def heartbeat(self):
    from .services import worker_heartbeat_record

    worker_heartbeat_record(worker=self.request.hostname or "eager")
