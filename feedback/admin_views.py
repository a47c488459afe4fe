"""Staff views inside the Wagtail admin: triage inbox, item detail, staff entry, import, and the
safeguarding queue. They parse input, check permissions and call services/selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from portal.models import Objective

from . import imports, labels, selectors, services, triage
from .forms import ImportForm, InboxFilterForm, StaffEntryForm
from .models import FeedbackItem, ObjectiveTag, SafeguardingAlert

User = get_user_model()


def _require(request, perm: str):
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _page(request, title, template, context, icon="comment"):
    return render(request, template, {"page_title": title, "header_icon": icon, **context})


def _filter_fields(form: InboxFilterForm) -> list[dict]:
    """The filter bar's selects, each with what was asked for (even if it is not an option) and
    its error, if any."""
    return [
        {
            "name": name,
            "label": name.replace("_", " ").capitalize(),
            "options": [c for c in form.fields[name].choices if c[0]],
            "selected": form.data.get(name, ""),
            "errors": form.errors.get(name, []),
        }
        for name in InboxFilterForm.SELECTS
    ]


def inbox(request):
    """The engagement team's inbox, with filters and bulk actions. Filters come from the query
    string through `InboxFilterForm`: one that is malformed is shown with its error, not applied."""
    _require(request, "feedback.view_feedbackitem")
    form = InboxFilterForm(request.GET)
    form.is_valid()
    qs = selectors.feedback_inbox(filters=form.filters())
    page = Paginator(qs, 50).get_page(request.GET.get("p"))
    query = request.GET.copy()
    query.pop("p", None)
    return _page(
        request,
        "Feedback inbox",
        "feedback/admin/inbox.html",
        {
            "page_obj": page,
            "form": form,
            "query": query.urlencode(),
            "can_triage": request.user.has_perm("feedback.triage_feedbackitem"),
            "can_see_safeguarding": selectors.may_view_original(request.user),
            "filter_fields": _filter_fields(form),
            "staff": triage.owners(),
        },
    )


def _back_to_inbox(request) -> str:
    """Where to go after a bulk action: the inbox page it was sent from (its `next`, with the
    filters and page), but only an address on this site, never one a crafted form supplies."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("feedback_admin:inbox")


@require_POST
def bulk_action(request):
    """Confirm suggested tags, assign an owner, or change status for many items at once."""
    _require(request, "feedback.triage_feedbackitem")
    ids = [int(i) for i in request.POST.getlist("items") if i.isdigit()]
    action = request.POST.get("action", "")
    items = list(FeedbackItem.objects.filter(pk__in=ids))
    if not items:
        messages.error(request, "Select at least one feedback item.")
        return redirect(_back_to_inbox(request))
    done, errors = 0, []
    for item in items:
        try:
            with transaction.atomic():
                if action == "confirm_tags":
                    services.feedback_tags_confirm(item=item, actor=request.user)
                elif action == "assign":
                    owner = triage.owners().filter(pk=request.POST.get("owner") or 0).first()
                    if owner is None:
                        raise ValidationError("Choose a person to assign to.")
                    services.feedback_triage(
                        item=item,
                        actor=request.user,
                        owner=owner,
                        owner_organisation=request.POST.get("owner_organisation") or None,
                    )
                elif action in ("triaged", "actioned", "responded"):
                    services.feedback_triage(item=item, actor=request.user, status=action)
                elif action == "closed":
                    services.feedback_triage(
                        item=item,
                        actor=request.user,
                        status="closed",
                        close_reason=request.POST.get("close_reason", ""),
                    )
                else:
                    raise ValidationError("Choose an action.")
            done += 1
        except ValidationError as exc:
            errors.append(f"#{item.pk}: {' '.join(exc.messages)}")
    if done:
        messages.success(request, f"Updated {done} feedback item{'s' if done != 1 else ''}.")
    for error in errors[:10]:
        messages.error(request, error)
    return redirect(_back_to_inbox(request))


def item_detail(request, pk: int):
    """One item: redacted text, analysis, tags, triage, notes and audit history."""
    _require(request, "feedback.view_feedbackitem")
    item = get_object_or_404(FeedbackItem.objects.select_related("owner", "entered_by"), pk=pk)
    can_triage = request.user.has_perm("feedback.triage_feedbackitem")
    if request.method == "POST":
        if not can_triage and request.POST.get("action") != "note":
            raise PermissionDenied
        try:
            _item_post(request, item)
        except ValidationError as exc:
            for error in exc.messages:
                messages.error(request, error)
        return redirect("feedback_admin:item", pk=item.pk)
    original = services.original_view(item=item, user=request.user, screen="feedback_admin:item")
    return _page(
        request,
        f"Feedback #{item.pk}",
        "feedback/admin/item.html",
        {
            "item": item,
            "original": original,
            "can_triage": can_triage,
            "can_see_access_log": request.user.has_perm("portal.view_accesslogentry"),
            "hide_text": item.safeguarding and original is None,
            "analysis_version": labels.item_analysis_version(item=item),
            "tags": item.objective_tags.select_related("objective", "decided_by"),
            "item_themes": item.item_themes.select_related("theme"),
            "notes": item.notes.select_related("author"),
            "audit": item.audit.select_related("actor")[:100],
            "statuses": FeedbackItem.Status.choices,
            "staff": triage.owners(),
            "objective_codes": list(
                Objective.objects.filter(area__plan__is_current=True)
                .order_by("area__code", "position", "code")
                .values_list("code", flat=True)
            ),
        },
    )


