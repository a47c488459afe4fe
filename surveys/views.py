"""Public answering pages. Views read the request, call services and render; the rules live
in `surveys.services` and `surveys.questions`.

Progress is stored on the server in a draft response; the browser only holds the draft's
token in its session, so a time-out or closed tab never loses answers.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from portal import ratelimit

from . import questions as qs
from . import selectors, services
from .forms import ResumeEmailForm, page_fields
from .models import Response, ResponseStatus, Survey

HONEYPOT = "website"


def _draft_key(survey: Survey) -> str:
    return f"surveys:draft:{survey.pk}"


def _done_key(survey: Survey) -> str:
    return f"surveys:done:{survey.pk}"


def _at_risk_key(survey: Survey) -> str:
    return f"surveys:at-risk:{survey.pk}"


def _invite_key(survey: Survey) -> str:
    return f"surveys:invitation:{survey.pk}"


TOO_MANY_EMAILS = (
    "We have had a lot of requests for emails from your connection. "
    "Copy the link above instead, or try again in an hour."
)


def _client_key(request) -> str:
    return ratelimit.client_key(request)


def _easy(request) -> bool:
    return request.COOKIES.get("easy_read") == "1" or request.GET.get("easy_read") == "1"


def _survey_or_404(slug: str) -> Survey:
    survey = selectors.survey_get_by_slug(slug)
    if survey is None:
        raise Http404("No survey here")
    return survey


def _draft(request, survey: Survey) -> Response | None:
    response = selectors.response_get_by_token(request.session.get(_draft_key(survey), ""))
    if response is None or response.survey_id != survey.pk or response.status != ResponseStatus.DRAFT:
        return None
    return response


def _message(
    request,
    survey: Survey | None,
    title: str,
    body: list[str],
    status: int = 200,
    link: tuple[str, str] | None = None,
):
    return render(
        request,
        "surveys/message.html",
        {"survey": survey, "title": title, "body": body, "link": link},
        status=status,
    )


def _closed(request, survey):
    return _message(
        request,
        survey,
        "This survey is closed",
        [
            "Thank you for wanting to take part. This survey is not taking answers now.",
            "You can still tell us what you think at any time.",
        ],
        link=("/feedback/", "Give feedback"),
    )


def _too_many(request, survey):
    return _message(
        request,
        survey,
        "Please wait before trying again",
        [
            "We have had a lot of answers from your connection in a short time.",
            "Nothing you already answered has been lost. Please try again in an hour.",
        ],
        status=429,
    )


def survey_list(request):
    return render(request, "surveys/list.html", {"surveys": selectors.surveys_open_public()})


@require_http_methods(["GET", "POST"])
def survey_start(request, slug):
    survey = _survey_or_404(slug)
    if not services.survey_accepting(survey):
        return _closed(request, survey)
    draft = _draft(request, survey)
    invitation = services.invitation_find(token=request.session.get(_invite_key(survey), ""))
    if invitation and services.invitation_state(invitation) != "ok":
        invitation = None
    if request.method == "POST":
        if request.POST.get(HONEYPOT):
            return redirect("surveys:done", slug=survey.slug)
        if draft is None:
            if services.invitation_needed(survey, invitation):
                return _invitation_only(request, survey)
            if invitation is None and not services.client_rate_limit_check(
                client_key=_client_key(request), action="start"
            ):
                return _too_many(request, survey)
            user = request.user if request.user.is_authenticated else None
            try:
                draft = services.response_start(survey=survey, invitation=invitation, respondent=user)
            except services.InvitationRequired:
                return _invitation_only(request, survey)
            request.session[_draft_key(survey)] = services.response_token(draft)
            request.session.pop(_done_key(survey), None)
        return redirect(_next_url(draft, after=0))
    if draft is None and services.invitation_needed(survey, invitation):
        return _invitation_only(request, survey)
    return render(
        request,
        "surveys/start.html",
        {
            "survey": survey,
            "draft": draft,
            "easy": _easy(request),
            "already_done": bool(request.session.get(_done_key(survey))) and draft is None,
            "honeypot": HONEYPOT,
        },
    )


def _invitation_only(request, survey):
    return _message(
        request,
        survey,
        "You need an invitation link for this survey",
        [
            "This survey is for people we have invited. Please use the link in your invitation email.",
            "If you think you should have been invited, you can still give us feedback.",
        ],
        link=("/feedback/", "Give feedback"),
    )


def _page_url(response: Response, number: int) -> str:
    return reverse("surveys:page", kwargs={"slug": response.survey.slug, "number": number})


def _check_url(response: Response) -> str:
    return reverse("surveys:check", kwargs={"slug": response.survey.slug})


def _next_url(response: Response, after: int) -> str:
    for number, _questions in qs.visible_pages(response.version.definition, response.answers):
        if number > after:
            return _page_url(response, number)
    return _check_url(response)


def _no_draft(request, survey):
    sent = selectors.response_get_by_token(request.session.get(_draft_key(survey), ""))
    if sent is not None and sent.survey_id == survey.pk and sent.status == ResponseStatus.SUBMITTED:
        # The answers were saved but the session was not (the database went away in between,
        # found by bench/load_surveys.py): tell them it was sent rather than ask them to restart.
        request.session[_done_key(survey)] = sent.pk
    if request.session.get(_done_key(survey)):
        return redirect("surveys:done", slug=survey.slug)
    messages.info(request, "Start the survey here. If you saved your answers, use your resume link.")
    return redirect("surveys:start", slug=survey.slug)


@require_http_methods(["GET", "POST"])
def survey_page(request, slug, number):
    survey = _survey_or_404(slug)
    draft = _draft(request, survey)
    if draft is None:
        return _no_draft(request, survey)
    if not services.survey_accepting(survey):
        return _closed(request, survey)
    definition = draft.version.definition
    visible = qs.visible_pages(definition, draft.answers)
    numbers = [n for n, _ in visible]
    if number not in numbers:
        # A page that does not exist or is hidden by earlier answers: go to the next one shown.
        return redirect(_next_url(draft, after=number - 1 if number > 0 else 0))
    index = numbers.index(number)
    page_questions = visible[index][1]
    changing = request.GET.get("change") == "1"
    errors: dict[str, str] = {}
    raw: dict = {}
    if request.method == "POST":
        values = {}
        for q in page_questions:
            parsed = qs.parse(q, request.POST)
            raw.update(parsed.raw)
            if parsed.error:
                errors[q["key"]] = parsed.error
            else:
                values[q["key"]] = parsed.value
                if q.get("allow_other"):
                    values[f"{q['key']}.other"] = parsed.other or None
        lenient = "save_later" in request.POST or "toggle_easy_read" in request.POST
        if lenient:
            # Keep whatever is valid; the person is leaving this page on purpose.
            services.response_save_answers(response=draft, values=values)
            if "save_later" in request.POST:
                return redirect("surveys:save", slug=survey.slug)
            redirect_to = HttpResponseRedirect(request.get_full_path())
            if _easy(request):
                redirect_to.delete_cookie("easy_read")
            else:
                redirect_to.set_cookie(
                    "easy_read",
                    "1",
                    max_age=365 * 24 * 3600,
                    samesite="Lax",
                    secure=request.is_secure(),
                    httponly=True,
                )
            return redirect_to
        if not errors:
            services.response_save_answers(response=draft, values=values)
            if changing:
                # After a change, go on to any page that the new answer reveals.
                missing = services.response_missing(draft)
                if missing:
                    return redirect(_page_url(draft, missing[0]["page"]))
                return redirect(_check_url(draft))
            return redirect(_next_url(draft, after=number))
    else:
        for q in page_questions:
            raw.update(
                qs.raw_from_value(q, draft.answers.get(q["key"]), draft.answers.get(f"{q['key']}.other", ""))
            )
    easy = _easy(request)
    fields = page_fields(page_questions, raw, errors, easy)
    back = (
        _page_url(draft, numbers[index - 1])
        if index > 0
        else reverse("surveys:start", kwargs={"slug": survey.slug})
    )
    if changing:
        back = _check_url(draft)
    section = page_questions[0].get("section", "")
    return render(
        request,
        "surveys/page.html",
        {
            "survey": survey,
            "fields": fields,
            "single": len(fields) == 1,
            "section": section,
            "errors": errors,
            "easy": easy,
            "back": back,
            "position": index + 1,
            "total": len(numbers),
            "number": number,
            "changing": changing,
            "error_list": [(f["id"], f["error"]) for f in fields if f["error"]],
        },
        status=200,
    )


@require_http_methods(["GET", "POST"])
def survey_check(request, slug):
    survey = _survey_or_404(slug)
    draft = _draft(request, survey)
    if draft is None:
        return _no_draft(request, survey)
    easy = _easy(request)
    error = ""
    if request.method == "POST":
        if request.POST.get(HONEYPOT):
            return redirect("surveys:done", slug=survey.slug)
        if request.POST.get("idempotency_key") != draft.idempotency_key:
            error = "This page was out of date. Check your answers, then send them."
        elif draft.invitation_id is None and not services.client_rate_limit_check(
            client_key=_client_key(request), action="submit"
        ):
            return _too_many(request, survey)
        else:
            try:
                submitted = services.response_submit(response=draft)
            except services.SubmissionRefused as refused:
                return _refused(request, survey, draft, refused)
            request.session.pop(_draft_key(survey), None)
            request.session.pop(_invite_key(survey), None)
            request.session[_done_key(survey)] = submitted.pk
            # Only a yes/no: the done page shows crisis numbers, never the answers.
            request.session[_at_risk_key(survey)] = getattr(submitted, "at_risk_on_submit", False)
            return redirect("surveys:done", slug=survey.slug)
    definition = draft.version.definition
    rows = []
    missing_keys = {q["key"] for q in services.response_missing(draft)}
    for q in qs.visible_questions(definition, draft.answers):
        value = draft.answers.get(q["key"])
        rows.append(
            {
                "question": q.get("easy_text") if easy else q["text"],
                "answer": qs.display(q, value, draft.answers.get(f"{q['key']}.other", ""), easy),
                "missing": q["key"] in missing_keys,
                "key": q["key"],
                "change": _page_url(draft, q["page"]) + "?change=1",
            }
        )
    pages = qs.visible_pages(definition, draft.answers)
    return render(
        request,
        "surveys/check.html",
        {
            "survey": survey,
            "rows": rows,
            "draft": draft,
            "error": error,
            "easy": easy,
            "back": _page_url(draft, pages[-1][0]) if pages else reverse("surveys:start", args=[slug]),
            "missing": bool(missing_keys),
            "honeypot": HONEYPOT,
        },
    )


def _refused(request, survey, draft, refused):
    if refused.reason == "incomplete":
        messages.error(request, "Some questions still need an answer.")
        return redirect(_check_url(draft))
    request.session.pop(_draft_key(survey), None)
    if refused.reason == "invitation_required":
        return _invitation_only(request, survey)
    if refused.reason == "invitation_used":
        return _message(
            request,
            survey,
            "Your answers have already been sent",
            [
                "Your invitation link has already been used to send answers, so we "
                "could not take a second set. Thank you for taking part."
            ],
            link=("/feedback/", "Tell us anything else"),
        )
    if refused.reason == "invitation_expired":
        return _message(
            request,
            survey,
            "Your invitation link has expired",
            [
                "Sorry, the link stopped working before your answers were sent.",
                "Contact the engagement team if you would still like to take part.",
            ],
        )
    return _closed(request, survey)


def survey_done(request, slug):
    survey = _survey_or_404(slug)
    if not request.session.get(_done_key(survey)):
        return redirect("surveys:start", slug=slug)
    return render(
        request,
        "surveys/done.html",
        {
            "survey": survey,
            "easy": _easy(request),
            "at_risk": request.session.pop(_at_risk_key(survey), False),
        },
    )


def _send_resume_link(request, draft: Response, form: ResumeEmailForm) -> tuple[str, int]:
    """Email the resume link; on a limit or a bad address the error goes on the form (which keeps
    what was typed). Returns the address sent to and the page's status."""
    if not services.client_rate_limit_check(client_key=_client_key(request), action="resume-email"):
        form.add_error("email", TOO_MANY_EMAILS)
        return "", 429
    try:
        services.response_resume_email(response=draft, email=form.cleaned_data["email"])
    except ValidationError:
        form.add_error("email", "Enter an email address in the correct format, like name@example.com")
        return "", 200
    return form.cleaned_data["email"], 200


