"""Surveys: what the engagement team builds, the versions respondents answer, invitations,
and the responses themselves.

Editors change `Survey` and its `Question`s freely. Publishing freezes the questions into a
`SurveyVersion` (a JSON definition); respondents always answer a version, so editing an open
survey creates a new version and never changes what earlier answers meant. Answers are keyed by
the question's stable `key`, so results and exports line up across versions.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable
from wagtail.search import index

from .questions import ConditionOp, Kind


class Audience(models.TextChoices):
    PARENT_CARER = "parent_carer", "Parents and carers"
    YOUNG_PERSON = "young_person", "Young people"
    PROFESSIONAL = "professional", "Professionals"


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    ARCHIVED = "archived", "Archived"


class Survey(index.Indexed, ClusterableModel):
    """A survey the engagement team builds in the admin and parents, young people or
    professionals answer at /surveys/<slug>/."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True, help_text="The web address: /surveys/<slug>/.")
    audience = models.CharField(max_length=20, choices=Audience.choices)
    intro = models.TextField(help_text="What the survey is about and how long it takes. Plain words.")
    easy_intro = models.TextField(blank=True, help_text="The introduction in easy read.")
    privacy_notice = models.TextField(
        help_text="Who sees the answers, what they are used for and how long they are kept."
    )
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    anonymous = models.BooleanField(
        default=True, help_text="Anonymous: no names or emails are linked to answers in results."
    )
    open_to_anyone = models.BooleanField(
        default=True,
        help_text="Anyone with the web address can answer. Untick to allow only "
        "people with an invitation link.",
    )
    status = models.CharField(max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("slug"),
        FieldPanel("audience"),
        FieldPanel("intro"),
        FieldPanel("easy_intro"),
        FieldPanel("privacy_notice"),
        FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")], heading="Dates"),
        MultiFieldPanel([FieldPanel("anonymous"), FieldPanel("open_to_anyone")], heading="Who answers"),
        FieldPanel(
            "status",
            help_text="Opening the survey publishes the current questions as a new version if they changed.",
        ),
        InlinePanel("questions", label="Question", heading="Questions"),
    ]
    search_fields = [index.SearchField("title"), index.FilterField("status"), index.FilterField("audience")]

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("view_results", "Can see survey results"),
            ("export_responses", "Can export survey responses"),
            ("view_personal_data", "Can see respondents' personal data in exports"),
            ("send_invitations", "Can send survey invitations"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": "The closing date must be after the opening date."})

    def current_version(self):
        return self.versions.order_by("-number").first()


class Question(Orderable, ClusterableModel):
    """One question as the editor writes it. Frozen into the next `SurveyVersion` on publish."""

    survey = ParentalKey(Survey, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(
        max_length=60,
        help_text="A short stable name, e.g. 'overall-satisfaction'. Keep it when you "
        "reword a question so results and exports line up across versions.",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SINGLE)
    text = models.CharField(max_length=500, help_text="The question, as a short plain sentence.")
    help_text = models.CharField(max_length=500, blank=True)
    required = models.BooleanField(default=True)
    section = models.CharField(
        max_length=120, blank=True, help_text="Section heading shown above the question."
    )
    same_page_as_previous = models.BooleanField(
        default=False,
        help_text="Show on the same page as the question before. Leave unticked for "
        "one question per page (usually best).",
    )
    options = models.TextField(
        blank=True,
        help_text="Choices, one per line. For easy read wording add ' | ' then the "
        "simpler words. Used by single/multiple choice and ranking.",
    )
    statements = models.TextField(blank=True, help_text="Matrix statements, one per line (same format).")
    allow_other = models.BooleanField(default=False, verbose_name="Add 'Other, please say'")
    scale_points = models.PositiveSmallIntegerField(default=5, help_text="Rating scale: 2 to 10 points.")
    pictorial = models.BooleanField(
        default=False, help_text="Rating: show faces (5 points), good for young people."
    )
    min_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    easy_text = models.CharField(max_length=500, blank=True, verbose_name="Easy read wording")
    symbol = models.CharField(max_length=8, blank=True, help_text="An emoji or symbol shown in easy read.")
    easy_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    show_if_key = models.SlugField(
        max_length=60,
        blank=True,
        verbose_name="Show only if question",
        help_text="The key of an earlier question.",
    )
    show_if_op = models.CharField(
        max_length=10, choices=ConditionOp.choices, blank=True, verbose_name="Condition"
    )
    show_if_values = models.TextField(
        blank=True, verbose_name="Values", help_text="Option labels or values, one per line."
    )
    objectives = ParentalManyToManyField("portal.Objective", blank=True, related_name="survey_questions")
    kpi = models.ForeignKey(
        "portal.KPI", null=True, blank=True, on_delete=models.SET_NULL, related_name="survey_questions"
    )
    positive_values = models.TextField(
        blank=True,
        help_text="Answers counted as satisfied for the KPI, one per line (default: "
        "agree and strongly agree, or the top two points of a scale).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldRowPanel([FieldPanel("key"), FieldPanel("kind"), FieldPanel("required")]),
        FieldPanel("text"),
        FieldPanel("help_text"),
        FieldRowPanel([FieldPanel("section"), FieldPanel("same_page_as_previous")]),
        FieldPanel("options"),
        FieldPanel("allow_other"),
        FieldPanel("statements"),
        FieldRowPanel(
            [
                FieldPanel("scale_points"),
                FieldPanel("pictorial"),
                FieldPanel("min_value"),
                FieldPanel("max_value"),
            ]
        ),
        MultiFieldPanel(
            [FieldPanel("easy_text"), FieldPanel("symbol"), FieldPanel("easy_image")],
            heading="Easy read",
            classname="collapsed",
        ),
        MultiFieldPanel(
            [FieldPanel("show_if_key"), FieldPanel("show_if_op"), FieldPanel("show_if_values")],
            heading="Conditional logic",
            classname="collapsed",
        ),
        MultiFieldPanel(
            [FieldPanel("objectives"), FieldPanel("kpi"), FieldPanel("positive_values")],
            heading="Plan objectives and KPI",
            classname="collapsed",
        ),
    ]

    class Meta(Orderable.Meta):
        constraints = [models.UniqueConstraint(fields=["survey", "key"], name="surveys_unique_question_key")]

    def __str__(self):
        return self.text


class SurveyVersion(models.Model):
    """The questions of a survey frozen at publication. Responses belong to a version."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    definition = models.JSONField()
    definition_hash = models.CharField(max_length=64)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["survey", "number"]
        constraints = [models.UniqueConstraint(fields=["survey", "number"], name="surveys_unique_version")]

    def __str__(self):
        return f"{self.survey} v{self.number}"


class Invitation(models.Model):
    """A single-use link to a survey for one person. Only a hash of the link's token is kept;
    the email, name and reference are private and erased by retention."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    nonce = models.CharField(max_length=64, help_text="Secret input to the link token (with SECRET_KEY).")
    email = models.EmailField(blank=True)
    name = models.CharField(max_length=200, blank=True)
    reference = models.CharField(
        max_length=100, blank=True, help_text="e.g. EHCNA case number. Private: never shown in results."
    )
    send_at = models.DateTimeField(null=True, blank=True, help_text="Send later; empty means now.")
    sent_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    personal_data_erased_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["survey", "used_at"])]

    def __str__(self):
        return f"Invitation {self.pk} to {self.survey}"


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", "In progress"
    SUBMITTED = "submitted", "Submitted"


