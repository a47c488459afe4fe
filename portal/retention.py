"""Retention: personal data past its period is deleted or anonymised by a scheduled task.

Each app registers a function that enforces its own rules; this module runs them all (nightly,
`portal.tasks.enforce_retention`). The shared core's own rules, in `enforce` below:

- An account whose email address was never verified is deleted
  PORTAL_UNVERIFIED_ACCOUNT_DAYS (default 30) after sign-up: with mandatory verification it was
  never usable, and the address may not be the person's own. Staff accounts (made by
  administrators) and youth forum members (who have no email of their own) are never touched.
- Expired sessions are deleted (Django keeps them otherwise; they hold who was signed in).
- Access log entries (`AccessLogEntry`) are deleted PORTAL_ACCESS_LOG_RETENTION_DAYS (default
  2190, six years) after they were written.
"""

import logging
from datetime import timedelta

from django.utils import timezone

from .conf import setting_int
from .optional import import_if_present

logger = logging.getLogger(__name__)

RETENTION_MODULES = (
    "feedback.retention", "surveys.retention", "youthforum.retention", "cms.retention",
    "portal.retention",
)


def unverified_account_days() -> int:
    return setting_int("PORTAL_UNVERIFIED_ACCOUNT_DAYS", 30)


def access_log_retention_days() -> int:
    return setting_int("PORTAL_ACCESS_LOG_RETENTION_DAYS", 6 * 365)


def enforce(now=None) -> dict[str, int]:
    """The shared core's own rules (see the module docstring)."""
    from allauth.account.models import EmailAddress
    from django.contrib.sessions.models import Session

    from .models import AccessLogEntry, User
    from .roles import STAFF_ROLES, group_name

    now = now or timezone.now()
    unverified = (
        User.objects.filter(
            created_at__lt=now - timedelta(days=unverified_account_days()),
            last_login__isnull=True, is_staff=False, is_superuser=False,
        )
        .exclude(pk__in=EmailAddress.objects.filter(verified=True).values("user_id"))
        .exclude(groups__name__in=[group_name(r) for r in STAFF_ROLES])
    )
    members = import_if_present("youthforum.models")
    if members is not None:
        unverified = unverified.exclude(pk__in=members.Member.objects.values("user_id"))
    accounts = 0
    for user in unverified.distinct():
        user.delete()
        accounts += 1
    sessions, _ = Session.objects.filter(expire_date__lt=now).delete()
    entries, _ = AccessLogEntry.objects.filter(
        created_at__lt=now - timedelta(days=access_log_retention_days())
    ).delete()
    return {"unverified_accounts_deleted": accounts, "expired_sessions_deleted": sessions,
            "access_log_entries_deleted": entries}


def retention_enforce(*, now=None) -> dict[str, int]:
    now = now or timezone.now()
    results: dict[str, int] = {}
    for name in RETENTION_MODULES:
        module = import_if_present(name)
        if module is None:
            continue
        for key, count in module.enforce(now=now).items():
            results[f"{name.split('.')[0]}.{key}"] = count
    logger.info("Retention enforced: %s", results)
    return results
