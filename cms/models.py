"""Wagtail page types for the public site. Presentation only: fields, panels, search fields,
parent/subpage types, and `get_context()`/routes that call `cms.selectors` for their data."""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import model_from_serializable_data
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, Panel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from portal import ratelimit
from portal import selectors as plan_selectors
from portal.models import Objective, Plan

from . import selectors
from .blocks import BodyBlock

EASY_READ_HELP = "The same in easy read: short sentences, everyday words, one idea per sentence."


class CachedPageMixin:
    """Pages served from the page cache to anonymous visitors (see `cms.cache`). Pages with a
    form (and so a CSRF token) or per-visitor results switch it off."""

    page_cache = True


class HomePage(CachedPageMixin, Page):
    """The front door for families, young people and professionals: what the site is for and
    where to go next."""

    intro = models.TextField(blank=True, help_text="One or two plain sentences under the title.")
    easy_read_intro = models.TextField(
        blank=True,
        help_text="The same in easy read: short sentences, everyday words.",
    )
    body = StreamField(BodyBlock(), blank=True, use_json_field=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("easy_read_intro"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["plan"] = plan_selectors.plan_get_current()
        context["latest_updates"] = selectors.yswd_latest(limit=3)
        return context


class PlanTrackerPage(CachedPageMixin, RoutablePageMixin, Page):
    """The public tracker of the improvement plan at /plan/: every priority area and objective
    with its BRAG rating and history, deadline, KPIs with charts and their direction of travel,
    the feedback tagged to each objective and the "You said, we did" updates that answer it."""

    intro = models.TextField(blank=True)
    easy_read_intro = models.TextField(blank=True)
    body = StreamField(BodyBlock(), blank=True, use_json_field=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("easy_read_intro"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["cms.HomePage"]
    max_count = 1

    def _plan(self, request) -> Plan:
        code = request.GET.get("plan")
        plan = Plan.objects.filter(code=code).first() if code else None
        plan = plan or plan_selectors.plan_get_current()
        if plan is None:
            raise Http404("No plan has been loaded yet.")
        return plan

    @path("")
    def tracker(self, request):
        plan = self._plan(request)
        tree = plan_selectors.plan_tree(plan)
        return self.render(
            request,
            context_overrides={
                "plan": plan,
                "plans": plan_selectors.plan_list(),
                "tree": tree,
                "kpis": plan_selectors.kpis_with_readings(plan),
                "feedback_by_objective": selectors.plan_feedback(plan).volume_by_objective,
            },
        )

    @path("area/<str:code>/")
    def area(self, request, code):
        plan = self._plan(request)
        block = selectors.area_get(plan, code)
        if block is None:
            raise Http404("No such priority area in this plan.")
        objectives = block["objectives"]
        feedback = selectors.plan_feedback(plan)
        return self.render(
            request,
            template="cms/plan_area_page.html",
            context_overrides={
                "plan": plan,
                "area": block["area"],
                "objectives": objectives,
                "feedback_by_objective": feedback.volume_by_objective,
                "feedback": feedback.area(block["area"].pk),
                "updates": selectors.yswd_for_objectives(objectives),
                "kpis": selectors.kpis_for_objectives(plan, objectives),
            },
        )

    @path("objective/<str:code>/")
    def objective(self, request, code):
        plan = self._plan(request)
        objective = plan_selectors.objective_get(plan, Objective.code_from_url(code))
        if objective is None:
            raise Http404("No such objective in this plan.")
        return self.render(
            request,
            template="cms/plan_objective_page.html",
            context_overrides={
                "plan": plan,
                "objective": objective,
                "kpis": selectors.kpis_for_objectives(plan, [objective]),
                "feedback": selectors.plan_feedback(plan).objective(objective.pk),
                "updates": selectors.yswd_for_objectives([objective]),
            },
        )


# --- "You said, we did" ------------------------------------------------------------------------


class ActionStatus(models.TextChoices):
    """Where the action stands. "Could not do" always carries the reason, as good councils
    publish it."""

    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    COULD_NOT_DO = "could_not_do", "Could not do"


STATUS_TAG_CLASSES = {
    ActionStatus.PLANNED: "govuk-tag--grey",
    ActionStatus.IN_PROGRESS: "govuk-tag--blue",
    ActionStatus.DONE: "govuk-tag--green",
    ActionStatus.COULD_NOT_DO: "govuk-tag--red",
}


class YouSaidWeDidIndexPage(CachedPageMixin, RoutablePageMixin, Page):
    """The public record at /you-said-we-did/: every update, filterable by objective, priority
    area, theme, audience, status and year, with an Atom/RSS feed and a young people's view
    (`?view=young`, linked from the youth forum)."""

    intro = models.TextField(blank=True, help_text="One or two plain sentences under the title.")
    easy_read_intro = models.TextField(blank=True, help_text=EASY_READ_HELP)
    body = StreamField(BodyBlock(), blank=True, use_json_field=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("easy_read_intro"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.YouSaidWeDidPage"]
    max_count = 1

    @path("")
    def listing(self, request):
        filters = selectors.yswd_filters_parse(request.GET)
        young = request.GET.get("view") == "young"
        pages = selectors.yswd_list(index=self, filters=filters, young=young)
        context = {
            "filters": filters,
            "options": selectors.yswd_filter_options(index=self),
            "young": young,
            "page_obj": selectors.paginate(pages, request.GET.get("page"), per_page=20),
            "status_choices": ActionStatus.choices,
        }
        if young:
            # The young people's view is always easy read: bigger text, pictures.
            context["easy_read"] = True
            return self.render(request, template="cms/you_said_we_did_young.html", context_overrides=context)
        return self.render(request, context_overrides=context)

    @path("feed/", name="atom")
    def atom_feed(self, request):
        from .feeds import YouSaidWeDidAtomFeed

        return YouSaidWeDidAtomFeed(self)(request)

    @path("rss/", name="rss")
    def rss_feed(self, request):
        from .feeds import YouSaidWeDidRssFeed

        return YouSaidWeDidRssFeed(self)(request)


# The text the builder starts a draft with (`cms.services.yswd_draft_create`). A page still
# carrying any of it, or with nothing in a field the page and the reply email tell people, is not
# fit to publish or to email: a published placeholder once went to 117 people (issue 19).
BUILDER_SUMMARY_PLACEHOLDER = "Write a short summary here."
BUILDER_ACTION_PLACEHOLDER = "Write what we did here."
BUILDER_PARTNER_PLACEHOLDER = "To be confirmed"
BUILDER_PLACEHOLDERS = (BUILDER_SUMMARY_PLACEHOLDER, BUILDER_ACTION_PLACEHOLDER, BUILDER_PARTNER_PLACEHOLDER)
PUBLISHED_FIELDS = {"summary": "what you said", "action": "what we did", "partner": "who is doing it"}

# Which feedback a public page may answer: the editor's rule, the builder's and publishing's.
ANSWERABLE_ITEMS = {"safeguarding": False, "set_aside": "", "analysis_state": "done"}


def _normalised(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def yswd_placeholder_errors(**fields: str) -> dict[str, str]:
    """Errors for the published fields (summary, action, partner) that are empty or still hold
    the builder's placeholder text. Shared by page validation, the editor form and sending."""
    errors = {}
    for name, value in fields.items():
        label = PUBLISHED_FIELDS.get(name, name)
        text = _normalised(value)
        if not text:
            errors[name] = f"Write {label} before publishing: the page and the reply email show it."
        elif any(_normalised(p) in text for p in BUILDER_PLACEHOLDERS):
            placeholder = next(p for p in BUILDER_PLACEHOLDERS if _normalised(p) in text)
            errors[name] = (
                f"Replace the builder's placeholder text ('{placeholder}') with {label} before publishing."
            )
    return errors


class YouSaidWeDidPageForm(WagtailAdminPageForm):
    """The editor's form. It tells the page's clean() whether this submission is meant to go
    live (Publish, or Submit for approval), so publishing a page that still holds the builder's
    placeholder text, or answers feedback a public page may not, is refused with the reason on
    the field, while a draft may still be saved half written. (The instance's own `live` cannot
    say: a new page is live=True until Wagtail saves it as a draft.)"""

    def clean(self):
        cleaned = super().clean()
        self.instance._going_live = "action-publish" in self.data or "action-submit" in self.data
        return cleaned


class FeedbackLinksPanel(Panel):
    """The feedback a page answers, summarised: how many, how many quoted, the first few, and a
    link to the full, paginated list where quotes are changed and links removed. It replaces an
    inline panel that rendered a select of every answerable item for every link (11.5 MB and
    about 15 s for 121 links); the links stay in the page revision, which the editor keeps."""

    SHOWN = 10

    class BoundPanel(Panel.BoundPanel):
        template_name = "cms/admin/panels/feedback_links.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            page = self.instance
            context.update(selectors.yswd_links_summary(page, shown=self.panel.SHOWN))
            context["page"] = page
            return context


class YouSaidWeDidPage(CachedPageMixin, Page):
    """One "You said, we did" update: what people said (a summary and consented, redacted
    quotes), what the partnership did about it (the action, who owns it, its status), the plan
    objectives and themes it answers, and how many pieces of feedback it responds to.

    Built by the engagement team from a triaged group of feedback items; publishing it marks
    those items "responded" and tells the people who asked for a reply (`cms.services`)."""

    summary = models.TextField(
        verbose_name="What you said",
        help_text="A short, fair summary of what people told us. Do not name anyone.",
    )
    action = models.TextField(
        verbose_name="What we did", help_text="What we did or will do about it, in plain words."
    )
    partner = models.CharField(
        max_length=200,
        verbose_name="Who is doing it",
        help_text="The partner organisation that owns the action, e.g. Oxfordshire County Council.",
    )
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    status_reason = models.TextField(
        blank=True,
        verbose_name="Why we could not do it",
        help_text="Needed when the status is 'Could not do': explain why, honestly.",
    )
    feedback_from = models.DateField(null=True, blank=True, help_text="The earliest feedback this answers.")
    feedback_to = models.DateField(null=True, blank=True, help_text="The latest feedback this answers.")
    action_date = models.DateField(
        default=timezone.localdate,
        verbose_name="Date of this update",
        help_text="When the action was done, or the date of this progress update.",
    )
    easy_read_summary = models.TextField(
        blank=True, help_text=EASY_READ_HELP + " Needed for the young people's view."
    )
    easy_read_picture = models.CharField(
        max_length=8, blank=True, default="💬", help_text="An emoji shown beside the easy read text."
    )
    objectives = ParentalManyToManyField(
        Objective,
        blank=True,
        related_name="you_said_we_did_pages",
        help_text="The plan objectives this answers.",
    )
    themes = ParentalManyToManyField(
        "feedback.Theme",
        blank=True,
        related_name="you_said_we_did_pages",
        help_text="The feedback themes this answers.",
    )
    body = StreamField(
        BodyBlock(),
        blank=True,
        use_json_field=True,
        help_text="Anything else worth saying: pictures, links, next steps.",
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("summary"), FeedbackLinksPanel(heading="Feedback this answers")],
            heading="What you said",
        ),
        MultiFieldPanel(
            [FieldPanel("action"), FieldPanel("partner"), FieldPanel("status"), FieldPanel("status_reason")],
            heading="What we did",
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("feedback_from"), FieldPanel("feedback_to")]),
                FieldPanel("action_date"),
            ],
            heading="Dates",
        ),
        MultiFieldPanel([FieldPanel("objectives"), FieldPanel("themes")], heading="What it answers"),
        MultiFieldPanel(
            [FieldPanel("easy_read_picture"), FieldPanel("easy_read_summary")], heading="Easy read"
        ),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("action"),
        index.SearchField("partner"),
        index.SearchField("easy_read_summary"),
        index.FilterField("status"),
    ]
    parent_page_types = ["cms.YouSaidWeDidIndexPage"]
    subpage_types: list[str] = []
    base_form_class = YouSaidWeDidPageForm

    class Meta:
        verbose_name = "'You said, we did' page"

    def clean(self):
        super().clean()
        errors: dict[str, list[str]] = {}
        if self.status == ActionStatus.COULD_NOT_DO and not (self.status_reason or "").strip():
            errors["status_reason"] = ["Say why we could not do it."]
        if self.feedback_from and self.feedback_to and self.feedback_from > self.feedback_to:
            errors["feedback_to"] = ["This must be on or after the earliest date."]
        going_live = getattr(self, "_going_live", None)  # set by the editor's form
        if going_live is None:
            # Every way of publishing saves the page with live=True, and Page.save() then runs
            # full_clean(): so no service, shell or scheduled publish can put a placeholder live.
            going_live = self.live
        if going_live:
            for name, message in self.placeholder_errors().items():
                errors.setdefault(name, []).append(message)
            refused = selectors.yswd_items_refused_messages(
                [link.item_id for link in self.feedback_links.all()]
            )
            if refused:
                errors[NON_FIELD_ERRORS] = refused
        if errors:
            raise ValidationError(errors)

    def placeholder_errors(self) -> dict[str, str]:
        return yswd_placeholder_errors(**{name: getattr(self, name) for name in PUBLISHED_FIELDS})

    @classmethod
    def from_serializable_data(cls, data, check_fks=True, strict_fks=False):
        """A revision made into a page (the editor, previews, publishing) with one query for all
        its feedback links: modelcluster checks each child's foreign keys one by one, two
        queries a link, 1,000 for a 500-item draft. Same outcome: a link whose feedback item
        has been deleted is dropped, as the CASCADE would have."""
        links = data.get("feedback_links") if isinstance(data, dict) else None
        if not check_fks or not links:
            return super().from_serializable_data(data, check_fks, strict_fks)
        obj = super().from_serializable_data({**data, "feedback_links": []}, check_fks, strict_fks)
        if obj is None:
            return None
        item_model = YouSaidWeDidFeedback._meta.get_field("item").remote_field.model
        existing = set(
            item_model.objects.filter(pk__in={link.get("item") for link in links}).values_list(
                "pk", flat=True
            )
        )
        obj.feedback_links = [
            model_from_serializable_data(YouSaidWeDidFeedback, link, check_fks=False, strict_fks=True)
            for link in links
            if link.get("item") in existing
        ]
        return obj

    @property
    def status_tag_class(self) -> str:
        return STATUS_TAG_CLASSES.get(self.status, "govuk-tag--grey")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.yswd_detail(self))
        return context


class YouSaidWeDidFeedback(Orderable):
    """A feedback item a "You said, we did" page responds to, and whether to quote it. Quotes are
    shown only while the item may be quoted (consent, analysed, never safeguarding)."""

    page = ParentalKey(YouSaidWeDidPage, on_delete=models.CASCADE, related_name="feedback_links")
    item = models.ForeignKey(
        "feedback.FeedbackItem", on_delete=models.CASCADE, related_name="+", limit_choices_to=ANSWERABLE_ITEMS
    )
    quote = models.BooleanField(default=False, help_text="Quote the redacted text on the page.")

    panels = [FieldPanel("item"), FieldPanel("quote")]

    class Meta(Orderable.Meta):
        verbose_name = "feedback answered"

    def clean(self):
        super().clean()
        if self.quote and self.item_id and not self.item.may_quote:
            raise ValidationError(
                {"quote": "This person did not agree to be quoted, or the feedback cannot be published."}
            )


class ReplySend(models.Model):
    """One confirmed send of reply emails for a published "You said, we did" page: the exact
    subject and bodies the staff member saw in the preview (one body per group of recipients),
    who confirmed it, and whether they stopped it. Its recipients are sent in batches by
    `cms.tasks.send_reply_batch`. Written by `cms.services.yswd_replies_start`/`_stop`."""

    page = models.ForeignKey(YouSaidWeDidPage, on_delete=models.CASCADE, related_name="reply_sends")
    page_url = models.CharField(max_length=300)
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The live revision previewed.",
    )
    subject = models.CharField(max_length=200)
    bodies = models.JSONField(default=dict, help_text="Group of recipients -> the exact email text.")
    batch_size = models.PositiveIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Replies for page {self.page_id} ({self.created_at:%d %b %Y %H:%M})"


