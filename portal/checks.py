"""System check: every app setting read through `portal.conf` is valid at start-up.

A malformed value (`FEEDBACK_ORIGINAL_RETENTION_DAYS=90d`) used to become the default without a
word; now the reader raises, and this check calls every reader so `manage.py check` (run by
`migrate`, `runserver`, CI and the deploy steps) names the bad setting before anything runs.
A setting that was renamed (`portal.conf.RENAMED_SETTINGS`) and is still set, in Django
settings or the environment, is an error too: nobody's threshold is dropped without a word.
"""

import inspect
import os

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from .conf import RENAMED_SETTINGS
from .registry import app_modules


def _readers(module):
    for name, fn in inspect.getmembers(module, inspect.isfunction):
        if fn.__module__ != module.__name__ or name.startswith("_"):
            continue
        params = inspect.signature(fn).parameters.values()
        if all(p.default is not inspect.Parameter.empty for p in params):
            yield name, fn


@checks.register()
def app_settings_are_valid(app_configs=None, **kwargs):
    errors = []
    # Every app's `conf.py`: its public zero-argument functions read settings.
    for module in app_modules("conf"):
        for name, reader in _readers(module):
            try:
                reader()
            except ImproperlyConfigured as exc:
                errors.append(checks.Error(str(exc), obj=f"{module.__name__}.{name}", id="portal.E001"))
    return errors


def _is_set(name: str) -> bool:
    return hasattr(settings, name) or name in os.environ


@checks.register()
def renamed_settings_are_not_set(app_configs=None, **kwargs):
    return [
        checks.Error(
            f"{old} is no longer read: rename it to {new} (one threshold for every surface "
            f"that shows counts outside the engagement team).",
            obj=old,
            id="portal.E002",
        )
        for old, new in RENAMED_SETTINGS.items()
        if _is_set(old)
    ]
