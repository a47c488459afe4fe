"""The SEND youth forum: members and their consent, prompts and views, dot-voting, meetings,
and the co-produced terms of reference.

Privacy by default (ICO Age Appropriate Design Code): a member is a nickname and an age band,
nothing more; contact goes through a parent/carer or worker email for under-16s. Nothing a
member writes is ever shown under their name, and other members only see views a moderator
approved, as the redacted text of the linked feedback item.
"""

from django.conf import settings
from django.db import models
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable


class AgeBand(models.TextChoices):
    AGE_11_12 = "11-12", "11 to 12"
    AGE_13_15 = "13-15", "13 to 15"
    AGE_16_17 = "16-17", "16 to 17"
    AGE_18_25 = "18-25", "18 to 25"


UNDER_16_BANDS = frozenset({AgeBand.AGE_11_12, AgeBand.AGE_13_15})


class Helper(models.TextChoices):
    """Who filled a form in: supported participation is recorded, never hidden."""

    SELF = "", "Me, on my own"
    WORKER = "worker", "A worker or teacher helping me"
    PARENT = "parent", "My parent or carer helping me"


class Feeling(models.TextChoices):
    """The emoji/picture scale. Emoji are always shown with their word (never alone)."""

    HAPPY = "happy", "😀 Happy"
    OKAY = "okay", "🙂 Okay"
    NOT_SURE = "not_sure", "😐 Not sure"
    SAD = "sad", "🙁 Sad"
    ANGRY = "angry", "😠 Angry"


class Member(models.Model):
    """A young person in the forum. Linked to a portal account (role young_person) that has no
    usable email or password of its own: members sign in with a link sent to `contact_email`.

    Used by the member pages and by moderators (engagement team) in the Wagtail admin.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="youth_member"
    )
    nickname = models.CharField(
        max_length=40, help_text="First name or nickname. Never shown to other members."
    )
    age_band = models.CharField(max_length=5, choices=AgeBand.choices)
    contact_email = models.EmailField(
        help_text="Where sign-in links go: the parent/carer or worker for under-16s."
    )
    joined_with = models.CharField(max_length=10, choices=Helper.choices, blank=True, default="")
    consent_given_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rejected_at = models.DateTimeField(null=True, blank=True)
    sign_in_nonce = models.PositiveIntegerField(default=0, help_text="Bumped when a sign-in link is used.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("moderate_forum", "Can approve members and moderate youth forum views")]

    def __str__(self):
        return f"Member #{self.pk} ({self.nickname})"

    @property
    def needs_consent(self) -> bool:
        return self.age_band in UNDER_16_BANDS

    @property
    def has_consent(self) -> bool:
        return not self.needs_consent or self.consent_given_at is not None

    @property
    def can_take_part(self) -> bool:
        return self.has_consent and self.approved_at is not None and self.rejected_at is None


class ConsentRequest(models.Model):
    """A parent/carer consent link for an under-16, and what was agreed: the date and the
    version of the wording shown. The link carries a signed token (nothing secret is stored)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="consents")
    email = models.EmailField()
    wording_version = models.CharField(max_length=20)
    sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_name = models.CharField(
        max_length=100, blank=True, default="", help_text="Name the parent or carer typed when agreeing."
    )
    expired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Consent request for member #{self.member_id}"


class Prompt(models.Model):
    """A question the engagement team asks the forum, with an easy-read version and a picture."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open for views"
        CLOSED = "closed", "Closed"

    question = models.CharField(max_length=200, help_text="E.g. 'What would make moving to college easier?'")
    easy_read_question = models.CharField(max_length=200, help_text="Short words, one idea.")
    easy_read_text = models.TextField(
        blank=True, default="", help_text="A few short sentences explaining the question."
    )
    picture_emoji = models.CharField(max_length=8, default="💬", help_text="One emoji shown as the picture.")
    picture_label = models.CharField(
        max_length=60, default="Talking", help_text="Words for the picture, read out by screen readers."
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Optional photo or drawing.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("question"),
        FieldPanel("easy_read_question"),
        FieldPanel("easy_read_text"),
        FieldRowPanel([FieldPanel("picture_emoji"), FieldPanel("picture_label")]),
        FieldPanel("image"),
        FieldPanel("status"),
    ]

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.question


class View(models.Model):
    """A member's answer to a prompt: words, a feeling from the emoji scale, or both.

    Drafts stay private. Sent views go into the feedback pipeline and wait for a moderator;
    only approved views (their redacted text, no name) are shown to other members.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Waiting for a moderator"
        APPROVED = "approved", "Shared with the forum"
        HIDDEN = "hidden", "Not shared"

    class HideReason(models.TextChoices):
        PERSONAL = "personal", "It had personal details in it"
        WORRY = "worry", "It told us something that worried us"
        UNKIND = "unkind", "It could upset other people"
        OFF_TOPIC = "off_topic", "It was about something else"
        OTHER = "other", "Another reason"

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="views")
    prompt = models.ForeignKey(Prompt, on_delete=models.CASCADE, related_name="views")
    words = models.TextField(blank=True, default="")
    feeling = models.CharField(max_length=10, choices=Feeling.choices, blank=True, default="")
    consent_to_quote = models.BooleanField(default=False)
    helped_by = models.CharField(max_length=10, choices=Helper.choices, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    hide_reason = models.CharField(max_length=10, choices=HideReason.choices, blank=True, default="")
    hide_note = models.CharField(
        max_length=300, blank=True, default="", help_text="A kind note the member will read."
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["member", "prompt"], name="youthforum_one_view_per_prompt")
        ]

    def __str__(self):
        return f"View #{self.pk} on prompt #{self.prompt_id}"

    @property
    def source_ref(self) -> str:
        return f"youthforum.view:{self.pk}"


