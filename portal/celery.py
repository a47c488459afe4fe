"""The one Celery app: configuration from Django settings (CELERY_*), tasks from every app,
and the whole beat schedule in one place."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

app = Celery("portal")
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
    "portal-enforce-retention": {
        "task": "portal.tasks.enforce_retention",
        "schedule": crontab(hour=2, minute=30),
    },
    "portal-monthly-board-pack": {
        "task": "portal.boardpacks.tasks.build_monthly_board_packs",
        # Runs every weekday morning; the task itself acts only on the first working day.
        "schedule": crontab(hour=6, minute=0, day_of_week="mon-fri"),
    },
}
