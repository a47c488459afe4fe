"""Survey settings, read from Django settings or the environment with safe defaults, so that
no shared settings file needs editing. The small-number threshold of results shown outside the
engagement team is the one `SMALL_NUMBER_THRESHOLD` of every surface (`portal.disclosure`)."""

from portal.conf import setting_int as _int


def invitation_valid_days() -> int:
    """How long an invitation link works after it is created."""
    return _int("SURVEYS_INVITATION_VALID_DAYS", 28)


def reminder_interval_days() -> int:
    """Days between the invitation (or the last reminder) and the next reminder."""
    return _int("SURVEYS_REMINDER_INTERVAL_DAYS", 7)


def reminder_max() -> int:
    """Reminders sent at most per invitation."""
    return _int("SURVEYS_REMINDER_MAX", 2)


def draft_retention_days() -> int:
    """Unfinished answers are deleted this many days after they were last touched."""
    return _int("SURVEYS_DRAFT_RETENTION_DAYS", 60)


def invitation_retention_days() -> int:
    """Invitation emails, names and references are erased this many days after expiry."""
    return _int("SURVEYS_INVITATION_RETENTION_DAYS", 90)


def free_text_retention_days() -> int:
    """Free-text answers are replaced by their redacted text this many days after submission
    (the same period as original feedback text, which they also become)."""
    return _int("SURVEYS_FREE_TEXT_RETENTION_DAYS", 365)


def short_text_max() -> int:
    return _int("SURVEYS_SHORT_TEXT_MAX", 500)


def long_text_max() -> int:
    return _int("SURVEYS_LONG_TEXT_MAX", 5000)


def rate_limit() -> tuple[int, int]:
    """(new responses or submissions, seconds) allowed per client on open surveys."""
    return _int("SURVEYS_RATE_LIMIT_COUNT", 30), _int("SURVEYS_RATE_LIMIT_SECONDS", 3600)


def resume_emails_per_address() -> int:
    """How many "email me the link" emails one address can be sent in an hour."""
    return _int("SURVEYS_RESUME_EMAILS_PER_ADDRESS", 3)


def upload_max_rows() -> int:
    return _int("SURVEYS_UPLOAD_MAX_ROWS", 5000)
