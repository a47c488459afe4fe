"""Board packs: the monthly evidence summary the improvement board (SIAB) reads.

A pack is a stored, versioned snapshot. The numbers are computed once, when the pack is built,
and kept as JSON next to the SVG charts drawn from them, so a pack that was sent to the board
never changes when feedback is edited later; rebuilding the same plan and period makes a new
version. Everything stored here has already had small numbers suppressed: a pack holds nothing
a board member may not see.
"""

from django.conf import settings
from django.db import models

from portal.models import Plan


class BoardPack(models.Model):
    """One version of the board pack for a plan and a date range. Built by the monthly Celery
    job or on demand by the engagement team; read by board members at /board/."""

    class Trigger(models.TextChoices):
        SCHEDULED = "scheduled", "Monthly schedule"
        ON_DEMAND = "on_demand", "On demand"
        DEMO = "demo", "Demo data"

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="board_packs")
    period_start = models.DateField(help_text="First day covered (inclusive).")
    period_end = models.DateField(help_text="Last day covered (inclusive).")
    version = models.PositiveIntegerField(default=1)
    trigger = models.CharField(max_length=10, choices=Trigger.choices, default=Trigger.ON_DEMAND)
    data = models.JSONField(help_text="The computed pack, small numbers already suppressed.")
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    query_count = models.PositiveIntegerField(default=0, help_text="Database queries the build used.")
    build_seconds = models.FloatField(default=0.0)
    notified_at = models.DateTimeField(
        null=True, blank=True, help_text="When board members were emailed about it."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-period_end", "-period_start", "plan", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "period_start", "period_end", "version"], name="boardpack_unique_version"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="boardpack_period_order"
            ),
        ]
        verbose_name = "board pack"
        db_table = "portal_boardpack"  # made when packs lived in the portal app (ADR 0130)

    def __str__(self):
        return f"{self.plan.code} {self.period_start:%d %b %Y} – {self.period_end:%d %b %Y} v{self.version}"

    @property
    def title(self) -> str:
        return self.data.get("title") or str(self)


class BoardPackChart(models.Model):
    """A chart of a pack: the SVG as drawn at build time, its text alternative, and the table
    of the same numbers (offered as CSV and XLSX)."""

    pack = models.ForeignKey(BoardPack, on_delete=models.CASCADE, related_name="charts")
    key = models.SlugField(max_length=80)
    position = models.PositiveIntegerField(default=0)
    title = models.CharField(max_length=250)
    alt = models.TextField(help_text="Text alternative: what the chart shows, in words.")
    columns = models.JSONField(default=list)
    rows = models.JSONField(default=list)
    svg = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pack", "position"]
        constraints = [models.UniqueConstraint(fields=["pack", "key"], name="boardpack_unique_chart_key")]
        verbose_name = "board pack chart"
        db_table = "portal_boardpackchart"

    def __str__(self):
        return f"{self.pack_id}: {self.key}"
