"""Queue a Celery task once the current transaction commits, and never fail the request for it.

Every caller stores its row first and has a way to catch up (a sweep, a resend button, the
next beat), so a broker that is down is logged, not raised: the person who pressed the button
has already been told their work is saved.
"""

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue(task, *args, countdown: int | None = None) -> bool:
    """Queue `task(*args)` now. False (and a warning in the log) if the broker refused it."""
    try:
        if countdown:
            task.apply_async(args, countdown=countdown)
        else:
            task.delay(*args)
    except Exception:  # the broker may be down: the row is committed and can be queued again
        logger.warning("Could not queue %s%s", getattr(task, "name", task), args, exc_info=True)
        return False
    return True


def enqueue_on_commit(task, *args) -> None:
    """Queue `task(*args)` after the surrounding transaction commits (at once outside one), so
    a worker never looks for a row that a rollback took away."""
    transaction.on_commit(lambda: enqueue(task, *args))