class ReplyRecipient(models.Model):
    """One person (one email address) a send will email, by the feedback items they left it on:
    the address itself stays in `FeedbackOriginal`, so retention and erasure still reach it.

    The state is the exactly-once guard: a batch claims a person by moving QUEUED to SENDING in
    one conditional UPDATE (so two runs of the same batch cannot both claim them), sends, then
    marks SENT. A send that fails goes back to QUEUED for the retry. A worker killed between the
    claim and the mark leaves SENDING: we cannot know whether the mail server took the email, so
    it is shown to staff as "not confirmed" and never sent again."""

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting"
        SENDING = "sending", "Not confirmed"
        SENT = "sent", "Sent"
        STOPPED = "stopped", "Stopped"
        SKIPPED = "skipped", "Skipped (contact details deleted)"

    send = models.ForeignKey(ReplySend, on_delete=models.CASCADE, related_name="recipients")
    batch = models.PositiveIntegerField()
    items = models.JSONField(default=list, help_text="The feedback item ids this person left.")
    group = models.CharField(max_length=20)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    sent_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["send", "batch", "state"], name="cms_reply_batch_state")]

    def __str__(self):
        return f"Reply {self.pk} ({self.get_state_display()})"


# --- Standard pages, news and events -----------------------------------------------------------


