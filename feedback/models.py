"""Feedback from every channel, its analysis, and the engagement team's triage of it.

The text people wrote is split in two on purpose: `FeedbackOriginal` holds what they typed (and
any contact details) and only the safeguarding lead may read it; `FeedbackItem.redacted_text`
is what everyone else sees, filled in by the analysis pipeline (`feedback.analysis`). Until an
item has been analysed nobody but the safeguarding lead sees any of its text.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from portal.models import Objective


class Channel(models.TextChoices):
    WEB_FORM = "web_form", "Web form"
    SURVEY = "survey", "Survey"
    YOUTH_FORUM = "youth_forum", "Youth forum"
    FOCUS_GROUP = "focus_group", "Focus group"
    SEND_CONVERSATION = "send_conversation", "SEND conversation"
    KEEP_IN_TOUCH = "keep_in_touch", "Parent carer forum 'keep in touch' meeting"
    SOUNDING_BOARD = "sounding_board", "Sounding board"
    HELPDESK = "helpdesk", "Helpdesk"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"
    OTHER = "other", "Other"


OFFLINE_CHANNELS = [
    Channel.FOCUS_GROUP,
    Channel.SEND_CONVERSATION,
    Channel.KEEP_IN_TOUCH,
    Channel.SOUNDING_BOARD,
    Channel.HELPDESK,
    Channel.EMAIL,
    Channel.PHONE,
    Channel.OTHER,
]


class Audience(models.TextChoices):
    PARENT_CARER = "parent_carer", "Parent or carer"
    YOUNG_PERSON = "young_person", "Young person"
    PROFESSIONAL = "professional", "Professional"
    UNKNOWN = "unknown", "Not known"


class Locality(models.TextChoices):
    NONE = "", "Not given"
    NORTH = "north", "North"
    CENTRAL = "central", "Central"
    SOUTH = "south", "South"


class Sentiment(models.TextChoices):
    NEGATIVE = "negative", "Negative"
    NEUTRAL = "neutral", "Neutral"
    POSITIVE = "positive", "Positive"


class QuoteModeration(models.TextChoices):
    """Where a channel has a moderator (the youth forum), whether the moderator let the words
    be shared. Channels without a moderator leave it blank."""

    NOT_MODERATED = "", "No moderation step"
    PENDING = "pending", "Waiting for a moderator"
    APPROVED = "approved", "Approved by a moderator"
    HIDDEN = "hidden", "Hidden by a moderator"


class FeedbackItemQuerySet(models.QuerySet):
    def quotable(self):
        """Items that may be quoted anonymously (`quotable_q`)."""
        return self.filter(quotable_q())


class FeedbackItem(models.Model):
    """One piece of feedback, whatever channel it came through.

    Used by the engagement team (triage inbox in the Wagtail admin), board packs and "You said,
    we did" pages. Only redacted text lives here.
    """

    class Status(models.TextChoices):
        NEW = "new", "New"
        TRIAGED = "triaged", "Triaged"
        ACTIONED = "actioned", "Actioned"
        RESPONDED = "responded", "Responded"
        CLOSED = "closed", "Closed"

    class AnalysisState(models.TextChoices):
        PENDING = "pending", "Waiting for analysis"
        DONE = "done", "Analysed"
        FAILED = "failed", "Analysis failed"

    class SetAside(models.TextChoices):
        NO = "", "No"
        SPAM = "spam", "Spam"
        EMPTY = "empty", "No content"

    channel = models.CharField(max_length=30, choices=Channel.choices)
    audience = models.CharField(max_length=20, choices=Audience.choices, default=Audience.UNKNOWN)
    locality = models.CharField(max_length=10, choices=Locality.choices, blank=True, default="")
    received_at = models.DateTimeField(db_index=True, help_text="When the feedback was given.")
    source_ref = models.CharField(
        max_length=120,
        blank=True,
        default="",
        help_text="Link back to where it came from, e.g. 'surveys.answer:123'.",
    )
    consent_to_quote = models.BooleanField(
        default=False, help_text="The person agreed that we may quote them anonymously."
    )
    wants_reply = models.BooleanField(default=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback_entered",
        help_text="Staff member who entered or imported it.",
    )

    # Filled in by the analysis pipeline.
    redacted_text = models.TextField(blank=True, default="")
    analysis_state = models.CharField(
        max_length=10, choices=AnalysisState.choices, default=AnalysisState.PENDING, db_index=True
    )
    analysed_at = models.DateTimeField(null=True, blank=True)
    analysis_attempts = models.PositiveSmallIntegerField(default=0)
    analysis_error = models.TextField(blank=True, default="")
    redactions = models.JSONField(default=dict, blank=True, help_text="Count of redactions by type.")
    sentiment = models.CharField(max_length=10, choices=Sentiment.choices, blank=True, default="")
    polarity = models.FloatField(null=True, blank=True)
    subjectivity = models.FloatField(null=True, blank=True)
    key_phrases = models.JSONField(default=list, blank=True)
    safeguarding = models.BooleanField(
        default=False, help_text="May suggest a child is at risk: never published or quoted."
    )
    set_aside = models.CharField(max_length=10, choices=SetAside.choices, blank=True, default="")
    # Set by the channel's moderation through `feedback.services.feedback_quote_moderation_set`.
    quote_moderation = models.CharField(
        max_length=10,
        choices=QuoteModeration.choices,
        blank=True,
        default="",
        help_text="For channels with a moderator: only approved words may be quoted.",
    )
    themes = models.ManyToManyField("Theme", through="ItemTheme", related_name="items", blank=True)

    # Triage.
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW, db_index=True)
    close_reason = models.CharField(max_length=200, blank=True, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="feedback_owned",
        help_text="Person responsible for acting on it.",
    )
    owner_organisation = models.CharField(max_length=200, blank=True, default="")
    response_url = models.CharField(
        max_length=300, blank=True, default="", help_text="The 'You said, we did' page that answers it."
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FeedbackItemQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = "feedback item"
        indexes = [
            # The sweep every 10 s looks only at items waiting for (or failed) analysis.
            models.Index(
                fields=["id"],
                condition=Q(analysis_state__in=["pending", "failed"]),
                name="feedback_item_unanalysed",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_ref"], condition=~Q(source_ref=""), name="feedback_unique_source_ref"
            ),
        ]
        permissions = [
            ("view_original_text", "Can see the original, unredacted text and contact details"),
            ("triage_feedbackitem", "Can triage feedback (tags, status, owner, notes)"),
        ]

    def __str__(self):
        return f"Feedback #{self.pk} ({self.get_channel_display()}, {self.received_at:%d %b %Y})"

    @property
    def display_text(self) -> str:
        """Text safe for anyone but the safeguarding lead."""
        if self.analysis_state != self.AnalysisState.DONE:
            return "(waiting for redaction)"
        return self.redacted_text

    @property
    def may_quote(self) -> bool:
        """Whether this item may be quoted now, by the one rule (`quotable_q`), read from the
        database so a flag, an alert or a moderator's decision made since this object was
        loaded counts. Lists should use `FeedbackItem.objects.quotable()` instead."""
        return self.pk is not None and type(self).objects.quotable().filter(pk=self.pk).exists()


def quotable_q(prefix: str = "") -> Q:
    """The one rule for what may be quoted anonymously (board packs, "You said, we did" pages
    and quote proposals, the youth representative's report): the person agreed, the text has
    been redacted, it is not spam or empty, nothing about it suggested a child may be at risk
    (the flag, or an alert even if a re-analysis cleared the flag), and where a moderator looks
    at the words first, the moderator approved them: a view hidden "because it had personal
    details in it", or not looked at yet, is never quoted.

    `prefix` is the path from another model to the item (e.g. "item" from an ObjectiveTag), so
    a query over tags can apply the rule in the same join. Use `FeedbackItem.objects.quotable()`
    or `FeedbackItem.may_quote` rather than copying these conditions."""
    p = f"{prefix}__" if prefix else ""
    return Q(
        **{
            f"{p}consent_to_quote": True,
            f"{p}safeguarding": False,
            f"{p}set_aside": "",
            f"{p}analysis_state": FeedbackItem.AnalysisState.DONE,
            f"{p}quote_moderation__in": [QuoteModeration.NOT_MODERATED, QuoteModeration.APPROVED],
            f"{p}alert__isnull": True,
        }
    )


class FeedbackOriginal(models.Model):
    """What the person actually wrote, plus contact details. Seen only by the safeguarding lead
    (permission `feedback.view_original_text`); purged by `feedback.retention`."""

    item = models.OneToOneField(FeedbackItem, on_delete=models.CASCADE, related_name="original")
    text = models.TextField(blank=True, default="")
    contact_email = models.EmailField(blank=True, default="")
    contact_name = models.CharField(max_length=200, blank=True, default="")
    purged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "original feedback text"

    def __str__(self):
        return f"Original of #{self.item_id}"


class Theme(models.Model):
    """A short theme label ("ehcp timeliness") with the keywords that find it. The engagement
    team edits the taxonomy in the admin; themes link to the plan objectives they inform."""

    label = models.CharField(max_length=60, unique=True)
    keywords = models.TextField(
        help_text="One keyword or phrase per line (or comma separated). Matched as whole words, "
        "ignoring case; end a word with * to match any ending (e.g. 'exclu*').",
    )
    objectives = models.ManyToManyField(Objective, blank=True, related_name="feedback_themes")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["label"]

    def __str__(self):
        return self.label

    def keyword_list(self) -> list[str]:
        raw = self.keywords.replace(",", "\n").splitlines()
        return [k.strip().lower() for k in raw if k.strip()]


class ItemTheme(models.Model):
    """A theme found in an item, with the words that matched."""

    item = models.ForeignKey(FeedbackItem, on_delete=models.CASCADE, related_name="item_themes")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="item_themes")
    matched = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "theme"], name="feedback_unique_item_theme")]

    def __str__(self):
        return f"{self.item_id}: {self.theme}"


class ObjectiveTagQuerySet(models.QuerySet):
    def counted(self) -> models.QuerySet:
        """The one rule for "feedback about this objective", wherever a number is shown (the
        public tracker, the objective pages, board packs): tags suggested or confirmed, never
        rejected (triage lags behind intake, so waiting for confirmation would undercount), on
        items that finished analysis and were not set aside (spam, not about SEND)."""
        return self.filter(
            state__in=(ObjectiveTag.State.SUGGESTED, ObjectiveTag.State.CONFIRMED),
            item__set_aside="",
            item__analysis_state=FeedbackItem.AnalysisState.DONE,
        )


class ObjectiveTag(models.Model):
    """A plan objective an item is about: suggested by the pipeline, confirmed or changed by staff.
    What counts towards an objective's numbers is `ObjectiveTag.objects.counted()`."""

    class State(models.TextChoices):
        SUGGESTED = "suggested", "Suggested"
        CONFIRMED = "confirmed", "Confirmed"
        REJECTED = "rejected", "Rejected"

    item = models.ForeignKey(FeedbackItem, on_delete=models.CASCADE, related_name="objective_tags")
    objective = models.ForeignKey(Objective, on_delete=models.CASCADE, related_name="feedback_tags")
    state = models.CharField(max_length=10, choices=State.choices, default=State.SUGGESTED)
    confidence = models.FloatField(default=0.0)
    cues = models.JSONField(default=list, blank=True, help_text="Words that led to the suggestion.")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ObjectiveTagQuerySet.as_manager()

    class Meta:
        ordering = ["-confidence"]
        constraints = [
            models.UniqueConstraint(fields=["item", "objective"], name="feedback_unique_item_objective")
        ]

    def __str__(self):
        return f"{self.objective.code} ({self.get_state_display()}, {self.confidence:.2f})"


class SafeguardingAlert(models.Model):
    """Raised when feedback suggests a child or young person may be at risk. The safeguarding
    lead gets an email and works the queue in the admin. One alert per item, ever."""

    class State(models.TextChoices):
        OPEN = "open", "Open"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        CLOSED = "closed", "Closed"

    item = models.OneToOneField(FeedbackItem, on_delete=models.CASCADE, related_name="alert")
    reasons = models.JSONField(default=list)
    state = models.CharField(max_length=15, choices=State.choices, default=State.OPEN)
    notified_at = models.DateTimeField(null=True, blank=True)
    # When the administrators were told because no one held the safeguarding lead role
    # (`notified_at` stays empty then, so the first lead appointed still gets the alert).
    admins_notified_at = models.DateTimeField(null=True, blank=True)
    # When an alert nobody acknowledged was sent on to the deputy and the administrators.
    escalated_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    notes = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Safeguarding alert for #{self.item_id} ({self.get_state_display()})"


class School(models.Model):
    """A school whose name is redacted from feedback: in a small county a named school can
    identify a child. Seeded from `feedback/data/schools.txt`; editable in the admin."""

    name = models.CharField(max_length=200, unique=True)
    aliases = models.TextField(blank=True, default="", help_text="Other names, one per line.")
    locality = models.CharField(max_length=10, choices=Locality.choices, blank=True, default="")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def all_names(self) -> list[str]:
        return [self.name, *[a.strip() for a in self.aliases.splitlines() if a.strip()]]


class TriageNote(models.Model):
    """A note the engagement team adds while working an item."""

    item = models.ForeignKey(FeedbackItem, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Note on #{self.item_id}"


class AuditEntry(models.Model):
    """Who changed what on a feedback item, and when. Written by every triage service; never
    edited. Read by the safeguarding lead and auditors."""

    item = models.ForeignKey(FeedbackItem, on_delete=models.CASCADE, related_name="audit")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=40)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "audit entries"

    def __str__(self):
        return f"#{self.item_id} {self.action} by {self.actor or 'system'}"


class ItemAnalysis(models.Model):
    """What the pipeline found about one item beyond the fields on `FeedbackItem`: which version
    of the pipeline and of its trained models produced it, the language it is written in, and
    the evidence behind a safeguarding flag. Written by `feedback.services.feedback_analyse`
    (one row per item, replaced on re-analysis).

    `needs_translation` routes text not written in English to a person: English redaction
    cannot be trusted on it, so its `redacted_text` is a withheld message naming the language.
    `safeguarding_evidence` is for the safeguarding lead (the alert screen): the phrases that
    matched (redacted), the trained screen's score and threshold, and which part raised it."""

    item = models.OneToOneField(FeedbackItem, on_delete=models.CASCADE, related_name="analysis_detail")
    version = models.CharField(
        max_length=80, blank=True, default="", help_text="Pipeline version + trained model version."
    )
    language = models.CharField(max_length=12, default="en", help_text="ISO 639-1 code, e.g. 'pl'.")
    language_name = models.CharField(max_length=40, blank=True, default="English")
    needs_translation = models.BooleanField(default=False, db_index=True)
    safeguarding_score = models.FloatField(
        null=True, blank=True, help_text="The trained screen's probability that a child may be at risk."
    )
    safeguarding_evidence = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "item analysis"
        verbose_name_plural = "item analyses"

    def __str__(self):
        return f"Analysis of #{self.item_id} ({self.version})"


class AnalysisModel(models.Model):
    """A trained set of the pipeline's learned models (safeguarding screen, sentiment, objective
    suggestions) as joblib bytes, with the figures it was chosen on. At most one is active: the
    one every worker uses (`feedback.learning.models_current`). Written by
    `manage.py train_analysis_models` (`learning.model_adopt`); a candidate trained with extra
    labels is stored the same way once it has been evaluated and adopted."""

    version = models.CharField(max_length=64, unique=True)
    data = models.BinaryField()
    metrics = models.JSONField(default=dict, blank=True, help_text="Cross-validated figures, thresholds.")
    training = models.JSONField(default=dict, blank=True, help_text="What it was trained on.")
    is_active = models.BooleanField(default=False)
    adopted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="feedback_one_active_analysis_model"
            )
        ]

    def __str__(self):
        return f"Analysis models {self.version}{' (active)' if self.is_active else ''}"


class StaffLabel(models.Model):
    """One triage decision kept as a training label (`feedback.labels`): a confirmed or
    rejected objective tag, an alert the safeguarding lead closed as "not a concern", an item
    staff said should have been flagged. Why: every decision staff make corrects the pipeline;
    `manage.py retrain_analysis_models` trains a candidate on these and adopts it only if the
    held-out figures are no worse. The text trained on is the item's redacted text, read at
    training time (never the original)."""

    class Kind(models.TextChoices):
        OBJECTIVE_CONFIRMED = "objective_confirmed", "Objective confirmed"
        OBJECTIVE_REJECTED = "objective_rejected", "Objective rejected"
        NOT_A_CONCERN = "not_a_concern", "Not a safeguarding concern"
        SHOULD_HAVE_FLAGGED = "should_have_flagged", "Should have been flagged"

    item = models.ForeignKey(FeedbackItem, on_delete=models.CASCADE, related_name="staff_labels")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    value = models.CharField(max_length=40, blank=True, default="", help_text="e.g. the objective code.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"#{self.item_id} {self.kind} {self.value}".strip()