def _item_post(request, item: FeedbackItem):
    action = request.POST.get("action")
    if action == "confirm_tags":
        services.feedback_tags_confirm(item=item, actor=request.user)
    elif action == "set_tags":
        codes = [c.strip() for c in request.POST.getlist("objectives") if c.strip()]
        services.feedback_tags_confirm(item=item, actor=request.user, codes=codes)
    elif action == "triage":
        owner = triage.owners().filter(pk=request.POST.get("owner") or 0).first()
        services.feedback_triage(
            item=item,
            actor=request.user,
            status=request.POST.get("status") or None,
            close_reason=request.POST.get("close_reason", ""),
            owner=owner,
            owner_organisation=request.POST.get("owner_organisation"),
            response_url=request.POST.get("response_url"),
            note=request.POST.get("note", ""),
        )
    elif action == "note":
        services.feedback_note_add(item=item, author=request.user, text=request.POST.get("note", ""))
    elif action == "reanalyse":
        services.feedback_analyse(item_id=item.pk)
    elif action == "should_have_flagged":
        labels.item_flag_by_staff(item=item, actor=request.user)
        messages.success(request, "Recorded, and the safeguarding lead has been alerted.")
        return
    messages.success(request, "Saved.")


def staff_entry(request):
    """Record feedback given offline (focus groups, SEND conversations, phone, email…)."""
    _require(request, "feedback.add_feedbackitem")
    form = StaffEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        received = timezone.make_aware(
            timezone.datetime.combine(data["received_on"], timezone.datetime.min.time())
        )
        item = services.feedback_ingest(
            text=data["text"],
            channel=data["channel"],
            audience=data["audience"],
            received_at=received,
            locality=data.get("locality") or "",
            consent_to_quote=data["consent_to_quote"],
            entered_by=request.user,
        )
        messages.success(request, f"Feedback #{item.pk} recorded. It will be redacted and analysed shortly.")
        return redirect("feedback_admin:new")
    return _page(request, "Record feedback", "feedback/admin/entry.html", {"form": form}, icon="plus")


def import_view(request):
    """Bulk import from CSV/XLSX: validate every row first, then import all or the valid ones."""
    _require(request, "feedback.add_feedbackitem")
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            rows = imports.read_rows(form.cleaned_data["file"])
        except imports.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            report = imports.feedback_import(
                rows=rows, entered_by=request.user, import_valid_rows=form.cleaned_data["import_valid_rows"]
            )
            if report.imported:
                messages.success(request, f"Imported {report.imported} feedback items.")
            elif report.errors:
                messages.error(
                    request, "Nothing was imported: fix the errors below, or choose to import the valid rows."
                )
    return _page(
        request,
        "Import feedback",
        "feedback/admin/import.html",
        {"form": form, "report": report},
        icon="upload",
    )


def alert_queue(request):
    """The safeguarding lead's queue of alerts."""
    _require(request, "feedback.view_safeguardingalert")
    state = request.GET.get("state", "open")
    alerts = SafeguardingAlert.objects.select_related("item", "handled_by")
    if state in SafeguardingAlert.State.values:
        alerts = alerts.filter(state=state)
    return _page(
        request,
        "Safeguarding alerts",
        "feedback/admin/alerts.html",
        {"alerts": alerts[:200], "state": state, "states": SafeguardingAlert.State.choices},
        icon="warning",
    )


def alert_detail(request, pk: int):
    _require(request, "feedback.view_safeguardingalert")
    alert = get_object_or_404(SafeguardingAlert.objects.select_related("item"), pk=pk)
    if request.method == "POST":
        _require(request, "feedback.change_safeguardingalert")
        state = request.POST.get("state")
        not_a_concern = request.POST.get("outcome") == "not_a_concern"
        if state in SafeguardingAlert.State.values or not_a_concern:
            services.safeguarding_alert_update(
                alert=alert,
                actor=request.user,
                state=state or SafeguardingAlert.State.CLOSED,
                notes=request.POST.get("notes", ""),
                not_a_concern=not_a_concern,
            )
            messages.success(request, "Alert updated.")
        return redirect("feedback_admin:alert", pk=alert.pk)
    return _page(
        request,
        f"Safeguarding alert for feedback #{alert.item_id}",
        "feedback/admin/alert.html",
        {
            "alert": alert,
            "item": alert.item,
            "original": services.original_view(
                item=alert.item,
                user=request.user,
                screen="feedback_admin:alert",
                detail={"alert": alert.pk, "alert_state": alert.state},
            ),
            "states": SafeguardingAlert.State.choices,
        },
        icon="warning",
    )


__all__ = [
    "inbox",
    "bulk_action",
    "item_detail",
    "staff_entry",
    "import_view",
    "alert_queue",
    "alert_detail",
    "ObjectiveTag",
]
