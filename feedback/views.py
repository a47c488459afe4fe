"""Public entry points: the feedback form and its confirmation page."""

import hashlib

from django.core.cache import cache
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from . import conf
from .forms import PublicFeedbackForm
from .services import feedback_submit


def _client_key(request) -> str:
    # REMOTE_ADDR is set by the proxy layer in production; hashed so no IP is kept in the cache.
    ip = request.META.get("REMOTE_ADDR", "") or "unknown"
    return "feedback-rate:" + hashlib.sha256(ip.encode()).hexdigest()[:32]


def _rate_limited(request) -> bool:
    """Fixed window per client in the shared Django cache."""
    limit, window = conf.rate_limit()
    key = _client_key(request)
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit


@never_cache
@csrf_protect
def feedback_form(request):
    if request.method == "POST":
        if _rate_limited(request):
            return render(request, "feedback/rate_limited.html", status=429)
        form = PublicFeedbackForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            if not data.get("website"):  # a filled honeypot means a bot: say thanks, keep nothing
                feedback_submit(
                    text=data["text"],
                    audience=data["audience"],
                    locality=data.get("locality") or "",
                    consent_to_quote=data["consent_to_quote"],
                    contact_email=data.get("contact_email") or "",
                    contact_name=data.get("contact_name") or "",
                    wants_reply=data["wants_reply"],
                )
            request.session["feedback_wants_reply"] = bool(data.get("wants_reply"))
            return redirect("feedback:thanks")
    else:
        form = PublicFeedbackForm()
    return render(request, "feedback/form.html", {"form": form})


@never_cache
def feedback_thanks(request):
    return render(
        request, "feedback/thanks.html", {"wants_reply": request.session.pop("feedback_wants_reply", False)}
    )
