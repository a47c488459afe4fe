"""Wagtail page types for the public site. Presentation only: data comes from selectors."""

from django.db import models
from django.http import Http404
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from portal import selectors as plan_selectors
from portal.models import Objective, Plan

from .blocks import BodyBlock


class HomePage(Page):
    """The front door for families, young people and professionals: what the site is for and
    where to go next."""

    intro = models.TextField(blank=True, help_text="One or two plain sentences under the title.")
    easy_read_intro = models.TextField(
        blank=True, help_text="The same in easy read: short sentences, everyday words.",
    )
    body = StreamField(BodyBlock(), blank=True, use_json_field=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("easy_read_intro"),
                      FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["plan"] = plan_selectors.plan_get_current()
        return context


class PlanTrackerPage(RoutablePageMixin, Page):
    """The public tracker of the improvement plan at /plan/: every priority area and objective
    with its BRAG rating and history, deadline, and KPIs with their direction of travel."""

    intro = models.TextField(blank=True)
    easy_read_intro = models.TextField(blank=True)
    body = StreamField(BodyBlock(), blank=True, use_json_field=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("easy_read_intro"),
                      FieldPanel("body")]
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
        return self.render(request, context_overrides={
            "plan": plan,
            "plans": plan_selectors.plan_list(),
            "tree": plan_selectors.plan_tree(plan),
            "kpis": plan_selectors.kpis_with_readings(plan),
        })

    @path("objective/<str:code>/")
    def objective(self, request, code):
        plan = self._plan(request)
        objective = plan_selectors.objective_get(plan, Objective.code_from_url(code))
        if objective is None:
            raise Http404("No such objective in this plan.")
        return self.render(request, template="cms/plan_objective_page.html", context_overrides={
            "plan": plan,
            "objective": objective,
            "kpis": plan_selectors.kpis_with_readings(plan).filter(objectives=objective),
        })
