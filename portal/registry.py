"""Fan-out from the shared core to the apps above it, without importing them.

The core must not import the apps that depend on it (import-linter enforces it), yet some of
its jobs need every app: the roles' permissions (`<app>/roles.py`) and the settings check
(`<app>/conf.py`). Each app offers a module of the agreed name; this finds them through
Django's app registry, the same way Django finds `admin.py`. An app that is installed but has
a broken module raises: nothing is skipped quietly.
"""

from importlib import import_module
from pathlib import Path
from types import ModuleType

from django.apps import apps
from django.conf import settings
from django.utils.module_loading import module_has_submodule


def _ours(config) -> bool:
    # Only this project's apps: a third-party app's `conf.py` is not ours to call.
    path = Path(config.path).resolve()
    return path.is_relative_to(Path(settings.BASE_DIR).resolve()) and "site-packages" not in path.parts


def app_modules(submodule: str) -> list[ModuleType]:
    """`<app>.<submodule>` for every installed app of this project that has one, in
    INSTALLED_APPS order."""
    found = []
    for config in apps.get_app_configs():
        if _ours(config) and module_has_submodule(config.module, submodule):
            found.append(import_module(f"{config.name}.{submodule}"))
    return found
