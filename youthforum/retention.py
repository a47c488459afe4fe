"""Retention for the youth forum, run nightly by `privacy.tasks.enforce_retention`.

- A consent request nobody answered within YOUTHFORUM_CONSENT_EXPIRY_DAYS (default 30) expires,
  and the under-16 waiting for it is erased: we hold no data on a child whose parent never agreed.
- A request to join that a moderator turned down is erased after
  YOUTHFORUM_REJECTED_RETENTION_DAYS (default 30).
- A request to join that no moderator decided (approved or turned down) is erased after
  YOUTHFORUM_PENDING_RETENTION_DAYS (default 90) from joining: without it a young person's
  nickname and contact email would wait in the queue for ever.
Members who leave are erased at once (`services.member_leave`), so nothing waits for them here.
"""

from datetime import timedelta

from django.utils import timezone

from . import conf
from .models import ConsentRequest, Member
from .services import member_erase


def enforce(now=None) -> dict[str, int]:
    now = now or timezone.now()
    expired = ConsentRequest.objects.filter(
        confirmed_at__isnull=True,
        expired_at__isnull=True,
        created_at__lt=now - timedelta(days=conf.consent_expiry_days()),
    )
    expired_count = expired.update(expired_at=now, updated_at=now)
    erased = 0
    waiting = (
        Member.objects.filter(consent_given_at__isnull=True, consents__expired_at__isnull=False)
        .exclude(consents__expired_at__isnull=True)
        .distinct()
    )
    for member in waiting:
        if member.needs_consent:
            member_erase(member=member)
            erased += 1
    rejected = Member.objects.filter(rejected_at__lt=now - timedelta(days=conf.rejected_retention_days()))
    for member in rejected:
        member_erase(member=member)
        erased += 1
    undecided = Member.objects.filter(
        approved_at__isnull=True,
        rejected_at__isnull=True,
        created_at__lt=now - timedelta(days=conf.pending_retention_days()),
    )
    for member in undecided:
        member_erase(member=member)
        erased += 1
    return {"consent_requests_expired": expired_count, "members_erased": erased}


def accounts_kept():
    """Accounts the core's "never verified" rule must leave alone: members sign in by link and
    have no verified email of their own."""
    return Member.objects.values("user_id")
