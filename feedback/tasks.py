"""Thin Celery tasks: they take primary keys and call one service. Safe to run twice."""

import logging
import time

from celery import shared_task
from django.core.cache import cache

from . import conf, selectors, services

logger = logging.getLogger(__name__)
SWEEP_LOCK = "feedback:sweep-running"


@shared_task(
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
    reject_on_worker_lost=True,
)
def analyse_item(item_id: int) -> bool:
    # Under a backlog the sweep may reach an item before its queued task does; analysing it
    # twice changes nothing but costs the worker as much again (found by bench/load_surveys.py).
    if selectors.item_is_analysed(item_id):
        return False
    try:
        return services.feedback_analyse(item_id=item_id, skip_if_done=True) is not None
    except Exception as exc:
        services.feedback_mark_failed(item_id=item_id, error=repr(exc))
        raise


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=10)
def notify_safeguarding_alert(alert_id: int) -> bool:
    return services.safeguarding_alert_notify(alert_id=alert_id)


@shared_task(acks_late=True)
def escalate_unacknowledged_alerts() -> int:
    """Every 5 minutes (config/celery.py): alerts nobody acknowledged in time go to the deputy
    and the administrators, each once."""
    escalated = 0
    for alert_id in selectors.alerts_to_escalate():
        try:
            escalated += services.safeguarding_alert_escalate(alert_id=alert_id)
        except Exception:
            logger.exception("Could not escalate safeguarding alert %s", alert_id)
    return escalated


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def notify_overdue_triage() -> int:
    """Daily (config/celery.py): the team lead hears how many items are overdue for triage."""
    return services.feedback_overdue_notify()


@shared_task(acks_late=True)
def sweep_unanalysed() -> dict:
    """Every 10 seconds (config/celery.py): analyse anything that never was (the broker was down
    when it arrived, or a worker died), and send any alert email that did not go out. Runs the
    work in this task so it does not depend on publishing more messages. It works through the
    whole backlog in batches until it is empty or the time budget is spent, so an outage's
    backlog is cleared in one sweep rather than one batch a minute.

    Only one sweep runs at a time: sweeps queued behind a backlog would otherwise start together
    on every worker process and analyse the same items side by side."""
    if not cache.add(SWEEP_LOCK, True, timeout=conf.sweep_max_seconds() + 30):
        return {"skipped": "another sweep is running"}
    try:
        return _sweep()
    finally:
        cache.delete(SWEEP_LOCK)


def _sweep() -> dict:
    analysed = failed = 0
    deadline = time.monotonic() + conf.sweep_max_seconds()
    cursor = None
    while time.monotonic() < deadline:
        batch = selectors.items_needing_analysis(
            min_age_seconds=conf.sweep_min_age_seconds(), limit=conf.sweep_batch_size(), before_pk=cursor
        )
        if not batch:
            break
        for item_id in batch:
            if time.monotonic() >= deadline:
                break
            cursor = item_id
            try:
                analysed += services.feedback_analyse(item_id=item_id, skip_if_done=True) is not None
            except Exception as exc:
                logger.exception("Sweep could not analyse feedback %s", item_id)
                services.feedback_mark_failed(item_id=item_id, error=repr(exc))
                failed += 1
    notified = 0
    for alert_id in selectors.alerts_unnotified():
        try:
            notified += services.safeguarding_alert_notify(alert_id=alert_id)
        except Exception:
            logger.exception("Could not send safeguarding alert %s", alert_id)
    return {"analysed": analysed, "failed": failed, "notified": notified}
