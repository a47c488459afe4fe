"""System checks: every app setting read through `portal.conf` is valid at start-up.

A malformed value (`FEEDBACK_ORIGINAL_RETENTION_DAYS=90d`) used to become the default without a
word; now the reader raises, and this check calls every reader so `manage.py check` (run by
`migrate`, `runserver`, CI and the deploy steps) names the bad setting before anything runs.
"""

import inspect
from importlib import import_module

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

# Modules whose public zero-argument functions read settings.
CONF_MODULES = (
    "feedback.conf", "surveys.conf", "youthforum.conf", "cms.conf", "portal.boardpacks.conf",
)


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
    for path in CONF_MODULES:
        module = import_module(path)
        for name, reader in _readers(module):
            try:
                reader()
            except ImproperlyConfigured as exc:
                errors.append(checks.Error(str(exc), obj=f"{path}.{name}", id="portal.E001"))
    return errors
