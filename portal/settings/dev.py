"""Local development: debug on, SQLite by default, tasks in-process, email to the console."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DEBUG", True)
