"""Retention of the shared core's own data, run nightly with every app's rules by
`privacy.retention.retention_enforce`:

- An account whose email address was never verified is deleted
  PORTAL_UNVERIFIED_ACCOUNT_DAYS (default 30) after sign-up: with mandatory verification it was
  never usable, and the address may not be the person's own. Staff accounts (made by
  administrators) and accounts an app still needs (`keep_user_ids`: youth forum members, who
  have no email of their own) are never touched.
- Expired sessions are deleted (Django keeps them otherwise; they hold who was signed in).
- Access log entries (`AccessLogEntry`) are deleted PORTAL_ACCESS_LOG_RETENTION_DAYS (default
  2190, six years) after they were written.
"""

from datetime import timedelta

from django.utils import timezone

from .conf import setting_int


def unverified_account_days() -> int:
    return setting_int("PORTAL_UNVERIFIED_ACCOUNT_DAYS", 30)


def access_log_retention_days() -> int:
    return setting_int("PORTAL_ACCESS_LOG_RETENTION_DAYS", 6 * 365)


def enforce(now=None, keep_user_ids=None) -> dict[str, int]:
    """The shared core's own rules (see the module docstring). `keep_user_ids`: a queryset of
    user ids that other apps still need."""
    from allauth.account.models import EmailAddress
    from django.contrib.sessions.models import Session

    from .models import AccessLogEntry, User
    from .roles import STAFF_ROLES, group_name

    now = now or timezone.now()
    unverified = (
        User.objects.filter(
            created_at__lt=now - timedelta(days=unverified_account_days()),
            last_login__isnull=True,
            is_staff=False,
            is_superuser=False,
        )
        .exclude(pk__in=EmailAddress.objects.filter(verified=True).values("user_id"))
        .exclude(groups__name__in=[group_name(r) for r in STAFF_ROLES])
    )
    if keep_user_ids is not None:
        unverified = unverified.exclude(pk__in=keep_user_ids)
    accounts = 0
    for user in unverified.distinct():
        user.delete()
        accounts += 1
    sessions, _ = Session.objects.filter(expire_date__lt=now).delete()
    entries, _ = AccessLogEntry.objects.filter(
        created_at__lt=now - timedelta(days=access_log_retention_days())
    ).delete()
    return {
        "unverified_accounts_deleted": accounts,
        "expired_sessions_deleted": sessions,
        "access_log_entries_deleted": entries,
    }
