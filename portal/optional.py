"""Import a module that an app may or may not provide (e.g. `feedback.roles`)."""

import importlib
from types import ModuleType


def import_if_present(name: str) -> ModuleType | None:
    """Return the module, or None if it does not exist. A module that exists but fails to
    import raises, so a broken file is never skipped silently."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name == name or name.startswith(f"{exc.name}."):
            return None
        raise
