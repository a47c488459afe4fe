"""CMS settings, read from Django settings or the environment with safe defaults (no edits to
config/settings)."""

from portal.conf import setting_int as _int


def newsletter_unconfirmed_days() -> int:
    """A newsletter sign-up whose confirmation link was never used is deleted after this."""
    return _int("CMS_NEWSLETTER_UNCONFIRMED_DAYS", 30)


def newsletter_unsubscribed_days() -> int:
    """Someone who unsubscribed is deleted from the list this many days later."""
    return _int("CMS_NEWSLETTER_UNSUBSCRIBED_DAYS", 30)


def newsletter_rate_limit() -> tuple[int, int]:
    """Sign-ups one connection can make in the window (seconds), before a 429."""
    return _int("CMS_NEWSLETTER_RATE_LIMIT_COUNT", 10), _int("CMS_NEWSLETTER_RATE_LIMIT_SECONDS", 3600)


def newsletter_confirmations_per_address() -> int:
    """Confirmation emails one address can be sent in an hour; more asks are quietly not sent."""
    return _int("CMS_NEWSLETTER_CONFIRMATIONS_PER_ADDRESS", 3)


def reply_batch_size() -> int:
    """People emailed per Celery task when replies to a "You said, we did" page are sent."""
    return _int("CMS_REPLY_BATCH_SIZE", 50, minimum=1)


def reply_batch_seconds() -> int:
    """Seconds between the start of one reply batch and the next, so a mail relay's rate limit
    is not hit and staff have time to stop a send."""
    return _int("CMS_REPLY_BATCH_SECONDS", 30, minimum=0)


def page_cache_seconds() -> int:
    """How long a public page stays in the page cache (it is also purged on every change)."""
    return _int("CMS_PAGE_CACHE_SECONDS", 600, minimum=0)


def page_cache_variants() -> int:
    """Query-string variants of one path kept per cache generation (a flood cannot evict)."""
    return _int("CMS_PAGE_CACHE_VARIANTS", 50, minimum=1)
