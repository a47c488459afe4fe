"""Reading an app setting: Django settings first, then the environment, then a safe default.

Apps keep their own settings in `<app>/conf.py` (so no shared settings file needs editing) and
read them through `setting_str` and `setting_int`.
"""

import os

from django.conf import settings


def setting_str(name: str, default: str) -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return str(value)


def setting_int(name: str, default: int) -> int:
    try:
        return int(setting_str(name, ""))
    except ValueError:
        return default
