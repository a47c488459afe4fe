"""Test settings: fast hashing, plain static storage, tasks eager unless a test starts a worker.

DATABASE_URL and CELERY_BROKER_URL still come from the environment so CI runs the same suite
against PostgreSQL and Redis.
"""

from portal.conf import env_str

from .base import *  # noqa: F403

SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A worker started by a test writes mail to files the test can read (tests/worker.py).
EMAIL_BACKEND = env_str("TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", "/tmp/send-voice-test-mail")  # noqa: S108  # nosec B108
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
# Tests that need a real worker switch this off for their own duration (tests/worker.py).
CELERY_TASK_ALWAYS_EAGER = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
ALLOWED_HOSTS = ["*"]
WAGTAILADMIN_BASE_URL = "http://testserver"
SITE_BASE_URL = WAGTAILADMIN_BASE_URL
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
