"""Admin entry point: build a "You said, we did" page from a triaged group of feedback items.
Parses the form and calls `cms.services.yswd_draft_create`; no rules live here."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from feedback.models import FeedbackItem, Theme
from portal.models import Objective

from .models import YouSaidWeDidIndexPage

BUILDABLE_STATUSES = (FeedbackItem.Status.TRIAGED, FeedbackItem.Status.ACTIONED)


def yswd_build(request):
    """List triaged feedback (filter by theme or objective), tick a group, give a title: a draft
    page is created with the items linked, quotes proposed, objectives and themes filled in."""
    user = request.user
    index = YouSaidWeDidIndexPage.objects.first()
    if not (user.has_perm("feedback.triage_feedbackitem") or user.is_superuser):
        raise PermissionDenied
    if index is None or not index.permissions_for_user(user).can_add_subpage():
        raise PermissionDenied
    from . import services

    items = (FeedbackItem.objects.filter(status__in=BUILDABLE_STATUSES, safeguarding=False,
                                         set_aside="", analysis_state="done")
             .prefetch_related("themes", "objective_tags__objective").order_by("-received_at"))
    theme = request.GET.get("theme") or ""
    objective = request.GET.get("objective") or ""
    if theme:
        items = items.filter(themes__label=theme)
    if objective:
        items = items.filter(objective_tags__objective__code=objective,
                             objective_tags__state="confirmed")
    errors = []
    if request.method == "POST":
        chosen = [int(v) for v in request.POST.getlist("items") if v.isdigit()]
        try:
            page = services.yswd_draft_create(index=index, title=request.POST.get("title", ""),
                                              items=chosen, actor=user)
        except ValidationError as exc:
            errors = exc.messages
        else:
            return redirect(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    return TemplateResponse(request, "cms/admin/yswd_build.html", {
        "items": items.distinct()[:300],
        "themes": Theme.objects.filter(is_active=True).order_by("label"),
        "objectives": Objective.objects.filter(area__plan__is_current=True),
        "theme": theme, "objective": objective, "errors": errors,
        "title": request.POST.get("title", ""),
    })
