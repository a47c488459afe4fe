"""Retention: personal data past its period is deleted or anonymised by a scheduled task.

Each app registers a function that enforces its own rules; this module runs them all.
"""

import logging

from django.utils import timezone

from .optional import import_if_present

logger = logging.getLogger(__name__)

RETENTION_MODULES = ("feedback.retention", "surveys.retention", "youthforum.retention")


def retention_enforce(*, now=None) -> dict[str, int]:
    now = now or timezone.now()
    results: dict[str, int] = {}
    for name in RETENTION_MODULES:
        module = import_if_present(name)
        if module is None:
            continue
        for key, count in module.enforce(now=now).items():
            results[f"{name.split('.')[0]}.{key}"] = count
    logger.info("Retention enforced: %s", results)
    return results
