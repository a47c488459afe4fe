"""The one reader for configuration, with one policy: a value that is set but malformed raises
ImproperlyConfigured naming the setting; it never quietly becomes the default
(`FEEDBACK_ORIGINAL_RETENTION_DAYS=90d` must stop the site, not mean 365).

- `env_*`: the environment only, for the settings modules (`config/settings/`), which run
  before Django settings exist.
- `setting_*`: app settings, Django settings first, then the environment, then a default. Apps
  keep theirs in `<app>/conf.py` (so no shared settings file needs editing); `portal.checks`
  calls every app's readers at start-up (`manage.py check`), so a bad value is found before a
  request or a retention run meets it.
"""

import os
from datetime import date

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _whole_number(name: str, raw: str) -> int:
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


# --- The environment (settings modules) ------------------------------------------------------


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return _whole_number(name, raw)


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# --- App settings (`<app>/conf.py`) ----------------------------------------------------------


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
    value = _whole_number(name, raw)
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


# --- Settings of the shared core -------------------------------------------------------------

# Settings that were renamed: still setting the old name is a start-up error (`portal.checks`),
# never silently ignored. Old name -> new name.
RENAMED_SETTINGS = {
    "BOARDPACKS_SMALL_NUMBER_THRESHOLD": "SMALL_NUMBER_THRESHOLD",
    "SURVEYS_SMALL_NUMBER_THRESHOLD": "SMALL_NUMBER_THRESHOLD",
}


def small_number_threshold() -> int:
    """Counts of people from 1 to this minus one are never shown outside the engagement team
    (`portal.disclosure`). One setting for every surface: survey results, the public plan
    tracker, board packs and the youth forum."""
    return setting_int("SMALL_NUMBER_THRESHOLD", 5, minimum=1)
