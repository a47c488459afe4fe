"""Staff views inside the Wagtail admin: results, exports, invitations and status changes.
They check permissions, parse input and call selectors and services."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.disclosure import number
from portal.spreadsheets import safe_cell

from . import selectors, services
from .charts import bar_chart
from .forms import InvitationForm, InvitationUploadForm, ResultsFilterForm
from .models import Invitation, Survey, SurveyStatus


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def survey_tools(request):
    _require(request, "surveys.view_results")
    surveys = Survey.objects.order_by("status", "title")
    rows = [
        {
            "survey": s,
            "responses": s.responses.filter(status="submitted").count(),
            "version": s.current_version(),
        }
        for s in surveys
    ]
    return TemplateResponse(request, "surveys/admin/index.html", {"rows": rows})


def _filters(request) -> tuple[ResultsFilterForm, selectors.Filters, bool]:
    form = ResultsFilterForm(request.GET or None)
    filters, outside = selectors.Filters(), False
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.Filters(
            date_from=data["date_from"],
            date_to=data["date_to"],
            audience=data["audience"] or "",
            version=data["version"],
        )
        outside = data["outside_team"]
    return form, filters, outside


def results(request, pk):
    _require(request, "surveys.view_results")
    survey = get_object_or_404(Survey, pk=pk)
    form, filters, outside = _filters(request)
    data = selectors.survey_results(survey=survey, filters=filters, suppress=outside, user=request.user)
    for q in data.questions:
        # pygal escapes the labels it draws; the SVG is our own markup.
        q.chart = bar_chart(q.text, q.rows) if q.rows and any(number(r.count) for r in q.rows) else ""
    return TemplateResponse(
        request,
        "surveys/admin/results.html",
        {
            "survey": survey,
            "form": form,
            "results": data,
            "query": request.GET.urlencode(),
            "versions": survey.versions.order_by("number"),
            "can_export": request.user.has_perm("surveys.export_responses"),
        },
    )


def export(request, pk, fmt):
    _require(request, "surveys.export_responses")
    survey = get_object_or_404(Survey, pk=pk)
    _form, filters, _outside = _filters(request)
    scope = selectors.export_scope(survey=survey, user=request.user)
    header, rows = selectors.export_table(survey=survey, filters=filters, user=request.user)
    if scope.leaves_personal_data and fmt in ("csv", "xlsx"):
        # Typed answers or respondents' details leave the system: record who took them.
        services.responses_export_audit(
            survey=survey, user=request.user, fmt=fmt, rows=len(rows), unredacted=scope.unredacted
        )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"{survey.slug}-responses-{stamp}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([safe_cell(h) for h in header])
        for row in rows:
            writer.writerow([safe_cell(v) for v in row])
        response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("Responses")
        sheet.append([safe_cell(h) for h in header])
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
        buffer = io.BytesIO()
        book.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        return HttpResponse("Unknown format", status=404, content_type="text/plain")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def invitations(request, pk):
    _require(request, "surveys.send_invitations")
    survey = get_object_or_404(Survey, pk=pk)
    single = InvitationForm(prefix="one")
    upload = InvitationUploadForm(prefix="csv")
    new_link = ""
    if request.method == "POST" and "one-submit" in request.POST:
        single = InvitationForm(request.POST, prefix="one")
        if single.is_valid():
            data = single.cleaned_data
            try:
                invitation, token = services.invitation_create(
                    survey=survey,
                    email=data["email"],
                    name=data["name"],
                    reference=data["reference"],
                    send_at=data["send_at"],
                    created_by=request.user,
                )
            except ValidationError as exc:
                messages.error(request, "; ".join(exc.messages))
            else:
                new_link = services.invitation_url(invitation)
                messages.success(
                    request,
                    "Invitation created"
                    + (" and queued to send." if invitation.email else ": copy the link below."),
                )
                single = InvitationForm(prefix="one")
    elif request.method == "POST" and "csv-submit" in request.POST:
        upload = InvitationUploadForm(request.POST, request.FILES, prefix="csv")
        if upload.is_valid():
            outcome = services.invitations_import_csv(
                survey=survey, data=upload.cleaned_data["file"].read(), created_by=request.user
            )
            if outcome.errors:
                for error in outcome.errors[:20]:
                    messages.error(request, error)
            else:
                messages.success(request, f"{outcome.created} invitations created and queued to send.")
                return redirect("surveys_admin:invitations", pk=survey.pk)
    qs = Invitation.objects.filter(survey=survey)
    counts = {
        "created": qs.count(),
        "emailed": qs.filter(sent_at__isnull=False).count(),
        "used": qs.filter(used_at__isnull=False).count(),
        "unsubscribed": qs.filter(unsubscribed_at__isnull=False).count(),
        "reminded": qs.filter(reminders_sent__gt=0).count(),
    }
    return TemplateResponse(
        request,
        "surveys/admin/invitations.html",
        {
            "survey": survey,
            "single": single,
            "upload": upload,
            "counts": counts,
            "new_link": new_link,
            "accepting": services.survey_accepting(survey),
        },
    )


@require_POST
def status(request, pk):
    _require(request, "surveys.change_survey")
    survey = get_object_or_404(Survey, pk=pk)
    wanted = request.POST.get("status", "")
    if wanted not in SurveyStatus.values:
        messages.error(request, "Choose a status.")
    else:
        try:
            services.survey_set_status(survey=survey, status=wanted, user=request.user)
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
        else:
            messages.success(request, f"'{survey.title}' is now {SurveyStatus(wanted).label.lower()}.")
    return redirect("surveys_admin:index")
