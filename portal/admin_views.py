"""Staff views of the shared core inside the Wagtail admin (so they sit behind staff two-factor
sign-in). They check permissions, parse input and call selectors."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import selectors
from .models import AccessLogEntry

ACCESS_LOG_FILTERS = ("action", "actor", "object_type", "object_id", "date_from", "date_to")


def _date(value: str):
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except (TypeError, ValueError):
        return None


@require_GET
def access_log(request):
    """Read-only list of who was shown unredacted personal data, when, what and where. For the
    safeguarding lead and administrators (permission `portal.view_accesslogentry`)."""
    if not request.user.has_perm("portal.view_accesslogentry"):
        raise PermissionDenied
    filters = {k: request.GET.get(k, "").strip()[:100] for k in ACCESS_LOG_FILTERS}
    entries = selectors.access_log_entries(
        action=filters["action"],
        actor=filters["actor"],
        object_type=filters["object_type"],
        object_id=filters["object_id"],
        date_from=_date(filters["date_from"]),
        date_to=_date(filters["date_to"]),
    )
    page = Paginator(entries, 50).get_page(request.GET.get("p"))
    query = request.GET.copy()
    query.pop("p", None)
    return render(
        request,
        "portal/admin/access_log.html",
        {
            "page_title": "Access log",
            "header_icon": "view",
            "page_obj": page,
            "filters": filters,
            "query": query.urlencode(),
            "actions": AccessLogEntry.Action.choices,
            "object_types": selectors.access_log_object_types(),
        },
    )
