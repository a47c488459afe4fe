"""The one Celery app: configuration from Django settings (CELERY_*), tasks from every app,
and the whole beat schedule in one place."""

import os

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("sendvoice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Each entry names a task that lives in its app's tasks.py. Tasks that do not exist yet are
# simply never sent; beat only dispatches by name.
app.conf.beat_schedule = {
    "portal-worker-heartbeat": {"task": "portal.tasks.heartbeat", "schedule": 60.0},
    # Every 10 s, so the backlog of a broker outage is cleared within 2 minutes of its return
    # (measured by bench/load_surveys.py --broker-down-at); when there is no backlog each run
    # is one indexed query, and while one run is still working the next is skipped (a lock).
    "feedback-sweep-unanalysed": {
        "task": "feedback.tasks.sweep_unanalysed",
        "schedule": 10.0,
    },
    # An alert nobody acknowledged within FEEDBACK_ALERT_ESCALATE_MINUTES goes to the deputy.
    "feedback-escalate-alerts": {
        "task": "feedback.tasks.escalate_unacknowledged_alerts",
        "schedule": crontab(minute="*/5"),
    },
    "feedback-overdue-triage": {
        "task": "feedback.tasks.notify_overdue_triage",
        "schedule": crontab(hour=9, minute=0),
    },
    "surveys-feed-pending-answers": {
        "task": "surveys.tasks.feed_pending_answers",
        "schedule": 10.0,
    },
    "surveys-send-due-invitations": {
        "task": "surveys.tasks.send_due_invitations",
        "schedule": crontab(minute="*/15"),
    },
    "surveys-send-reminders": {
        "task": "surveys.tasks.send_reminders",
        "schedule": crontab(hour=10, minute=0),
    },
    "privacy-enforce-retention": {
        "task": "privacy.tasks.enforce_retention",
        "schedule": crontab(hour=2, minute=30),
    },
    "boardpacks-monthly-board-pack": {
        "task": "boardpacks.tasks.build_monthly_board_packs",
        # Runs every weekday morning; the task itself acts only on the first working day.
        "schedule": crontab(hour=6, minute=0, day_of_week="mon-fri"),
    },
}


@worker_ready.connect
def _warn_without_safeguarding_lead(**kwargs):
    from .health import log_if_no_safeguarding_lead

    log_if_no_safeguarding_lead("Celery worker")