@require_http_methods(["GET", "POST"])
def survey_save(request, slug):
    survey = _survey_or_404(slug)
    draft = _draft(request, survey)
    if draft is None:
        return _no_draft(request, survey)
    form = ResumeEmailForm(request.POST or None)
    sent_to, status = "", 200
    if request.method == "POST" and form.is_valid():
        sent_to, status = _send_resume_link(request, draft, form)
    link = services.response_resume_url(draft)
    return render(
        request,
        "surveys/save.html",
        {
            "survey": survey,
            "form": form,
            "link": link,
            "sent_to": sent_to,
            "continue_url": _next_url(draft, after=0),
            "easy": _easy(request),
        },
        status=status,
    )


def survey_resume(request, token):
    response = selectors.response_get_by_token(token)
    if response is None:
        return _message(
            request,
            None,
            "We could not find your saved answers",
            [
                "The link may be mistyped, or the answers were deleted because they "
                "were not finished for a long time.",
                "You can start the survey again.",
            ],
            link=("/surveys/", "See open surveys"),
        )
    survey = response.survey
    if response.status == ResponseStatus.SUBMITTED:
        return _message(
            request,
            survey,
            "Your answers have already been sent",
            ["Thank you. There is nothing more to do."],
        )
    request.session[_draft_key(survey)] = token
    missing = services.response_missing(response)
    if missing and response.answers:
        return redirect(_page_url(response, missing[0]["page"]))
    if response.answers:
        return redirect(_check_url(response))
    return redirect(_next_url(response, after=0))


