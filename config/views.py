"""Views that look across the whole site."""

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health


@never_cache
@require_GET
def healthz(request):
    report = health.check_all()
    return JsonResponse(report, status=200 if report["status"] == "ok" else 503)
