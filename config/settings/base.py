"""Settings shared by every environment. Values come from environment variables.

Local defaults are safe for a laptop: SQLite, Celery tasks run in-process, email printed to the
console. Production (`config.settings.production`) removes the defaults that must never reach a
real deployment.
"""

import ipaddress
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from portal.conf import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
PORTAL_DIR = BASE_DIR / "portal"

SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Our apps, bottom layer first (the layers are import-linter contracts in pyproject.toml).
INSTALLED_APPS = [
    "portal",
    "feedback",
    "surveys",
    "youthforum",
    "cms",
    "boardpacks",
    "privacy",
    "config",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.QueryStringNulMiddleware",
    "portal.middleware.SecurityHeadersMiddleware",
    "portal.middleware.DatabaseUnavailableMiddleware",
    # Serves cached public pages before sessions load (zero queries on a hit); see
    # docs/decisions/0050-cms-page-cache.md. Stays inside the security headers middleware.
    "cms.cache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.two_factor.StaffTwoFactorMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PORTAL_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "portal.context_processors.site_chrome",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        # A kept-open connection is checked before reuse, so after a database restart the
        # first request on each worker reconnects instead of failing.
        conn_health_checks=True,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-allauth: email is the only identifier; parents and professionals sign themselves up,
# staff accounts are made by administrators (portal.adapters.AccountAdapter).
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SIGNUP_FORM_CLASS = "portal.forms.SignupForm"
ACCOUNT_SESSION_REMEMBER = False
# Per connection only: per account, sign-in slows down instead of locking (portal.ratelimit),
# so nobody can shut a named person out by typing wrong passwords.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env_str("LOGIN_FAILED_RATE", "5/5m/ip"),
    "signup": env_str("SIGNUP_RATE", "20/h/ip"),
    # Per address, every email a visitor can have sent to an address they type (sign-up,
    # reset, unknown account) shares ACCOUNT_EMAILS_PER_ADDRESS, enforced quietly by the
    # adapter: a 429 per address here would differ from the usual page.
    "reset_password": "20/h/ip",
}
ACCOUNT_EMAILS_PER_ADDRESS = env_int("ACCOUNT_EMAILS_PER_ADDRESS", 3)
# Subjects start with WAGTAIL_SITE_NAME (portal.adapters.AccountAdapter.format_email_subject).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("MFA_TOTP_ISSUER", "SEND Voice")
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:home"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"
WAGTAILADMIN_LOGIN_URL = "account_login"
# Wagtail's own reset has no limit and no second factor; allauth's is the only reset route.
WAGTAIL_PASSWORD_RESET_ENABLED = False
# Per-account sign-in slow-down (portal.ratelimit): after this many failures in the window,
# each attempt waits a delay that doubles, up to the maximum (seconds).
LOGIN_ACCOUNT_SLOWDOWN_AFTER = env_int("LOGIN_ACCOUNT_SLOWDOWN_AFTER", 10)
LOGIN_ACCOUNT_WINDOW = env_int("LOGIN_ACCOUNT_WINDOW", 15 * 60)
LOGIN_ACCOUNT_MAX_DELAY = env_int("LOGIN_ACCOUNT_MAX_DELAY", 60)

# Addresses (or networks) of our own reverse proxies. Only a connection from one of these may
# say who the client is (X-Forwarded-For); from anyone else the header is ignored, so it
# cannot be spoofed to dodge a limit. Empty: no proxy, REMOTE_ADDR is the client.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
for _proxy in TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError as _exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_proxy!r} is not an IP address or network") from _exc
# allauth asks portal.adapters.AccountAdapter.get_client_ip, which applies TRUSTED_PROXIES;
# its own header counting stays off so there is one rule, not two.
ALLAUTH_TRUSTED_PROXY_COUNT = 0

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Built front end (govuk-frontend + our Sass) lands here; it is not committed.
STATICFILES_DIRS = [PORTAL_DIR / "frontend" / "dist"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Bodies larger than this get a clear 413 page rather than a crash.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Cache: Redis when named (shared by web processes, needed for rate limits in production),
# in-process otherwise.
CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "sendvoice",
            # Fail fast when Redis is down: a page must not wait on the cache.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: a Redis broker when CELERY_BROKER_URL is set; otherwise tasks run in-process.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing must fail fast when Redis is down: the row is already committed and the sweep
# will pick it up, so a web request must never hang waiting for the broker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2, "max_retries": 0}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_WORKER_CONSUMER = "config.worker_consumer:PromptReconnectConsumer"
CELERY_TASK_PUBLISH_RETRY = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE

# Email: console locally, SMTP when EMAIL_HOST is set.
EMAIL_HOST = env_str("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    # For the file backend (a staging site, or the load test counting alert emails).
    EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", "") or None
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "SEND Voice <no-reply@send-voice.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Wagtail
WAGTAIL_SITE_NAME = env_str("SITE_NAME", "SEND Voice")
WAGTAILADMIN_BASE_URL = env_str("SITE_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
if IS_POSTGRES:
    WAGTAILSEARCH_BACKENDS["default"]["SEARCH_CONFIG"] = "english"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "rtf", "txt", "xlsx"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 5 * 1024 * 1024
WAGTAIL_ENABLE_UPDATE_CHECK = False
# No avatars from an outside service: it would be sent a hash of every staff address.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Token links (survey resume, youth forum sign-in, consent, reset) and search terms are
    # masked wherever a path is logged (portal/logmask.py; gunicorn's access log too).
    "filters": {"mask_tokens": {"()": "portal.logmask.MaskTokensFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["mask_tokens"]}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "django.request": {"filters": ["mask_tokens"]},
        "django.security.csrf": {"filters": ["mask_tokens"]},
        "django.server": {
            "filters": ["mask_tokens"],
            "handlers": ["console"],
            "level": "INFO",
            "propagate": False,
        },
    },
}

# Platform settings
SITE_BASE_URL = WAGTAILADMIN_BASE_URL
CMS_PAGE_CACHE_SECONDS = env_int("CMS_PAGE_CACHE_SECONDS", 600)
# Where a process keeps the analysis models it trained from the shipped data (feedback.learning),
# so the next process loads them instead of training again. Empty: no cache.
ANALYSIS_MODEL_CACHE_DIR = env_str("ANALYSIS_MODEL_CACHE_DIR", str(BASE_DIR / ".cache" / "analysis-models"))
