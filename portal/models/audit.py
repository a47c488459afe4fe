from django.conf import settings
from django.db import models
from django.utils import timezone


class AccessLogEntry(models.Model):
    """One time personal data that other roles only ever see redacted was shown to, or taken
    out by, a member of staff: an original feedback text on the item or safeguarding screen, a
    survey export with respondents' details and unredacted answers, a subject access export run
    by the data protection officer, the contact emails of young people asking to join the
    youth forum on the moderation screen.

    Written by the services that disclose the data (`feedback.services.original_view`,
    `surveys.services.responses_export_audit`, `privacy.subject_access`), never edited, read by
    the safeguarding lead and administrators at /admin/access-log/. It records who, when, what
    and on which screen, never the text itself. `actor_label` keeps the person's email after
    their account is removed: accountability outlives the account. Entries are deleted after
    PORTAL_ACCESS_LOG_RETENTION_DAYS (`portal.retention`).
    """

    class Action(models.TextChoices):
        ORIGINAL_VIEWED = "original_viewed", "Saw original feedback text"
        EXPORT_PERSONAL = "export_personal", "Exported survey answers with personal data"
        SUBJECT_EXPORT = "subject_export", "Subject access export"
        SUBJECT_ERASE = "subject_erase", "Erasure of a person's data"
        CONTACTS_VIEWED = "contacts_viewed", "Saw youth forum members' contact details"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(
        max_length=254,
        blank=True,
        default="",
        help_text="Who it was (their email, or the command that ran), kept if the account goes.",
    )
    action = models.CharField(max_length=30, choices=Action.choices)
    object_type = models.CharField(max_length=60, help_text="What was seen, e.g. 'feedback.item'.")
    object_id = models.CharField(max_length=40, blank=True, default="")
    screen = models.CharField(max_length=100, help_text="Where: the page's name or the command.")
    reason = models.CharField(max_length=300, blank=True, default="")
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "access log entry"
        verbose_name_plural = "access log"
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.get_action_display()}: {self.object_type}:{self.object_id} by {self.actor_label}"
