"""Entry points of the shared core. They parse input and call selectors/services."""

import csv
import json
import sys

from django.contrib.auth.decorators import login_required
from django.contrib.sessions.exceptions import SessionInterrupted
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET

from .middleware import database_unavailable_response
from .models import Plan
from .roles import ROLE_ABILITIES, Role, user_is_staff_role, user_roles
from .selectors import plan_as_dict, plan_as_rows, plan_get_current, user_has_totp


def admin_logout(request):
    """Wagtail's sign-out, handled by allauth. Wagtail's own view answered a GET with "you have
    been logged out" while the session went on working; here a GET shows allauth's "sign out?"
    page and only a POST (with its CSRF token, as the admin's menu sends) ends the session."""
    from allauth.account.adapter import get_adapter

    if request.method != "POST":
        return HttpResponseRedirect(reverse("account_logout"))
    get_adapter(request).logout(request)
    return HttpResponseRedirect("/")


@login_required
def home(request):
    """What the signed-in person can do, by role, in plain words."""
    roles = sorted(user_roles(request.user), key=lambda r: list(Role).index(r))
    return render(
        request,
        "portal/home.html",
        {
            "roles": [{"label": Role(r).label, "value": r, "abilities": ROLE_ABILITIES[r]} for r in roles],
            "is_staff_role": user_is_staff_role(request.user),
            "needs_totp": user_is_staff_role(request.user) and not user_has_totp(request.user),
        },
    )


def _plan_from_request(request) -> Plan:
    code = request.GET.get("plan")
    plan = Plan.objects.filter(code=code).first() if code else plan_get_current()
    if plan is None:
        raise Http404("No plan has been loaded.")
    return plan


@require_GET
def plan_json(request):
    plan = _plan_from_request(request)
    body = {
        "plan": plan_as_dict(plan),
        "other_plans": list(Plan.objects.exclude(pk=plan.pk).values_list("code", flat=True)),
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


CSV_COLUMNS = [
    "plan",
    "area_code",
    "area_title",
    "sub_theme",
    "objective_code",
    "objective",
    "deadline",
    "current_rating",
    "rating_as_of",
    "evidence",
    "kpis",
]


@require_GET
def plan_csv(request):
    from .spreadsheets import safe_cell

    plan = _plan_from_request(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{plan.code}.csv"'
    response.write("\ufeff")  # so spreadsheet programs read the file as UTF-8
    writer = csv.DictWriter(response, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in plan_as_rows(plan):
        writer.writerow({k: safe_cell(v) for k, v in row.items()})
    return response


@require_GET
def easy_read(request):
    """Turn easy-read mode on or off (a cookie), then go back. Works without JavaScript."""
    target = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    response = HttpResponseRedirect(target)
    if request.GET.get("on") == "1":
        response.set_cookie(
            "easy_read",
            "1",
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=request.is_secure(),
            httponly=True,
        )
    else:
        response.delete_cookie("easy_read")
    return response


def error_400(request, exception=None):
    # Django reports an over-large body or too many fields as a bad request; say which, so the
    # person knows to send less rather than to try the same again.
    if isinstance(exception, RequestDataTooBig):
        return render(request, "errors/413.html", status=413)
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        return render(request, "errors/400.html", {"reason": "too_many_fields"}, status=400)
    if isinstance(exception, SessionInterrupted):
        # The page's work may be done but the session could not be saved (the database went
        # away): neither "saved" nor "not saved" would be honest, so say how to find out.
        return render(request, "errors/400.html", {"reason": "session_interrupted"}, status=400)
    return render(request, "errors/400.html", status=400)


def error_403(request, exception=None):
    return render(request, "errors/403.html", status=403)


def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


def error_500(request):
    # Django calls this inside its `except` block, so the exception is still at hand. A database
    # outage met in middleware (loading the session or user) ends here rather than in the view.
    unavailable = database_unavailable_response(sys.exc_info()[1])
    if unavailable is not None:
        return unavailable
    return render(request, "errors/500.html", status=500)
