"""Feedback settings, read from the environment with safe defaults (no edits to config/settings)."""

from portal.conf import setting_int as _int
from portal.conf import setting_str as _str


def original_retention_days() -> int:
    """Days to keep original text and contact details after the item was received."""
    return _int("FEEDBACK_ORIGINAL_RETENTION_DAYS", 365)


def rate_limit() -> tuple[int, int]:
    """(submissions, seconds) allowed per client on the public form."""
    return _int("FEEDBACK_RATE_LIMIT_COUNT", 5), _int("FEEDBACK_RATE_LIMIT_SECONDS", 600)


def sweep_batch_size() -> int:
    """Items the sweep reads per query."""
    return _int("FEEDBACK_SWEEP_BATCH", 200)


def sweep_max_seconds() -> int:
    """How long one sweep keeps working through a backlog before it lets the worker process go.
    Beat sends a sweep every 10 s, but only one runs at a time (a cache lock), so a sweep that is
    still working makes the next ones return at once; a backlog bigger than one sweep can clear
    is carried on by the next."""
    return _int("FEEDBACK_SWEEP_MAX_SECONDS", 18)


def sweep_min_age_seconds() -> int:
    """The sweep leaves items younger than this alone: their on-commit task is probably running."""
    return _int("FEEDBACK_SWEEP_MIN_AGE_SECONDS", 20)


def max_text_length() -> int:
    return _int("FEEDBACK_MAX_TEXT_LENGTH", 10000)


def alert_escalate_minutes() -> int:
    """Minutes an open safeguarding alert may go unacknowledged before it is escalated."""
    return _int("FEEDBACK_ALERT_ESCALATE_MINUTES", 60, minimum=1)


def safeguarding_deputy_emails() -> list[str]:
    """The deputy safeguarding lead(s) who receive escalations (comma-separated addresses)."""
    return _emails("FEEDBACK_SAFEGUARDING_DEPUTY_EMAILS")


def team_lead_emails() -> list[str]:
    """Who gets the daily overdue-triage email; empty means every engagement team user."""
    return _emails("FEEDBACK_TEAM_LEAD_EMAILS")


def triage_overdue_hours() -> int:
    """Hours (plain clock hours, not working hours) before an untriaged item counts as overdue;
    24 stands for "one working day"."""
    return _int("FEEDBACK_TRIAGE_OVERDUE_HOURS", 24, minimum=1)


def safeguarding_contact_phone() -> str:
    """The local children's services number shown to people after a worrying submission. Every
    area has its own, so none is built in: unset, the page names the service instead."""
    return _str("SAFEGUARDING_CONTACT_PHONE", "") or "your local council's children's services"


def _emails(name: str) -> list[str]:
    return [part.strip() for part in _str(name, "").split(",") if part.strip()]
