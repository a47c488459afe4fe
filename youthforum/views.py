"""Member pages of the youth forum. Views parse the request, call selectors and services, and
render; the rules live in `youthforum.services`.

No page times out and every form keeps what was typed when it has an error.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from portal import disclosure, ratelimit

from . import conf, selectors, services
from .forms import ConsentForm, JoinForm, LeaveForm, SignInForm, TermsCommentForm, ViewForm
from .models import Prompt, VoteRound

YOUNG_YSWD_URL = "/you-said-we-did/?view=young"


def _post(request):
    """The POST data with NUL bytes removed, so re-rendered values are clean too; None on GET."""
    if request.method != "POST":
        return None
    data = request.POST.copy()
    for key in list(data.keys()):
        data.setlist(key, [v.replace("\x00", "") for v in data.getlist(key)])
    return data


TOO_MANY = "We have had a lot of requests from your connection. Please try again in an hour."


def _client_key(request) -> str:
    return ratelimit.client_key(request)


def _error_list(exc: ValidationError) -> list[str]:
    return list(exc.messages)


def _int_or_404(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("Not found") from None


def member_required(view_func):
    """Pages for members who may take part (approved, and with consent if under 16). Anyone
    else gets a kind page that says what happens next, never an error."""

    @wraps(view_func)
    def wrapper(request, *args, **kwargs):
        member = selectors.member_for_user(request.user)
        if member is None:
            return render(request, "youthforum/not_member.html", status=403)
        if not member.can_take_part:
            return render(request, "youthforum/waiting.html", {"member": member}, status=403)
        request.member = member
        return view_func(request, *args, **kwargs)

    return wrapper


def index(request):
    member = selectors.member_for_user(request.user)
    context = {"member": member, "yswd_url": YOUNG_YSWD_URL}
    if member is not None and member.can_take_part:
        views = {v.prompt_id: v for v in selectors.member_views(member)}
        context.update(
            prompts=[(p, views.get(p.pk)) for p in selectors.prompts_open()],
            rounds=list(selectors.rounds_open()),
            closed_rounds=list(selectors.rounds_closed()[:3]),
            meetings=list(selectors.meetings_upcoming()[:2]),
        )
    return render(request, "youthforum/index.html", context)


@require_http_methods(["GET", "POST"])
def join(request):
    if selectors.member_for_user(request.user) is not None:
        return redirect("youthforum:index")
    if request.user.is_authenticated:
        return render(request, "youthforum/not_member.html", {"signed_in_other": True}, status=403)
    form = JoinForm(_post(request))
    if request.method == "POST" and form.is_valid():
        if not services.client_rate_limit_check(client_key=_client_key(request), action="join"):
            form.add_error(None, TOO_MANY)
            return render(request, "youthforum/join.html", {"form": form}, status=429)
        data = form.cleaned_data
        try:
            member = services.member_join(
                nickname=data["nickname"],
                age_band=data["age_band"],
                contact_email=data["contact_email"],
                joined_with=data.get("joined_with") or "",
            )
        except ValidationError as exc:
            form.add_error(None, "; ".join(_error_list(exc)))
        else:
            login(request, member.user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("youthforum:joined")
    return render(request, "youthforum/join.html", {"form": form})


def joined(request):
    member = selectors.member_for_user(request.user)
    if member is None:
        return redirect("youthforum:join")
    return render(request, "youthforum/waiting.html", {"member": member, "just_joined": True})


@require_http_methods(["GET", "POST"])
def consent(request, token):
    record = services.consent_from_token(token)
    if record is None:
        return render(
            request,
            "youthforum/message.html",
            {
                "title": "This link does not work",
                "body": [
                    f"The link may be old or already used. Links work for {conf.consent_expiry_days()} days.",
                    "The young person can ask to join again.",
                ],
            },
            status=404,
        )
    if record.confirmed_at is not None:
        return render(
            request,
            "youthforum/message.html",
            {
                "title": "Thank you, you already said yes",
                "body": [f"You agreed on {record.confirmed_at:%d %B %Y}. There is nothing else to do."],
            },
        )
    form = ConsentForm(_post(request))
    if request.method == "POST" and form.is_valid():
        agreed = form.cleaned_data["answer"] == "yes"
        try:
            services.consent_confirm(consent=record, name=form.cleaned_data["name"], agreed=agreed)
        except ValidationError as exc:
            form.add_error(None, "; ".join(_error_list(exc)))
        else:
            if agreed:
                return render(
                    request,
                    "youthforum/message.html",
                    {
                        "title": "Thank you for saying yes",
                        "body": [
                            "We have recorded that you agreed, and the date.",
                            "A forum moderator will now check the request. Then they can take part.",
                        ],
                    },
                )
            return render(
                request,
                "youthforum/message.html",
                {
                    "title": "We have deleted their details",
                    "body": ["You said no. We have deleted everything they told us."],
                },
            )
    return render(
        request,
        "youthforum/consent.html",
        {"form": form, "record": record, "wording": conf.CONSENT_WORDING[record.wording_version]},
    )


@require_http_methods(["GET", "POST"])
def sign_in(request):
    form = SignInForm(_post(request))
    if request.method == "POST" and form.is_valid():
        if not services.client_rate_limit_check(client_key=_client_key(request), action="sign_in"):
            form.add_error(None, TOO_MANY)
            return render(request, "youthforum/sign_in.html", {"form": form}, status=429)
        services.sign_in_links_request(email=form.cleaned_data["email"])
        return render(
            request,
            "youthforum/message.html",
            {
                "title": "Check your email",
                "body": [
                    "If that email belongs to a forum member, we have sent a sign-in link to it.",
                    "The link works once. Ask your parent, carer or worker if you cannot find it.",
                ],
            },
        )
    return render(request, "youthforum/sign_in.html", {"form": form})


@require_http_methods(["GET", "POST"])
def sign_in_link(request, token):
    member = services.member_from_sign_in_token(token)
    if member is None:
        return render(
            request,
            "youthforum/message.html",
            {
                "title": "This sign-in link does not work",
                "body": ["It may be old or already used.", "You can ask for a new link."],
                "link": ("/youth-forum/sign-in/", "Get a new sign-in link"),
            },
            status=404,
        )
    if request.method == "POST":
        # A button press, not the GET, signs in: email scanners that open links use them up otherwise.
        services.member_sign_in_used(member=member)
        login(request, member.user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("youthforum:index")
    return render(request, "youthforum/sign_in_link.html", {"member": member})


@member_required
@require_http_methods(["GET", "POST"])
def prompt(request, pk):
    item = selectors.prompt_get_visible(_int_or_404(pk))
    if item is None:
        raise Http404("No question here")
    member = request.member
    view = selectors.view_for(member, item)
    editable = item.status == Prompt.Status.OPEN and (view is None or view.status == "draft")
    sending = "send" in request.POST
    form = ViewForm(_post(request), initial=ViewForm.initial_from(view), sending=sending)
    if request.method == "POST" and editable and form.is_valid():
        data = form.cleaned_data
        try:
            saved = services.view_save(
                member=member,
                prompt=item,
                words=data["words"],
                feeling=data["feeling"],
                consent_to_quote=data["consent_to_quote"],
                helped_by=data["helped_by"],
                send=sending,
            )
        except ValidationError as exc:
            for key, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                form.add_error(key if key in form.fields else None, errors)
        else:
            if saved.status == "draft":
                messages.success(request, "Saved. Your answer is private until you send it.")
                return redirect("youthforum:prompt", pk=item.pk)
            messages.success(request, "Thank you. We got your answer. A moderator will check it soon.")
            # Only a yes/no: "My views" shows crisis numbers once, never because of the words.
            request.session["youthforum_signpost"] = "strong" if saved.at_risk_on_submit else "general"
            return redirect("youthforum:my_views")
    return render(
        request,
        "youthforum/prompt.html",
        {
            "prompt": item,
            "view": view,
            "form": form,
            "editable": editable,
            "shared": selectors.views_shared(item),
            "feelings": selectors.feeling_counts(item),
        },
    )


@member_required
def my_views(request):
    views = [
        (v, selectors.hide_explanation(v) if v.status == "hidden" else "")
        for v in selectors.member_views(request.member)
    ]
    return render(
        request,
        "youthforum/my_views.html",
        {
            "views": views,
            "signpost": request.session.pop("youthforum_signpost", ""),
        },
    )


def _parse_dots(request, vote_round: VoteRound) -> tuple[dict[int, int], dict[int, int]]:
    allocation, raw = {}, {}
    for topic in vote_round.topics.all():
        value = request.POST.get(f"topic-{topic.pk}", "0")
        try:
            count = int(str(value).replace("\x00", "").strip() or 0)
        except ValueError:
            count = -1
        raw[topic.pk] = count
        allocation[topic.pk] = count
    return allocation, raw


@member_required
@require_http_methods(["GET", "POST"])
def vote(request, pk):
    vote_round = selectors.round_get_visible(_int_or_404(pk))
    if vote_round is None:
        raise Http404("No vote here")
    if vote_round.status == VoteRound.Status.CLOSED:
        return render(
            request,
            "youthforum/results.html",
            {
                "round": vote_round,
                "results": selectors.round_results(vote_round),
                "voters": disclosure.words(selectors.round_voters(vote_round), "member"),
            },
        )
    current = selectors.member_dots(request.member, vote_round)
    error = ""
    if request.method == "POST":
        allocation, current = _parse_dots(request, vote_round)
        try:
            services.dots_place(member=request.member, vote_round=vote_round, allocation=allocation)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request, "Thank you. Your dots are saved. You can change them until voting closes."
            )
            return redirect("youthforum:vote", pk=vote_round.pk)
    topics = [(t, current.get(t.pk, 0)) for t in vote_round.topics.all()]
    return render(
        request,
        "youthforum/vote.html",
        {
            "round": vote_round,
            "topics": topics,
            "error": error,
            "choices": list(range(vote_round.dots_per_member + 1)),
        },
        status=400 if error else 200,
    )


@member_required
def meetings(request):
    return render(
        request,
        "youthforum/meetings.html",
        {
            "upcoming": selectors.meetings_upcoming(),
            "past": selectors.meetings_past(),
            "yswd_url": YOUNG_YSWD_URL,
        },
    )


@member_required
def meeting(request, pk):
    from .models import Meeting

    item = Meeting.objects.filter(pk=_int_or_404(pk)).first()
    if item is None:
        raise Http404("No meeting here")
    return render(request, "youthforum/meeting.html", {"meeting": item, "yswd_url": YOUNG_YSWD_URL})


def terms(request):
    """The published terms of reference and their history. Public: they are the forum's rules."""
    return render(
        request,
        "youthforum/terms.html",
        {
            "current": selectors.terms_published(),
            "history": selectors.terms_history(),
            "draft": selectors.terms_draft(),
            "member": selectors.member_for_user(request.user),
        },
    )