class Response(models.Model):
    """One person's answers to one survey version: a draft while they answer (kept on the
    server, keyed by an unguessable token, so nothing is lost to a time-out), then submitted."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="responses")
    status = models.CharField(max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT)
    audience = models.CharField(max_length=20, choices=Audience.choices)
    token_hash = models.CharField(max_length=64, unique=True, help_text="Hash of the resume token.")
    nonce = models.CharField(max_length=64, help_text="Secret input to the resume token (with SECRET_KEY).")
    idempotency_key = models.CharField(max_length=64, unique=True)
    answers = models.JSONField(default=dict, blank=True)
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="survey_responses",
    )
    resume_email = models.EmailField(blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    free_text_redacted_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When free-text answers were replaced by their redacted text (retention).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["survey", "status", "submitted_at"])]
        constraints = [
            # Belt and braces for single use: one submitted response per invitation.
            models.UniqueConstraint(
                fields=["invitation"],
                condition=Q(status="submitted"),
                name="surveys_one_submission_per_invitation",
            ),
        ]

    def __str__(self):
        return f"Response {self.pk} to {self.survey_id}"


class Answer(models.Model):
    """One submitted answer, one row per question key (and per 'other' text), for results."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answer_rows")
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="answers")
    question_key = models.CharField(max_length=70)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    value = models.JSONField()
    text = models.TextField(blank=True, help_text="Free text, kept so it can be fed to feedback.")
    fed_to_feedback_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["response", "id"]
        indexes = [
            models.Index(fields=["survey", "question_key"]),
            # The feed every 10 s looks only at answers not yet fed: a small partial index, so
            # it does not scan every answer ever given.
            models.Index(
                fields=["id"],
                condition=models.Q(fed_to_feedback_at__isnull=True),
                name="surveys_answer_unfed",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["response", "question_key"], name="surveys_one_answer_per_key")
        ]

    def __str__(self):
        return f"{self.question_key} of response {self.response_id}"
