"""Production: no insecure defaults. Refuses to start when a required value is missing."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from portal.conf import env_bool, env_int, env_list, env_str

from .base import *  # noqa: F403

SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY or SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured("SECRET_KEY must be set to a long random value in production.")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the site's host names in production.")

# Every emailed link (confirmations, resets, survey invitations, replies) is built from
# SITE_BASE_URL, never from the request's Host header; a wrong value sends people to the wrong
# place, so production refuses to start without a public https address.
SITE_BASE_URL = env_str("SITE_BASE_URL", "").rstrip("/")
_base = urlsplit(SITE_BASE_URL)
if (
    _base.scheme != "https"
    or not _base.hostname
    or _base.hostname in {"localhost", "127.0.0.1", "::1"}
    or _base.hostname.endswith(".localhost")
):
    raise ImproperlyConfigured(
        "SITE_BASE_URL must be the site's public https address in production, "
        "e.g. https://send.example.org (it is used for every link in emails)."
    )
WAGTAILADMIN_BASE_URL = SITE_BASE_URL

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
