"""Retention across the platform, run nightly by `privacy.tasks.enforce_retention`.

Each app enforces its own periods in `<app>/retention.py` (`enforce(now) -> counts`); this is
the one list of them. The shared core runs last, and keeps every account an app still needs
(youth forum members have no verified email, so the core alone would delete them).
"""

import logging

from django.utils import timezone

import cms.retention
import feedback.retention
import portal.retention
import surveys.retention
import youthforum.retention

logger = logging.getLogger(__name__)

APP_RETENTION = (
    ("feedback", feedback.retention),
    ("surveys", surveys.retention),
    ("youthforum", youthforum.retention),
    ("cms", cms.retention),
)


def retention_enforce(*, now=None) -> dict[str, int]:
    now = now or timezone.now()
    results: dict[str, int] = {}
    for app, module in APP_RETENTION:
        for key, count in module.enforce(now=now).items():
            results[f"{app}.{key}"] = count
    kept = youthforum.retention.accounts_kept()
    for key, count in portal.retention.enforce(now=now, keep_user_ids=kept).items():
        results[f"portal.{key}"] = count
    logger.info("Retention enforced: %s", results)
    return results
