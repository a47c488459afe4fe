"""Admin screens for "You said, we did" pages: build a draft from a triaged group of feedback,
see and change the feedback a page answers (paginated), and check, send or stop the reply
emails. They parse the form and call `cms.services` / read `cms.selectors`; no rules live here."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from feedback.models import FeedbackItem, Theme
from portal.models import Objective

from . import selectors
from .models import ANSWERABLE_ITEMS, ReplySend, YouSaidWeDidIndexPage, YouSaidWeDidPage

BUILDABLE_STATUSES = (FeedbackItem.Status.TRIAGED, FeedbackItem.Status.ACTIONED)


def _ids(values) -> list[int]:
    return [int(v) for v in values if str(v).isdigit()]


def yswd_build(request):
    """List triaged feedback (filter by theme or objective), tick a group, give a title: a draft
    page is created with the items linked, quotes proposed, objectives and themes filled in.
    Refusals (e.g. a set-aside item in the POST) are shown with the ticks and title kept."""
    user = request.user
    index = YouSaidWeDidIndexPage.objects.first()
    if not (user.has_perm("feedback.triage_feedbackitem") or user.is_superuser):
        raise PermissionDenied
    if index is None or not index.permissions_for_user(user).can_add_subpage():
        raise PermissionDenied
    from . import services

    items = (
        FeedbackItem.objects.filter(status__in=BUILDABLE_STATUSES, **ANSWERABLE_ITEMS)
        .prefetch_related("themes", "objective_tags__objective")
        .order_by("-received_at")
    )
    theme = request.GET.get("theme") or ""
    objective = request.GET.get("objective") or ""
    if theme:
        items = items.filter(themes__label=theme)
    if objective:
        items = items.filter(objective_tags__objective__code=objective, objective_tags__state="confirmed")
    errors = []
    chosen = _ids(request.POST.getlist("items")) if request.method == "POST" else []
    if request.method == "POST":
        try:
            page = services.yswd_draft_create(
                index=index, title=request.POST.get("title", ""), items=chosen, actor=user
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            return redirect(reverse("wagtailadmin_pages:edit", args=[page.pk]))
    listed = list(items.distinct()[:300])
    quotable = set(
        FeedbackItem.objects.quotable().filter(pk__in=[i.pk for i in listed]).values_list("pk", flat=True)
    )
    for item in listed:
        item.quotable = item.pk in quotable
    response = TemplateResponse(
        request,
        "cms/admin/yswd_build.html",
        {
            "items": listed,
            "themes": Theme.objects.filter(is_active=True).order_by("label"),
            "objectives": Objective.objects.filter(area__plan__is_current=True),
            "theme": theme,
            "objective": objective,
            "errors": errors,
            "title": request.POST.get("title", ""),
            "chosen": set(chosen),
            "chosen_unlisted": sorted(set(chosen) - {i.pk for i in listed}),
        },
    )
    if errors:
        response.status_code = 400
    return response


def _page_for(request, page_id, *, publish=False) -> YouSaidWeDidPage:
    page = get_object_or_404(YouSaidWeDidPage, pk=page_id)
    perms = page.permissions_for_user(request.user)
    if not (perms.can_publish() if publish else perms.can_edit()):
        raise PermissionDenied
    return page


def yswd_feedback(request, page_id):
    """Every piece of feedback a page answers, 50 at a time: change which are quoted, or remove
    links. Saves a new draft revision, like the editor."""
    from . import services

    page = _page_for(request, page_id)
    latest = page.get_latest_revision_as_object()
    errors = []
    if request.method == "POST":
        try:
            changed = services.yswd_links_update(
                page=page,
                actor=request.user,
                shown=_ids(request.POST.getlist("shown")),
                quoted=_ids(request.POST.getlist("quote")),
                removed=_ids(request.POST.getlist("remove")),
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(
                request,
                f"Saved {changed} change{'s' if changed != 1 else ''} as a draft. "
                "Publish the page for them to show.",
            )
            return redirect(request.get_full_path())
    response = TemplateResponse(
        request,
        "cms/admin/yswd_feedback.html",
        {
            "page": page,
            "errors": errors,
            **selectors.yswd_links_page(latest, request.GET.get("p")),
        },
    )
    if errors:
        response.status_code = 400
    return response


def yswd_replies(request, page_id):
    """The replies screen for a published page: how many people wait for a reply, the exact
    email each group will get, and Send (after that, progress and Stop)."""
    from . import services

    page = _page_for(request, page_id, publish=True)
    errors = []
    if request.method == "POST":
        try:
            if request.POST.get("action") == "stop":
                send = get_object_or_404(ReplySend, pk=request.POST.get("send"), page=page)
                stopped = services.yswd_replies_stop(send=send, actor=request.user)
                messages.success(request, f"Stopped. {stopped} people will not be emailed.")
            else:
                send = services.yswd_replies_start(
                    page=page,
                    actor=request.user,
                    previewed_revision=request.POST.get("revision") or None,
                    previewed_count=int(request.POST.get("count") or -1),
                )
                messages.success(request, "Sending. You can stop it below until every batch has gone.")
        except (ValidationError, ValueError) as exc:
            errors = exc.messages if isinstance(exc, ValidationError) else ["Check the emails again."]
        else:
            return redirect(reverse("cms_yswd_replies", args=[page.pk]))
    page.refresh_from_db()
    response = TemplateResponse(
        request,
        "cms/admin/yswd_replies.html",
        {
            "page": page,
            "errors": errors,
            "preview": selectors.yswd_reply_preview(page),
            "sends": selectors.yswd_reply_sends(page),
        },
    )
    if errors:
        response.status_code = 400
    return response
