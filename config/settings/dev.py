"""Local development: debug on, SQLite by default, tasks in-process, email to the console."""

from portal.conf import env_bool

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", True)
