"""The improvement plan that every piece of feedback is tied to.

A plan (the 2024 Priority Action Plan, the 2018 Written Statement of Action) has priority
areas, optional sub-themes, and objectives (PAP1:1 … PAP5D:1). Each objective carries a dated
history of BRAG ratings; KPIs carry a baseline, a target and dated readings, and their
direction of travel is derived from the readings, never typed in.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.search import index


class Rating(models.TextChoices):
    """BRAG ratings (2024 plan) plus Grey, which the 2018 WSoA used for work addressed through
    wider or alternative systems."""

    BLUE = "blue", "Blue"
    GREEN = "green", "Green"
    AMBER = "amber", "Amber"
    RED = "red", "Red"
    GREY = "grey", "Grey"


RATING_MEANINGS = {
    Rating.RED: "Actions delayed and impact not being delivered",
    Rating.AMBER: "Actions on track and expected impact on track",
    Rating.GREEN: "Action completed and early evidence of impact",
    Rating.BLUE: "Change is embedded, sustainable and ongoing evidence of impact",
    Rating.GREY: "Being addressed through wider or alternative systems",
}


class Plan(index.Indexed, models.Model):
    """An improvement plan the partnership reports on to its board (SIAB)."""

    class Scale(models.TextChoices):
        BRAG = "BRAG", "Blue / Red / Amber / Green"
        RAG = "RAG", "Red / Amber / Green (with Grey)"

    code = models.SlugField(max_length=40, unique=True, help_text="Short stable code, e.g. PAP-2024.")
    title = models.CharField(max_length=200)
    rating_scale = models.CharField(max_length=4, choices=Scale.choices, default=Scale.BRAG)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)
    source = models.CharField(max_length=200, blank=True, help_text="Where the plan text came from.")
    is_current = models.BooleanField(
        default=False,
        help_text="The plan feedback is tagged to and the public tracker shows first.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("code"),
        FieldPanel("title"),
        FieldPanel("rating_scale"),
        FieldPanel("starts_on"),
        FieldPanel("ends_on"),
        FieldPanel("summary"),
        FieldPanel("source"),
        FieldPanel("is_current"),
    ]
    search_fields = [index.SearchField("title"), index.FilterField("code")]

    class Meta:
        ordering = ["-is_current", "-starts_on", "code"]

    def __str__(self):
        return self.title


class PriorityArea(index.Indexed, ClusterableModel):
    """A priority action area (PAP1…PAP5), an Area for Improvement, or a 2018 area of weakness."""

    class Kind(models.TextChoices):
        PRIORITY_ACTION = "priority_action", "Priority action area"
        AREA_FOR_IMPROVEMENT = "area_for_improvement", "Area for improvement"
        AREA_OF_WEAKNESS = "area_of_weakness", "Area of weakness (2018)"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="areas")
    code = models.CharField(max_length=20)
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.PRIORITY_ACTION)
    number = models.PositiveSmallIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order within the plan.")
    title = models.CharField(max_length=200, help_text="A short plain-English title for the public.")
    description = models.TextField(blank=True, help_text="The inspection wording for this area.")
    response = models.TextField(blank=True, help_text="The partnership's response.")
    intended_outcomes = models.TextField(blank=True)

    panels = [
        FieldPanel("plan"),
        FieldPanel("code"),
        FieldPanel("kind"),
        FieldPanel("number"),
        FieldPanel("title"),
        FieldPanel("description"),
        FieldPanel("response"),
        FieldPanel("intended_outcomes"),
        InlinePanel("sub_themes", label="Sub-themes"),
    ]
    search_fields = [
        index.SearchField("title"),
        index.SearchField("code"),
        index.FilterField("plan_id"),
        index.FilterField("kind"),
    ]

    class Meta:
        ordering = ["plan", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="unique_area_code")]

    def __str__(self):
        return f"{self.code}: {self.title}"


class SubTheme(models.Model):
    """A sub-theme inside a priority area (e.g. PAP 2B, named workers and communication)."""

    area = ParentalKey(PriorityArea, on_delete=models.CASCADE, related_name="sub_themes")
    code = models.CharField(max_length=20)
    title = models.TextField()

    class Meta:
        ordering = ["area", "code"]
        constraints = [models.UniqueConstraint(fields=["area", "code"], name="unique_subtheme_code")]

    def __str__(self):
        return self.code


class ObjectiveQuerySet(models.QuerySet):
    def for_plan(self, plan):
        return self.filter(area__plan=plan)


class Objective(index.Indexed, ClusterableModel):
    """One objective of a plan (e.g. PAP2B:2), the unit feedback is tagged to."""

    area = models.ForeignKey(PriorityArea, on_delete=models.CASCADE, related_name="objectives")
    sub_theme = models.ForeignKey(
        SubTheme, on_delete=models.SET_NULL, null=True, blank=True, related_name="objectives"
    )
    code = models.CharField(max_length=20, help_text="As written in the plan, e.g. PAP2B:2.")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.TextField(help_text="The objective as the plan states it.")
    deadline = models.DateField(null=True, blank=True)
    impact = models.TextField(blank=True, help_text="What will the impact be?")
    evidence = models.JSONField(
        default=list,
        blank=True,
        help_text="Evidence references from the plan, such as E12, D2 or V1.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ObjectiveQuerySet.as_manager()

    panels = [
        FieldPanel("area"),
        FieldPanel("sub_theme"),
        FieldPanel("code"),
        FieldPanel("title"),
        FieldPanel("deadline"),
        FieldPanel("impact"),
        FieldPanel("evidence"),
        InlinePanel("ratings", label="BRAG rating history", heading="BRAG rating history"),
    ]
    search_fields = [
        index.SearchField("code", boost=3),
        index.SearchField("title"),
        index.SearchField("impact"),
        index.FilterField("area_id"),
    ]

    class Meta:
        ordering = ["area__plan", "area__position", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["area", "code"], name="unique_objective_code")]

    def __str__(self):
        return self.code

    @property
    def plan(self):
        return self.area.plan

    @property
    def url_code(self) -> str:
        """The code as it appears in URLs: Wagtail's page URLs do not allow ':' (PAP2B:2 → PAP2B_2)."""
        return self.code.replace(":", "_")

    @staticmethod
    def code_from_url(value: str) -> str:
        return value.replace("_", ":")

    def clean(self):
        if self.sub_theme_id and self.area_id and self.sub_theme.area_id != self.area_id:
            raise ValidationError({"sub_theme": "The sub-theme must belong to the same priority area."})
        if not isinstance(self.evidence, list) or not all(isinstance(e, str) for e in self.evidence):
            raise ValidationError({"evidence": "Give evidence references as a list of codes."})

    def latest_rating(self):
        """The newest rating, using prefetched ratings when the caller loaded them."""
        ratings = sorted(self.ratings.all(), key=lambda r: (r.as_of, r.pk or 0))
        return ratings[-1] if ratings else None