class VoteRound(ClusterableModel):
    """Dot-voting on a shortlist of topics: each member gets `dots_per_member` dots."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open for voting"
        CLOSED = "closed", "Closed: results shown"

    title = models.CharField(max_length=200)
    easy_read_text = models.TextField(blank=True, default="")
    dots_per_member = models.PositiveSmallIntegerField(default=3)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("easy_read_text"),
        FieldPanel("dots_per_member"),
        FieldPanel("status"),
        InlinePanel("topics", label="Topic", heading="Shortlist of topics", min_num=2),
    ]

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.title


class Topic(Orderable):
    round = ParentalKey(VoteRound, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(max_length=120)
    picture_emoji = models.CharField(max_length=8, default="⭐")
    picture_label = models.CharField(max_length=60, default="Star")

    panels = [FieldPanel("title"), FieldRowPanel([FieldPanel("picture_emoji"), FieldPanel("picture_label")])]

    def __str__(self):
        return self.title


class Dot(models.Model):
    """The dots one member put on one topic. Detached from the member (member=None) when the
    member leaves after the round closed, so published results do not change."""

    round = models.ForeignKey(VoteRound, on_delete=models.CASCADE, related_name="dots")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="dots")
    member = models.ForeignKey(Member, on_delete=models.SET_NULL, null=True, blank=True, related_name="dots")
    count = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["topic", "member"], name="youthforum_one_dot_row")]

    def __str__(self):
        return f"{self.count} on {self.topic_id}"


class Meeting(models.Model):
    """A forum meeting: date, easy-read agenda, notes, and what happened to what members said."""

    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    place = models.CharField(max_length=200, help_text="E.g. 'Online (Teams)' or a public venue.")
    agenda = models.TextField(blank=True, default="")
    easy_read_agenda = models.TextField(blank=True, default="")
    notes = models.TextField(blank=True, default="", help_text="Notes after the meeting.")
    easy_read_notes = models.TextField(blank=True, default="")
    what_happened = models.TextField(
        blank=True, default="", help_text="What happened to what members said, in easy read."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("place")]),
        MultiFieldPanel([FieldPanel("agenda"), FieldPanel("easy_read_agenda")], heading="Agenda"),
        MultiFieldPanel(
            [FieldPanel("notes"), FieldPanel("easy_read_notes"), FieldPanel("what_happened")],
            heading="After the meeting",
        ),
    ]

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self):
        return f"{self.title} ({self.starts_at:%d %b %Y})"


class TermsVersion(models.Model):
    """One version of the forum's terms of reference. Drafts take comments from members; the
    published version is shown with the history of earlier ones."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft (members can comment)"
        PUBLISHED = "published", "Published"
        SUPERSEDED = "superseded", "Replaced by a newer version"

    number = models.PositiveSmallIntegerField(unique=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    body = models.TextField()
    easy_read_body = models.TextField(blank=True, default="")
    change_summary = models.CharField(
        max_length=300, blank=True, default="", help_text="What changed from the last version."
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("number"),
        FieldPanel("status"),
        FieldPanel("change_summary"),
        FieldPanel("body"),
        FieldPanel("easy_read_body"),
    ]

    class Meta:
        ordering = ["-number"]
        verbose_name = "terms of reference version"

    def __str__(self):
        return f"Terms of reference v{self.number} ({self.get_status_display()})"


class TermsComment(models.Model):
    """A member's comment on a draft of the terms of reference. Seen by moderators only."""

    version = models.ForeignKey(TermsVersion, on_delete=models.CASCADE, related_name="comments")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="terms_comments")
    text = models.TextField()
    helped_by = models.CharField(max_length=10, choices=Helper.choices, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Comment #{self.pk} on v{self.version_id}"