class StandardPage(CachedPageMixin, Page):
    """A plain content page (about us, how to get involved) with the shared body."""

    summary = models.TextField(blank=True, help_text="One or two plain sentences under the title.")
    easy_read_summary = models.TextField(blank=True, help_text=EASY_READ_HELP)
    body = StreamField(BodyBlock(), blank=True, use_json_field=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("easy_read_summary"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["cms.HomePage", "cms.StandardPage"]


class NewsIndexPage(CachedPageMixin, Page):
    """The list of news stories, newest first."""

    intro = models.TextField(blank=True)
    easy_read_intro = models.TextField(blank=True, help_text=EASY_READ_HELP)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("easy_read_intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["page_obj"] = selectors.paginate(selectors.news_list(self), request.GET.get("page"))
        return context


class NewsPage(CachedPageMixin, Page):
    """A news story for families and professionals."""

    date = models.DateField(default=timezone.localdate)
    summary = models.TextField(help_text="One or two plain sentences: shown in lists and feeds.")
    easy_read_summary = models.TextField(blank=True, help_text=EASY_READ_HELP)
    body = StreamField(BodyBlock(), blank=True, use_json_field=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("summary"),
        FieldPanel("easy_read_summary"),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types: list[str] = []


class EventKind(models.TextChoices):
    SEND_CONVERSATION = "send_conversation", "SEND conversation"
    WEBINAR = "webinar", "Webinar"
    YOUTH_FORUM = "youth_forum", "Youth forum meeting"
    OTHER = "other", "Other event"


class EventIndexPage(CachedPageMixin, Page):
    """Upcoming and past events: SEND conversations, webinars and youth forum meetings."""

    intro = models.TextField(blank=True)
    easy_read_intro = models.TextField(blank=True, help_text=EASY_READ_HELP)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("easy_read_intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.EventPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(selectors.events_split(self))
        return context


class EventPage(CachedPageMixin, Page):
    """One event: when and where, who it is for, how to book."""

    kind = models.CharField(max_length=30, choices=EventKind.choices, default=EventKind.SEND_CONVERSATION)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    location = models.CharField(max_length=250, help_text="A place, or 'Online (Microsoft Teams)'.")
    audience = models.CharField(
        max_length=200, blank=True, help_text="Who it is for, e.g. 'Parents and carers'."
    )
    booking_url = models.URLField(blank=True, help_text="Where to book, if booking is needed.")
    summary = models.TextField(help_text="One or two plain sentences: shown in lists.")
    easy_read_summary = models.TextField(blank=True, help_text=EASY_READ_HELP)
    body = StreamField(BodyBlock(), blank=True, use_json_field=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("kind"),
        FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
        FieldPanel("location"),
        FieldPanel("audience"),
        FieldPanel("booking_url"),
        FieldPanel("summary"),
        FieldPanel("easy_read_summary"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("location"),
    ]
    parent_page_types = ["cms.EventIndexPage"]
    subpage_types: list[str] = []

    def clean(self):
        super().clean()
        if self.ends_at and self.starts_at and self.ends_at < self.starts_at:
            raise ValidationError({"ends_at": "The end must be after the start."})


# --- Newsletter --------------------------------------------------------------------------------


class NewsletterAudience(models.TextChoices):
    PARENT_CARER = "parent_carer", "Parents and carers"
    PROFESSIONAL = "professional", "Professionals"


class NewsletterSubscription(models.Model):
    """Someone who asked for the newsletter. Double opt-in: nothing is sent but the confirmation
    email until they click its link; every email carries an unsubscribe link. Used by the
    engagement team's newsletter sends (`cms.services.newsletter_issue_send`)."""

    email = models.EmailField()
    audience = models.CharField(max_length=20, choices=NewsletterAudience.choices)
    confirm_token = models.CharField(max_length=64, unique=True)
    unsubscribe_token = models.CharField(max_length=64, unique=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["email", "audience"], name="cms_newsletter_unique_email_audience")
        ]

    def __str__(self):
        return f"{self.email} ({self.get_audience_display()})"

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class NewsletterPage(RoutablePageMixin, Page):
    """Sign up to the newsletter for parents/carers or for professionals, confirm, unsubscribe.
    Not cached: the form carries a CSRF token."""

    page_cache = False

    intro = models.TextField(blank=True)
    easy_read_intro = models.TextField(blank=True, help_text=EASY_READ_HELP)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("easy_read_intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    @path("")
    def signup(self, request):
        from . import services
        from .forms import NewsletterForm

        form = NewsletterForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if not services.newsletter_signup_allowed(client=ratelimit.client_key(request)):
                form.add_error(
                    None, "We have had a lot of sign-ups from your connection. Please try again in an hour."
                )
                response = self.render(request, context_overrides={"form": form})
                response.status_code = 429
                return response
            services.newsletter_subscribe(
                email=form.cleaned_data["email"], audience=form.cleaned_data["audience"]
            )
            return redirect(self.url + self.reverse_subpage("check_email"))
        return self.render(request, context_overrides={"form": form})

    @path("check-your-email/", name="check_email")
    def check_email(self, request):
        return self.render(
            request,
            template="cms/newsletter_message.html",
            context_overrides={
                "heading": "Check your email",
                "message": "If the address is right, we have sent you an email. Open the link in it "
                "to confirm. You will not get any newsletters until you do.",
            },
        )

    @path("confirm/<str:token>/", name="confirm")
    def confirm(self, request, token):
        from . import services

        if request.method == "POST":
            ok = services.newsletter_confirm(token=token)
            return self.render(
                request,
                template="cms/newsletter_message.html",
                context_overrides={
                    "heading": "You are signed up" if ok else "This link has expired",
                    "message": (
                        "Thank you. Every newsletter has a link to unsubscribe."
                        if ok
                        else "Sign up again to get a new link."
                    ),
                },
            )
        return self.render(
            request,
            template="cms/newsletter_action.html",
            context_overrides={"heading": "Confirm your sign-up", "button": "Confirm sign-up"},
        )

    @path("unsubscribe/<str:token>/", name="unsubscribe")
    def unsubscribe(self, request, token):
        from . import services

        if request.method == "POST":
            services.newsletter_unsubscribe(token=token)
            return self.render(
                request,
                template="cms/newsletter_message.html",
                context_overrides={
                    "heading": "You have unsubscribed",
                    "message": "We will not send you the newsletter again.",
                },
            )
        return self.render(
            request,
            template="cms/newsletter_action.html",
            context_overrides={"heading": "Unsubscribe from the newsletter", "button": "Unsubscribe"},
        )


# --- Search ------------------------------------------------------------------------------------


class SearchPage(Page):
    """Site search at /search/ across every public page (Wagtail search: PostgreSQL full text on
    PostgreSQL, SQLite FTS otherwise). Not cached: results depend on the query."""

    page_cache = False

    content_panels = list(Page.content_panels)
    parent_page_types = ["cms.HomePage"]
    subpage_types: list[str] = []
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        query = (request.GET.get("q") or "").replace("\x00", "").strip()[:200]
        context["query"] = query
        context["page_obj"] = (
            selectors.paginate(selectors.site_search(query), request.GET.get("page"), per_page=20)
            if query
            else None
        )
        return context
