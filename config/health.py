"""Health checks behind /healthz: the database and the Celery broker decide the HTTP status
(a load balancer takes the site out on 503); the worker and the safeguarding lead are reported
as checks in the JSON without changing it: taking the public site down because no lead is set
up would stop people telling us about a child at risk, not protect them."""

from django.conf import settings
from django.db import connection


def check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"status": "ok", "engine": connection.vendor}
    except Exception as exc:  # any failure means "down"; the message says why
        return {"status": "error", "error": exc.__class__.__name__}


def check_broker() -> dict:
    if not settings.CELERY_BROKER_URL:
        return {"status": "ok", "mode": "eager (no broker configured; tasks run in-process)"}
    from .celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return {"status": "ok", "mode": "broker"}
    except Exception as exc:
        return {"status": "error", "mode": "broker", "error": exc.__class__.__name__}


def worker_last_seen() -> dict:
    """Informational: a worker that has not beaten for minutes is worth an alert, but the web
    tier stays healthy without one (submissions are saved and swept later)."""
    from django.utils import timezone

    from portal.models import WorkerHeartbeat

    try:
        latest = WorkerHeartbeat.objects.order_by("-seen_at").first()
    except Exception as exc:
        return {"status": "unknown", "error": exc.__class__.__name__}
    if latest is None:
        return {"status": "unknown", "seconds_since_heartbeat": None}
    age = (timezone.now() - latest.seen_at).total_seconds()
    return {"status": "ok" if age < 180 else "stale", "seconds_since_heartbeat": round(age)}


def check_safeguarding_lead() -> dict:
    """Failing when no active user holds the safeguarding lead role: alerts then reach only the
    administrators (feedback.services.safeguarding_alert_notify)."""
    from feedback.selectors import active_safeguarding_leads_exist

    try:
        if active_safeguarding_leads_exist():
            return {"status": "ok"}
    except Exception as exc:
        return {"status": "unknown", "error": exc.__class__.__name__}
    return {"status": "error", "error": "no safeguarding lead"}


def check_all() -> dict:
    checks = {"database": check_database(), "broker": check_broker()}
    status = "ok" if all(c["status"] == "ok" for c in checks.values()) else "error"
    lead = check_safeguarding_lead()
    failing = [name for name, c in {**checks, "safeguarding_lead": lead}.items() if c["status"] == "error"]
    return {
        "status": status,
        **checks,
        "worker": worker_last_seen(),
        "safeguarding_lead": lead,
        "failing": failing,
    }


def log_if_no_safeguarding_lead(where: str) -> None:
    """A loud line in the log when a web or worker process starts with no safeguarding lead
    (config/wsgi.py, the worker_ready signal in config/celery.py). One query; never stops the
    process: the deploy check (`check --deploy --database default`) is the gate."""
    import logging

    if check_safeguarding_lead()["status"] == "error":
        logging.getLogger("config.health").error(
            "%s started with NO SAFEGUARDING LEAD: safeguarding alerts reach only the administrators. "
            "Give a user the safeguarding lead role now.",
            where,
        )
