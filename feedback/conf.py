"""Feedback settings, read from the environment with safe defaults (no edits to portal/settings)."""

import os

from django.conf import settings


def _int(name: str, default: int) -> int:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, "")
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def original_retention_days() -> int:
    """Days to keep original text and contact details after the item was received."""
    return _int("FEEDBACK_ORIGINAL_RETENTION_DAYS", 365)


def rate_limit() -> tuple[int, int]:
    """(submissions, seconds) allowed per client on the public form."""
    return _int("FEEDBACK_RATE_LIMIT_COUNT", 5), _int("FEEDBACK_RATE_LIMIT_SECONDS", 600)


def sweep_batch_size() -> int:
    return _int("FEEDBACK_SWEEP_BATCH", 200)


def sweep_min_age_seconds() -> int:
    """The sweep leaves items younger than this alone: their on-commit task is probably running."""
    return _int("FEEDBACK_SWEEP_MIN_AGE_SECONDS", 30)


def max_text_length() -> int:
    return _int("FEEDBACK_MAX_TEXT_LENGTH", 10000)