def invitation_open(request, token):
    invitation = services.invitation_find(token=token)
    state = services.invitation_state(invitation)
    survey = invitation.survey if invitation else None
    if state == "ok":
        request.session[_invite_key(survey)] = token
        return redirect("surveys:start", slug=survey.slug)
    texts = {
        "used": (
            "This link has already been used",
            [
                "Answers have already been sent using this invitation link. Each link works "
                "once, to keep answers safe.",
                "Thank you for taking part.",
            ],
        ),
        "expired": (
            "This link has expired",
            [
                "Sorry, this invitation link has stopped working.",
                "You can still tell us what you think using our feedback form.",
            ],
        ),
        "closed": ("This survey is closed", ["This survey is not taking answers now."]),
        "unknown": (
            "We do not recognise this link",
            [
                "Check that you copied the whole link from your email.",
                "If it still does not work, you can tell us what you think using our feedback form.",
            ],
        ),
    }
    title, body = texts[state]
    return _message(request, survey, title, body, link=("/feedback/", "Give feedback"))


@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    invitation = services.invitation_find(token=token)
    if invitation is None:
        return _message(
            request,
            None,
            "We do not recognise this link",
            ["Check that you copied the whole link from your email."],
        )
    if request.method == "POST":
        services.invitation_unsubscribe(invitation=invitation)
        return _message(
            request,
            invitation.survey,
            "You will not get any more emails about this survey",
            ["We have taken you off the list for this survey's reminders."],
        )
    return render(request, "surveys/unsubscribe.html", {"survey": invitation.survey})