@member_required
@require_http_methods(["GET", "POST"])
def terms_draft(request):
    draft = selectors.terms_draft()
    if draft is None:
        return redirect("youthforum:terms")
    form = TermsCommentForm(_post(request), initial={"helped_by": ""})
    if request.method == "POST" and form.is_valid():
        try:
            services.terms_comment_add(
                member=request.member,
                version=draft,
                text=form.cleaned_data["text"],
                helped_by=form.cleaned_data["helped_by"],
            )
        except ValidationError as exc:
            form.add_error(None, "; ".join(exc.messages))
        else:
            messages.success(request, "Thank you. The forum team will read your comment.")
            return redirect("youthforum:terms_draft")
    return render(request, "youthforum/terms_draft.html", {"draft": draft, "form": form})


@member_required
def report(request):
    """The youth representative's report in easy read, for members: what the forum told the
    board this period. Only consented, redacted words."""
    from datetime import timedelta

    from django.utils import timezone

    until = timezone.now()
    data = selectors.representation_report(since=until - timedelta(days=90), until=until)
    return render(request, "youthforum/report.html", {"report": data})


@require_http_methods(["GET", "POST"])
def leave(request):
    member = selectors.member_for_user(request.user)
    if member is None:
        return render(request, "youthforum/not_member.html", status=403)
    form = LeaveForm(_post(request))
    if request.method == "POST" and form.is_valid():
        services.member_leave(member=member)
        logout(request)
        return render(
            request,
            "youthforum/message.html",
            {
                "title": "You have left the youth forum",
                "body": [
                    "We have deleted your details and everything you wrote.",
                    "Thank you for taking part. You can join again at any time.",
                ],
                "link": ("/youth-forum/", "Back to the youth forum"),
            },
        )
    return render(request, "youthforum/leave.html", {"form": form, "member": member})
