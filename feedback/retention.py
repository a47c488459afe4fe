"""Retention for feedback: original text and contact details are purged after
FEEDBACK_ORIGINAL_RETENTION_DAYS (default 365) from when the feedback was received. The redacted
text, analysis and triage history are kept: they hold no personal data.

Items with an open safeguarding alert keep their original until the alert is closed: the
safeguarding lead may still need it.
"""

from datetime import timedelta

from django.utils import timezone

from . import conf
from .models import FeedbackOriginal, SafeguardingAlert


def enforce(now=None) -> dict[str, int]:
    now = now or timezone.now()
    cutoff = now - timedelta(days=conf.original_retention_days())
    due = FeedbackOriginal.objects.filter(item__received_at__lt=cutoff, purged_at__isnull=True).exclude(
        item__alert__state__in=[SafeguardingAlert.State.OPEN, SafeguardingAlert.State.ACKNOWLEDGED]
    )
    # Never purge text that has not been redacted yet: the redacted copy would be lost with it.
    due = due.filter(item__analysis_state="done")
    purged = due.update(text="", contact_email="", contact_name="", purged_at=now, updated_at=now)
    return {"originals_purged": purged}
