"""A person's own data: download it, or delete the account and everything with it."""

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from portal.services import account_delete_attempt

from .forms import AccountDeleteForm
from .subject_access import may_self_erase, subject_data_erase, subject_data_json, subject_for_user


@require_POST
@login_required
def account_data_download(request):
    """Everything we hold about the signed-in person, as a JSON file (POST, so a link, a
    prefetch or another site cannot start it)."""
    body = subject_data_json(subject=subject_for_user(request.user))
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="send-voice-my-data-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@login_required
def account_delete(request):
    """Confirm, then delete the account and every piece of personal data linked to it, and sign
    the person out. Staff accounts are refused with an explanation: an administrator closes
    them, because what staff did must stay attributable."""
    if not may_self_erase(request.user):
        return render(request, "privacy/account_delete.html", {"staff": True})
    if request.method == "POST" and not account_delete_attempt(user=request.user):
        form = AccountDeleteForm(user=request.user)
        return render(request, "privacy/account_delete.html", {"form": form, "staff": False, "blocked": True})
    form = AccountDeleteForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            subject_data_erase(subject=subject_for_user(request.user))
            logout(request)
            return HttpResponseRedirect(reverse("privacy:account_deleted"))
        if "password" in form.errors:
            account_delete_attempt(user=request.user, failed=True)
    return render(request, "privacy/account_delete.html", {"form": form, "staff": False})


@require_GET
def account_deleted(request):
    return render(request, "privacy/account_deleted.html")
