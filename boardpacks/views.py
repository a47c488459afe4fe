"""Board packs in the portal at /board/: the list, a pack as a page, as a PDF, and the data
behind every chart. Board members, the engagement team and administrators read packs (the
middleware has already made them use two-factor authentication); only the engagement team and
administrators build them. Packs hold nothing identifiable, so this is all a board member sees."""

from __future__ import annotations

import base64
import copy
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from portal import disclosure

from .forms import BuildPackForm
from .models import BoardPack
from .pdf import pack_pdf
from .selectors import board_pack_get, board_pack_list, may_build_packs, may_read_packs
from .services import board_pack_build

PRIVATE = "private, no-store"


def _role_required(check):
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not check(request.user):
                raise PermissionDenied
            response = view(request, *args, **kwargs)
            response["Cache-Control"] = PRIVATE
            return response

        return wrapper

    return decorator


reader_required = _role_required(may_read_packs)
builder_required = _role_required(may_build_packs)


def _pack_or_404(pk: int) -> BoardPack:
    pack = board_pack_get(pk)
    if pack is None:
        raise Http404("No such board pack.")
    return pack


def _chart_view(chart) -> dict:
    return {
        "key": chart.key,
        "title": chart.title,
        "alt": chart.alt,
        "columns": chart.columns,
        "rows": chart.rows,
        "data_uri": (
            "data:image/svg+xml;base64," + base64.b64encode(chart.svg.encode()).decode() if chart.svg else ""
        ),
    }


def pack_context(pack: BoardPack) -> dict:
    """The stored snapshot with each chart put where the pack shows it."""
    data = copy.deepcopy(pack.data)
    charts = {c.key: _chart_view(c) for c in pack.charts.all()}
    head = data["headline"]
    for part in ("by_channel", "by_audience"):
        head[f"{part}_chart_obj"] = charts.get(head.get(f"{part}_chart", ""))
    for kpi in data["kpis"]:
        kpi["chart_obj"] = charts.get(kpi.get("chart", ""))
    for area in data["areas"]:
        for objective in area["objectives"]:
            objective["chart_obj"] = charts.get(objective.get("chart", ""))
    return {
        "pack": pack,
        "data": data,
        "threshold": data.get("threshold", 5),
        # The words for a hidden count, from the threshold the pack was built with.
        "fewer_than": data.get("fewer_than") or disclosure.fewer_than(data.get("threshold", 5)),
        "not_shown": disclosure.NOT_SHOWN,
        "charts": charts,
        "trend_chart": charts.get("sentiment-trend"),
        "representation_chart": charts.get("representation"),
        "survey_kpi_chart": charts.get("survey-kpis"),
        "versions": BoardPack.objects.filter(
            plan=pack.plan, period_start=pack.period_start, period_end=pack.period_end
        ).values("pk", "version", "created_at"),
    }


@never_cache
@require_GET
@reader_required
def pack_list(request):
    packs = list(board_pack_list())
    return render(
        request, "boardpacks/list.html", {"packs": packs, "may_build": may_build_packs(request.user)}
    )


@never_cache
@require_GET
@reader_required
def pack_detail(request, pk: int):
    pack = _pack_or_404(pk)
    context = pack_context(pack)
    context["may_build"] = may_build_packs(request.user)
    return render(request, "boardpacks/pack_detail.html", context)


@never_cache
@require_GET
@reader_required
def pack_pdf_view(request, pk: int):
    pack = _pack_or_404(pk)
    pdf = pack_pdf(pack=pack, context={**pack_context(pack), "pdf": True})
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = (
        f"board-pack-{pack.plan.code}-{pack.period_start:%Y-%m-%d}-{pack.period_end:%Y-%m-%d}-v{pack.version}"
    )
    response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
    return response


@never_cache
@require_GET
@reader_required
def chart_data(request, pk: int, key: str, fmt: str):
    from .exports import chart_csv, chart_xlsx

    pack = _pack_or_404(pk)
    chart = pack.charts.filter(key=key).first()
    if chart is None or fmt not in ("csv", "xlsx"):
        raise Http404("No such chart.")
    name = f"board-pack-{pack.pk}-v{pack.version}-{chart.key}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(chart_csv(pack=pack, chart=chart), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            chart_xlsx(pack=pack, chart=chart),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@never_cache
@require_GET
@reader_required
def pack_xlsx(request, pk: int):
    from .exports import pack_xlsx as build_xlsx

    pack = _pack_or_404(pk)
    response = HttpResponse(
        build_xlsx(pack=pack, charts=list(pack.charts.all())),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="board-pack-{pack.pk}-v{pack.version}.xlsx"'
    return response


@never_cache
@require_http_methods(["GET", "POST"])
@builder_required
def pack_build(request):
    form = BuildPackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        pack = board_pack_build(
            plan=form.cleaned_data["plan"],
            period_start=form.cleaned_data["date_from"],
            period_end=form.cleaned_data["date_to"],
            trigger=BoardPack.Trigger.ON_DEMAND,
            built_by=request.user,
        )
        messages.success(
            request, f"Built version {pack.version} of the pack. Board members will get an email."
        )
        return redirect("boardpacks:detail", pk=pack.pk)
    return render(request, "boardpacks/build.html", {"form": form})
