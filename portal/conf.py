"""The one reader for app settings: Django settings first, then the environment, then a default.

Apps keep their own settings in `<app>/conf.py` (so no shared settings file needs editing) and
read them through these functions. A value that is set but malformed raises
ImproperlyConfigured, naming the setting, exactly as `portal/settings/env.py` does for the
settings modules: `FEEDBACK_ORIGINAL_RETENTION_DAYS=90d` must stop the site, never quietly
become the default. `portal.checks` calls every app's readers at start-up (`manage.py check`),
so a bad value is found before a request or a retention run meets it.
"""

import os
from datetime import date

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _raw(name: str) -> str | None:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    return None if value is None else str(value).strip()


def setting_str(name: str, default: str) -> str:
    raw = _raw(name)
    return default if raw is None else raw


def setting_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = _raw(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def setting_float(name: str, default: float) -> float:
    raw = _raw(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from exc


def setting_dates(name: str) -> frozenset[date]:
    """Comma-separated ISO dates (e.g. office closures)."""
    days = set()
    for part in setting_str(name, "").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            days.add(date.fromisoformat(part))
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}: {part!r} is not a date like 2026-12-24") from exc
    return frozenset(days)
