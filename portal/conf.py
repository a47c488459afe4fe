"""Reading an app setting: Django settings first, then the environment, then a safe default.

Apps keep their own settings in `<app>/conf.py` (so no shared settings file needs editing) and
read whole-number values through `setting_int`.
"""

import os

from django.conf import settings


def setting_int(name: str, default: int) -> int:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, "")
    try:
        return int(value)
    except (TypeError, ValueError):
        return default
