"""Moderators' screens inside the Wagtail admin (so they sit behind staff two-factor sign-in):
members waiting to join, views waiting for moderation, comments on draft terms, and the youth
representative's report. They check permissions, parse input and call services/selectors."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal import disclosure

from . import selectors, services
from .forms import HideForm
from .models import Member, TermsComment, View

PERM = "youthforum.moderate_forum"


def _require(request) -> None:
    if not request.user.has_perm(PERM):
        raise PermissionDenied


def moderation(request):
    _require(request)
    members = list(selectors.members_waiting())
    services.member_contacts_shown(members=members, actor=request.user, screen="youth forum moderation")
    return TemplateResponse(
        request,
        "youthforum/admin/moderation.html",
        {
            "members": members,
            "rows": selectors.moderation_rows(selectors.views_waiting()[:100]),
            "reasons": View.HideReason.choices,
            "approved_count": selectors.members_approved().count(),
        },
    )


@require_POST
def member_decide(request, pk):
    _require(request)
    member = get_object_or_404(Member, pk=pk)
    try:
        if request.POST.get("decision") == "approve":
            services.member_approve(member=member, actor=request.user)
            messages.success(request, f"Member #{member.pk} ({member.nickname}) can now take part.")
        elif request.POST.get("decision") == "reject":
            services.member_reject(member=member, actor=request.user)
            messages.success(request, f"Request from member #{member.pk} turned down.")
        else:
            messages.error(request, "Choose approve or turn down.")
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect("youthforum_admin:moderation")


@require_POST
def view_decide(request, pk):
    _require(request)
    view = get_object_or_404(View, pk=pk)
    try:
        if request.POST.get("decision") == "approve":
            services.view_approve(view=view, actor=request.user)
            messages.success(request, f"View #{view.pk} is now shared with members (without a name).")
        elif request.POST.get("decision") == "hide":
            form = HideForm(request.POST)
            if not form.is_valid():
                messages.error(request, "Choose a reason for hiding the view.")
            else:
                services.view_hide(
                    view=view,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                    note=form.cleaned_data["note"],
                )
                messages.success(request, f"View #{view.pk} hidden. The member sees a kind explanation.")
        else:
            messages.error(request, "Choose share or hide.")
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    return redirect("youthforum_admin:moderation")


def comments(request):
    _require(request)
    comments = TermsComment.objects.select_related("version").order_by("-created_at")[:200]
    return TemplateResponse(
        request, "youthforum/admin/comments.html", {"rows": selectors.comment_rows(comments)}
    )


def _date(value: str):
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except (TypeError, ValueError):
        return None


def report(request):
    """The youth representative's report for the improvement board (printable)."""
    _require(request)
    today = timezone.localdate()
    start = _date(request.GET.get("from", "")) or today - timedelta(days=90)
    end = _date(request.GET.get("to", "")) or today
    if end < start:
        start, end = end, start
    tz = timezone.get_current_timezone()
    data = selectors.representation_report(
        since=timezone.make_aware(datetime.combine(start, time.min), tz),
        until=timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), tz),
    )
    return TemplateResponse(
        request,
        "youthforum/admin/report.html",
        {
            "report": data,
            "start": start,
            "end": end,
            "threshold": disclosure.threshold(),
            "fewer_than": disclosure.fewer_than(),
        },
    )
