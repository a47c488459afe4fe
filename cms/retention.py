"""Retention for the newsletter list, run nightly by `privacy.tasks.enforce_retention`.

- A sign-up never confirmed is deleted CMS_NEWSLETTER_UNCONFIRMED_DAYS (default 30) after it
  was made: double opt-in means we never email it, so there is no reason to keep the address
  (it may not even be the person's own).
- Someone who unsubscribed is deleted CMS_NEWSLETTER_UNSUBSCRIBED_DAYS (default 30) later. No
  suppression list is needed: nothing is sent without a fresh confirmation.
Confirmed, current subscribers are kept until they unsubscribe.
"""

from datetime import timedelta

from django.utils import timezone

from . import conf
from .models import NewsletterSubscription


def enforce(now=None) -> dict[str, int]:
    now = now or timezone.now()
    unconfirmed, _ = NewsletterSubscription.objects.filter(
        confirmed_at__isnull=True,
        unsubscribed_at__isnull=True,
        created_at__lt=now - timedelta(days=conf.newsletter_unconfirmed_days()),
    ).delete()
    unsubscribed, _ = NewsletterSubscription.objects.filter(
        unsubscribed_at__lt=now - timedelta(days=conf.newsletter_unsubscribed_days())
    ).delete()
    return {"newsletter_unconfirmed_deleted": unconfirmed, "newsletter_unsubscribed_deleted": unsubscribed}