class RatingEntry(models.Model):
    """A BRAG rating given to an objective on a date, with who gave it and why."""

    objective = ParentalKey(Objective, on_delete=models.CASCADE, related_name="ratings")
    rating = models.CharField(max_length=5, choices=Rating.choices)
    as_of = models.DateField(help_text="The date the rating was correct on.")
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [FieldPanel("rating"), FieldPanel("as_of"), FieldPanel("note")]

    class Meta:
        ordering = ["objective", "as_of", "id"]
        verbose_name = "BRAG rating"
        constraints = [
            models.UniqueConstraint(fields=["objective", "as_of"], name="one_rating_per_objective_date")
        ]

    def __str__(self):
        return f"{self.objective_id} {self.rating} @ {self.as_of}"

    @property
    def meaning(self):
        return RATING_MEANINGS.get(self.rating, "")


class Direction(models.TextChoices):
    IMPROVING = "improving", "Improving"
    WORSENING = "worsening", "Getting worse"
    NO_CHANGE = "no_change", "No change"
    UNKNOWN = "unknown", "Not enough data"


DIRECTION_ARROWS = {
    Direction.IMPROVING: "↑",
    Direction.WORSENING: "↓",
    Direction.NO_CHANGE: "↔",
    Direction.UNKNOWN: "–",
}


class KPI(index.Indexed, ClusterableModel):
    """A key performance indicator the board tracks (e.g. EHCPs completed within 20 weeks)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="kpis")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=250)
    unit = models.CharField(max_length=20, default="%", help_text="%, days, weeks, count …")
    higher_is_better = models.BooleanField(default=True)
    baseline_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    baseline_date = models.DateField(null=True, blank=True)
    baseline_label = models.CharField(max_length=40, blank=True)
    target_value = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    target_date = models.DateField(null=True, blank=True)
    objectives = ParentalManyToManyField(Objective, blank=True, related_name="kpis")
    source = models.CharField(max_length=250, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    panels = [
        FieldPanel("plan"),
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("unit"),
        FieldPanel("higher_is_better"),
        MultiFieldPanel(
            [FieldPanel("baseline_value"), FieldPanel("baseline_date"), FieldPanel("baseline_label")],
            heading="Baseline",
        ),
        MultiFieldPanel([FieldPanel("target_value"), FieldPanel("target_date")], heading="Target"),
        FieldPanel("objectives"),
        FieldPanel("source"),
        InlinePanel("readings", label="Readings", heading="Readings"),
    ]
    search_fields = [index.SearchField("name"), index.SearchField("code"), index.FilterField("plan_id")]

    class Meta:
        ordering = ["plan", "code"]
        verbose_name = "KPI"
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="unique_kpi_code")]

    def __str__(self):
        return self.name

    def sorted_readings(self):
        return sorted(self.readings.all(), key=lambda r: (r.date, r.pk or 0))

    def latest_reading(self):
        readings = self.sorted_readings()
        return readings[-1] if readings else None

    @property
    def direction(self) -> str:
        """Compare the latest reading with the one before it (or the baseline)."""
        readings = self.sorted_readings()
        if not readings:
            return Direction.UNKNOWN
        previous = readings[-2].value if len(readings) > 1 else self.baseline_value
        if previous is None:
            return Direction.UNKNOWN
        change = Decimal(readings[-1].value) - Decimal(previous)
        if change == 0:
            return Direction.NO_CHANGE
        return Direction.IMPROVING if (change > 0) == self.higher_is_better else Direction.WORSENING

    @property
    def direction_label(self) -> str:
        return Direction(self.direction).label

    @property
    def direction_arrow(self) -> str:
        return DIRECTION_ARROWS[self.direction]


class KPIReading(models.Model):
    """A dated value of a KPI."""

    kpi = ParentalKey(KPI, on_delete=models.CASCADE, related_name="readings")
    date = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=2)
    label = models.CharField(max_length=40, blank=True, help_text="Period words, e.g. '2023'.")
    note = models.CharField(max_length=250, blank=True)

    panels = [FieldPanel("date"), FieldPanel("value"), FieldPanel("label"), FieldPanel("note")]

    class Meta:
        ordering = ["kpi", "date"]
        verbose_name = "KPI reading"
        constraints = [models.UniqueConstraint(fields=["kpi", "date"], name="one_reading_per_kpi_date")]

    def __str__(self):
        return f"{self.kpi_id} {self.value} @ {self.date}"
