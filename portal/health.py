"""Health checks behind /healthz: the database and the Celery broker."""

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

    from .models import WorkerHeartbeat

    try:
        latest = WorkerHeartbeat.objects.order_by("-seen_at").first()
    except Exception as exc:
        return {"status": "unknown", "error": exc.__class__.__name__}
    if latest is None:
        return {"status": "unknown", "seconds_since_heartbeat": None}
    age = (timezone.now() - latest.seen_at).total_seconds()
    return {"status": "ok" if age < 180 else "stale", "seconds_since_heartbeat": round(age)}


def check_all() -> dict:
    checks = {"database": check_database(), "broker": check_broker()}
    status = "ok" if all(c["status"] == "ok" for c in checks.values()) else "error"
    return {"status": status, **checks, "worker": worker_last_seen()}
