"""Retention for feedback: original text and contact details are purged after
FEEDBACK_ORIGINAL_RETENTION_DAYS (default 365) from when the feedback was received. The redacted
text, analysis and triage history are kept: they hold no personal data.

Items with an open safeguarding alert keep their original until the alert is closed: the
safeguarding lead may still need it.

Text that has not been redacted yet (analysis pending or failed) is kept past the period, or
the redacted copy would be lost with it; such items wait under "Analysis failed" in the inbox.
Their contact details are purged on time all the same: redaction does not need them.
"""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from . import conf
from .models import FeedbackOriginal, SafeguardingAlert


def enforce(now=None) -> dict[str, int]:
    now = now or timezone.now()
    cutoff = now - timedelta(days=conf.original_retention_days())
    due = FeedbackOriginal.objects.filter(item__received_at__lt=cutoff, purged_at__isnull=True).exclude(
        item__alert__state__in=[SafeguardingAlert.State.OPEN, SafeguardingAlert.State.ACKNOWLEDGED]
    )
    purged = due.filter(item__analysis_state="done").update(
        text="", contact_email="", contact_name="", purged_at=now, updated_at=now
    )
    contacts = (
        due.exclude(item__analysis_state="done")
        .filter(~Q(contact_email="") | ~Q(contact_name=""))
        .update(contact_email="", contact_name="", updated_at=now)
    )
    return {"originals_purged": purged, "contacts_purged": contacts}
