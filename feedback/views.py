"""Public entry points: the feedback form and its confirmation page."""

from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from portal import ratelimit

from . import conf
from .forms import PublicFeedbackForm
from .services import feedback_submit


def _rate_limited(request) -> bool:
    limit, window = conf.rate_limit()
    client = ratelimit.client_key(request)
    return not ratelimit.allow(scope="feedback", client=client, limit=limit, window=window)


@never_cache
@csrf_protect
def feedback_form(request):
    if request.method == "POST":
        if _rate_limited(request):
            return render(request, "feedback/rate_limited.html", status=429)
        form = PublicFeedbackForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            at_risk = False
            if not data.get("website"):  # a filled honeypot means a bot: say thanks, keep nothing
                item = feedback_submit(
                    text=data["text"],
                    audience=data["audience"],
                    locality=data.get("locality") or "",
                    consent_to_quote=data["consent_to_quote"],
                    contact_email=data.get("contact_email") or "",
                    contact_name=data.get("contact_name") or "",
                    wants_reply=data["wants_reply"],
                )
                at_risk = item.at_risk_on_submit
            request.session["feedback_wants_reply"] = bool(data.get("wants_reply"))
            # Only a yes/no: the thanks page shows crisis numbers, never the words.
            request.session["feedback_at_risk"] = at_risk
            return redirect("feedback:thanks")
    else:
        form = PublicFeedbackForm()
    return render(request, "feedback/form.html", {"form": form})


@never_cache
def feedback_thanks(request):
    return render(
        request,
        "feedback/thanks.html",
        {
            "wants_reply": request.session.pop("feedback_wants_reply", False),
            "at_risk": request.session.pop("feedback_at_risk", False),
        },
    )
