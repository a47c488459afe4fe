"""Reads for the youth forum: what a member may see, moderation queues, results, the report.

Other members' views are only ever read through `views_shared`, which returns approved views
with the redacted text of their feedback item and no member details at all.

Every count shown to members (feelings, dots, voters) and in the youth representative's report
(which goes to the board) follows the one small-number rule, `portal.disclosure`: in a forum of
a dozen young people, "1 dot" or "2 members felt worried" can point at someone.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Q, Sum
from django.utils import timezone

from feedback.models import FeedbackItem, ItemTheme
from portal import disclosure

from .models import Dot, Meeting, Member, Prompt, TermsVersion, Topic, View, VoteRound

# Kind explanations a member reads when a moderator did not share their view.
HIDE_EXPLANATIONS = {
    View.HideReason.PERSONAL: "Your view had personal details in it, like a name or a place. "
    "We keep those private to keep everyone safe.",
    View.HideReason.WORRY: "What you wrote made us want to check you are OK. A safe adult from our "
    "team will look at it. You did the right thing by telling us.",
    View.HideReason.UNKIND: "Some words could upset other members. We still read your view and it "
    "still counts.",
    View.HideReason.OFF_TOPIC: "Your view was about something else. We still read it. You can tell "
    "us about anything using the 'Give feedback' page.",
    View.HideReason.OTHER: "We did not share this one with other members. We still read it and it "
    "still counts.",
}


def member_for_user(user) -> Member | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.filter(user=user).first()


def prompts_open():
    return Prompt.objects.filter(status=Prompt.Status.OPEN)


def prompt_get_visible(pk) -> Prompt | None:
    return Prompt.objects.exclude(status=Prompt.Status.DRAFT).filter(pk=pk).first()


def view_for(member: Member, prompt: Prompt) -> View | None:
    return View.objects.filter(member=member, prompt=prompt).first()


def member_views(member: Member):
    return View.objects.filter(member=member).select_related("prompt")


def hide_explanation(view: View) -> str:
    return HIDE_EXPLANATIONS.get(view.hide_reason, HIDE_EXPLANATIONS[View.HideReason.OTHER])


def feedback_items_for_views(views) -> dict[int, object]:
    """{view pk: FeedbackItem} for views that went through the pipeline."""
    views = list(views)
    if not views:
        return {}
    by_ref = {v.source_ref: v.pk for v in views}
    return {
        by_ref[item.source_ref]: item for item in FeedbackItem.objects.filter(source_ref__in=list(by_ref))
    }


def without_feeling(text: str) -> str:
    """Drop the "Feeling: …" line the forum adds for analysis (`services._feedback_text`): the
    feeling is shown as its own picture and word."""
    return re.sub(r"(?:\n\n|^)Feeling: [A-Za-z ]+$", "", text or "").strip()


def _shareable_text(item) -> str:
    """The words other members may read: redacted, analysed, not set aside, not safeguarding."""
    if item is None or item.analysis_state != "done" or item.safeguarding or item.set_aside:
        return ""
    return without_feeling(item.redacted_text)


@dataclass
class SharedView:
    feeling: str
    feeling_label: str
    text: str


def views_shared(prompt: Prompt, *, limit: int = 50) -> list[SharedView]:
    """Approved views on a prompt, for other members: a feeling and redacted words (only when
    the member agreed to share them). Never a name, never unredacted text."""
    views = list(View.objects.filter(prompt=prompt, status=View.Status.APPROVED).order_by("-sent_at")[:limit])
    items = feedback_items_for_views(views)
    shared = []
    for view in views:
        text = _shareable_text(items.get(view.pk)) if view.consent_to_quote else ""
        if text or view.feeling:
            shared.append(SharedView(view.feeling, view.get_feeling_display() if view.feeling else "", text))
    return shared


def _feelings(views) -> tuple[list[tuple[str, str]], int | str | None]:
    """([(feeling, how many in words)], how many views) for these views: one group (no feeling
    is a cell of its own), so no hidden count can be worked out from the others and the total."""
    from .models import Feeling

    counts = Counter(views.values_list("feeling", flat=True))
    shown = disclosure.group(
        {value: counts.get(value, 0) for value in ["", *Feeling.values]}, total=sum(counts.values())
    )
    return [(label, disclosure.text(shown.cells[value])) for value, label in Feeling.choices], shown.total


def feeling_counts(prompt: Prompt) -> list[tuple[str, str]]:
    """How members feel about a prompt, as other members see it: (feeling, count in words)."""
    return _feelings(View.objects.filter(prompt=prompt, status=View.Status.APPROVED))[0]


# --- Voting ------------------------------------------------------------------------------


def rounds_open():
    return VoteRound.objects.filter(status=VoteRound.Status.OPEN).prefetch_related("topics")


def rounds_closed():
    return VoteRound.objects.filter(status=VoteRound.Status.CLOSED).order_by("-closed_at", "-pk")


def round_get_visible(pk) -> VoteRound | None:
    return VoteRound.objects.exclude(status=VoteRound.Status.DRAFT).filter(pk=pk).first()


def member_dots(member: Member, vote_round: VoteRound) -> dict[int, int]:
    return dict(Dot.objects.filter(member=member, round=vote_round).values_list("topic_id", "count"))


@dataclass
class TopicResult:
    topic: Topic
    dots: int | str | None  # as `portal.disclosure` allows: None is "fewer than N"
    percent: int | None  # bar length against the biggest shown; None when the dots are hidden
    rank: int = 0
    words: str = ""  # "12 dots", "fewer than 5 dots", "not shown"


def round_results(vote_round: VoteRound) -> list[TopicResult]:
    """Dots per topic, most first, as members see them. The topics are one group: everyone
    has the same number of dots and most use them all, so the total can be known (voters x
    dots each) and a lone hidden count could be worked out."""
    totals = dict(
        Dot.objects.filter(round=vote_round)
        .values("topic_id")
        .annotate(n=Sum("count"))
        .values_list("topic_id", "n")
    )
    topics = list(vote_round.topics.all())
    shown = disclosure.group({t.pk: totals.get(t.pk, 0) for t in topics})
    # Bars are drawn against the biggest number shown: against a hidden one they would give it away.
    top = max((n for n in shown.cells.values() if disclosure.is_shown(n)), default=0) or 1
    rows = [
        TopicResult(
            t,
            shown.cells[t.pk],
            round(100 * shown.cells[t.pk] / top) if disclosure.is_shown(shown.cells[t.pk]) else None,
            words=disclosure.words(shown.cells[t.pk], "dot"),
        )
        for t in topics
    ]
    rows.sort(key=lambda r: (-totals.get(r.topic.pk, 0), r.topic.sort_order or 0, r.topic.pk))
    for i, row in enumerate(rows, start=1):
        row.rank = i
    return rows


def round_voters(vote_round: VoteRound) -> int | None:
    """How many members voted, as members see it (None: fewer than the threshold)."""
    return disclosure.count(Dot.objects.filter(round=vote_round).values("member").distinct().count())


# --- Meetings and terms ---------------------------------------------------------------------


def meetings_upcoming(now: datetime | None = None):
    return Meeting.objects.filter(starts_at__gte=now or timezone.now()).order_by("starts_at")


def meetings_past(now: datetime | None = None):
    return Meeting.objects.filter(starts_at__lt=now or timezone.now()).order_by("-starts_at")


def terms_published() -> TermsVersion | None:
    return TermsVersion.objects.filter(status=TermsVersion.Status.PUBLISHED).order_by("-number").first()


def terms_history():
    return TermsVersion.objects.filter(
        status__in=[TermsVersion.Status.PUBLISHED, TermsVersion.Status.SUPERSEDED]
    ).order_by("-number")


def terms_draft() -> TermsVersion | None:
    return TermsVersion.objects.filter(status=TermsVersion.Status.DRAFT).order_by("-number").first()


# --- Moderation -----------------------------------------------------------------------------


def members_waiting():
    return Member.objects.filter(approved_at__isnull=True, rejected_at__isnull=True).order_by("created_at")


def members_approved():
    return Member.objects.filter(approved_at__isnull=False, rejected_at__isnull=True)


def views_waiting():
    return View.objects.filter(status=View.Status.SENT).select_related("prompt").order_by("sent_at")


@dataclass
class ModerationRow:
    view: View
    item: object | None
    text: str
    safeguarding: bool


def moderation_rows(views) -> list[ModerationRow]:
    """What moderators see: the redacted text from the feedback pipeline (the engagement team
    never reads original text; only the safeguarding lead does, in the feedback admin)."""
    views = list(views)
    items = feedback_items_for_views(views)
    rows = []
    for view in views:
        item = items.get(view.pk)
        if item is None:
            text = "(not yet in the feedback pipeline)"
        elif item.analysis_state != "done":
            text = "(waiting for redaction)"
        else:
            text = without_feeling(item.redacted_text)
        rows.append(ModerationRow(view, item, text, bool(item and item.safeguarding)))
    return rows


@dataclass
class CommentRow:
    comment: object
    text: str
    safeguarding: bool


def comment_rows(comments) -> list[CommentRow]:
    """Comments on draft terms as moderators see them: the redacted text of the feedback item
    each comment became (`youthforum.termscomment:<pk>`), like views. Moderators never read
    what a member typed; a worrying comment goes to the safeguarding lead."""
    comments = list(comments)
    items = {}
    if comments:
        refs = {f"youthforum.termscomment:{c.pk}": c.pk for c in comments}
        items = {refs[i.source_ref]: i for i in FeedbackItem.objects.filter(source_ref__in=list(refs))}
    rows = []
    for comment in comments:
        item = items.get(comment.pk)
        if item is None:
            text = "(not yet in the feedback pipeline)"
        elif item.analysis_state != "done":
            text = "(waiting for redaction)"
        else:
            text = item.redacted_text
        rows.append(CommentRow(comment, text, bool(item and item.safeguarding)))
    return rows


# --- Data protection ---------------------------------------------------------------------------


def member_subject_data(*, user=None, emails=()) -> dict:
    """What the youth forum holds about one person, for a subject access export.

    - Their own membership (when `user` is a member): profile, consent records, every view and
      comment they wrote, their dots.
    - Memberships that give one of `emails` as the contact (a parent, carer or worker): the
      young person's nickname and age band, and the consent requests sent to that address with
      the name typed when agreeing. The young person's own views are theirs, not the contact's,
      so they are not included.
    Also returns `feedback_refs`: the feedback items the member's words became.
    """
    out: dict = {"membership": None, "contact_for_members": [], "feedback_refs": []}
    member = Member.objects.filter(user=user).first() if user is not None and user.pk else None
    if member is not None:
        views = list(member.views.select_related("prompt").order_by("created_at"))
        comments = list(member.terms_comments.select_related("version").order_by("created_at"))
        out["membership"] = {
            "id": member.pk,
            "nickname": member.nickname,
            "age_band": member.get_age_band_display(),
            "contact_email": member.contact_email,
            "joined_with": member.get_joined_with_display(),
            "joined_at": member.created_at,
            "consent_given_at": member.consent_given_at,
            "approved_at": member.approved_at,
            "rejected_at": member.rejected_at,
            "consent_requests": [_consent_row(c) for c in member.consents.order_by("created_at")],
            "views": [
                {
                    "question": v.prompt.question,
                    "words": v.words,
                    "feeling": v.get_feeling_display(),
                    "others_may_read": v.consent_to_quote,
                    "helped_by": v.get_helped_by_display(),
                    "status": v.get_status_display(),
                    "sent_at": v.sent_at,
                    "why_not_shared": hide_explanation(v) if v.status == View.Status.HIDDEN else "",
                }
                for v in views
            ],
            "comments_on_terms": [
                {"version": c.version.number, "text": c.text, "written_at": c.created_at} for c in comments
            ],
            "dots": [
                {"vote": d.round.title, "topic": d.topic.title, "dots": d.count}
                for d in Dot.objects.filter(member=member).select_related("round", "topic")
            ],
        }
        out["feedback_refs"] = [v.source_ref for v in views] + [
            f"youthforum.termscomment:{c.pk}" for c in comments
        ]
    for other in members_with_contact_email(emails).exclude(pk=getattr(member, "pk", None)):
        out["contact_for_members"].append(
            {
                "member_id": other.pk,
                "nickname": other.nickname,
                "age_band": other.get_age_band_display(),
                "contact_email": other.contact_email,
                "consent_requests": [
                    _consent_row(c)
                    for c in other.consents.order_by("created_at")
                    if c.email.lower() in {e.lower() for e in emails}
                ],
            }
        )
    return out


def _consent_row(consent) -> dict:
    return {
        "email": consent.email,
        "wording_version": consent.wording_version,
        "sent_at": consent.sent_at,
        "agreed_at": consent.confirmed_at,
        "name_given": consent.confirmed_name,
        "expired_at": consent.expired_at,
    }


def members_with_contact_email(emails):
    """Members whose contact (the person sign-in links and consent requests go to) is one of
    these emails, whatever the case."""
    match = Q()
    for email in emails or ():
        if email:
            match |= Q(contact_email__iexact=email)
    return Member.objects.filter(match) if match else Member.objects.none()


# --- The youth representative's report -------------------------------------------------------


@dataclass
class Report:
    """What the report shows: counts as `portal.disclosure` allows (None is "fewer than N"),
    feelings and themes with their counts already in words."""

    since: datetime
    until: datetime
    views: int | str | None = 0
    members: int | None = 0
    themes: list[tuple[str, str]] = field(default_factory=list)
    feelings: list[tuple[str, str]] = field(default_factory=list)
    priorities: list[tuple[VoteRound, list[TopicResult]]] = field(default_factory=list)
    quotes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def members_words(self) -> str:
        return disclosure.words(self.members, "member")

    @property
    def young_people_words(self) -> str:
        return disclosure.words(self.members, "young person", "young people")

    @property
    def views_words(self) -> str:
        return disclosure.words(self.views, "view")


def representation_report(*, since: datetime, until: datetime, quotes: int = 8) -> Report:
    """What the youth representative takes to the improvement board: top themes and priorities
    this period in young people's own words. Quotes are only ever the redacted text of approved
    views whose items may be quoted (`feedback.models.quotable_q`). Counts follow the one
    small-number rule (`portal.disclosure`): the report goes to the board."""
    sent = View.objects.filter(sent_at__gte=since, sent_at__lt=until).exclude(status=View.Status.DRAFT)
    members = sent.values("member").distinct().count()
    report = Report(since=since, until=until, members=disclosure.count(members))
    report.feelings, report.views = _feelings(sent)
    views = list(sent.exclude(status=View.Status.HIDDEN).select_related("prompt"))
    items = feedback_items_for_views(views)
    usable = [
        i for i in items.values() if i.analysis_state == "done" and not i.safeguarding and not i.set_aside
    ]
    if usable:
        counts = Counter(ItemTheme.objects.filter(item__in=usable).values_list("theme__label", flat=True))
        report.themes = [
            (label, disclosure.words(disclosure.count(n), "view")) for label, n in counts.most_common(5)
        ]
    # The feedback app's one quoting rule decides (it also knows what the moderator decided).
    quotable = (
        set(
            FeedbackItem.objects.quotable()
            .filter(pk__in=[i.pk for i in items.values()])
            .values_list("pk", flat=True)
        )
        if items
        else set()
    )
    for view in views:
        item = items.get(view.pk)
        text = without_feeling(item.redacted_text) if item is not None else ""
        if item is not None and item.pk in quotable and view.status == View.Status.APPROVED and text:
            report.quotes.append((view.prompt.easy_read_question, text))
        if len(report.quotes) >= quotes:
            break
    for vote_round in VoteRound.objects.filter(
        status=VoteRound.Status.CLOSED, closed_at__gte=since, closed_at__lt=until
    ):
        report.priorities.append((vote_round, round_results(vote_round)[:3]))
    return report
