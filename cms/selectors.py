"""Reads for the public site. Every list here runs a fixed number of queries, whatever the number
of pages, objectives or feedback items (tests/cms/test_queries.py holds us to it)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from wagtail.models import Page

from feedback.models import Audience, FeedbackItem, ObjectiveTag, Sentiment, Theme
from portal import disclosure
from portal import selectors as plan_selectors
from portal.models import Objective, Plan, PriorityArea


def published_count(n: int) -> str:
    """A count of people fit to publish on its own, in words: the number ("0" too), or "fewer
    than 5" (the one rule, `portal.disclosure`)."""
    return disclosure.text(disclosure.count(n))


def paginate(items, page_number, *, per_page: int = 20) -> PaginatorPage:
    return Paginator(items, per_page).get_page(page_number)


# --- "You said, we did" ------------------------------------------------------------------------

FILTER_KEYS = ("objective", "area", "theme", "audience", "status", "year")


def yswd_filters_parse(params) -> dict[str, str]:
    """The index filters from the query string; anything unknown or malformed is dropped, so a
    hand-edited URL gives fewer filters, never an error."""
    from .models import ActionStatus

    out: dict[str, str] = {}
    for key in FILTER_KEYS:
        value = (params.get(key) or "").replace("\x00", "").strip()[:80]
        if value:
            out[key] = value
    if out.get("status") not in ActionStatus.values:
        out.pop("status", None)
    if out.get("audience") not in Audience.values:
        out.pop("audience", None)
    if "year" in out and not (out["year"].isdigit() and len(out["year"]) == 4):
        out.pop("year")
    return out


def _yswd_base(index=None) -> QuerySet:
    from .models import YouSaidWeDidFeedback, YouSaidWeDidPage

    qs = YouSaidWeDidPage.objects.live().public()
    if index is not None:
        qs = qs.child_of(index)
    counts = (
        YouSaidWeDidFeedback.objects.filter(page=OuterRef("pk"))
        .order_by()
        .values("page")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        qs.annotate(
            feedback_count=Coalesce(Subquery(counts, output_field=IntegerField()), 0),
        )
        .prefetch_related(
            Prefetch(
                "objectives",
                queryset=Objective.objects.select_related("area__plan").order_by(
                    "area__position", "position", "code"
                ),
            ),
            Prefetch("themes", queryset=Theme.objects.order_by("label")),
        )
        .order_by("-action_date", "-pk")
    )


def yswd_list(*, index=None, filters: dict | None = None, young: bool = False) -> QuerySet:
    """Published updates under the index, newest first, with their objectives, themes and
    feedback counts, filtered as the visitor chose."""
    filters = filters or {}
    qs = _yswd_base(index)
    joined = False
    if filters.get("objective"):
        qs = qs.filter(objectives__code__iexact=filters["objective"])
        joined = True
    if filters.get("area"):
        qs = qs.filter(objectives__area__code__iexact=filters["area"])
        joined = True
    if filters.get("theme"):
        qs = qs.filter(themes__label=filters["theme"])
        joined = True
    if filters.get("audience"):
        qs = qs.filter(feedback_links__item__audience=filters["audience"])
        joined = True
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("year"):
        qs = qs.filter(action_date__year=int(filters["year"]))
    if young:
        qs = qs.exclude(easy_read_summary="")
    return qs.distinct() if joined else qs


def yswd_latest(*, limit: int = 3) -> list:
    return list(_yswd_base()[:limit])


def yswd_filter_options(*, index=None) -> dict:
    """Choices for the index filters: only values some published update actually has."""
    from .models import ActionStatus, YouSaidWeDidPage

    pages = YouSaidWeDidPage.objects.live().public()
    if index is not None:
        pages = pages.child_of(index)
    page_ids = list(pages.values_list("pk", flat=True))
    objectives = list(
        Objective.objects.filter(you_said_we_did_pages__in=page_ids)
        .select_related("area")
        .distinct()
        .order_by("area__plan", "area__position", "position", "code")
    )
    areas = list(
        PriorityArea.objects.filter(objectives__in=[o.pk for o in objectives])
        .distinct()
        .order_by("plan", "position", "code")
    )
    themes = list(Theme.objects.filter(you_said_we_did_pages__in=page_ids).distinct().order_by("label"))
    years = sorted({d.year for d in pages.values_list("action_date", flat=True)}, reverse=True)
    return {
        "objectives": [(o.code, f"{o.code}: {o.title[:70]}") for o in objectives],
        "areas": [(a.code, f"{a.code}: {a.title}") for a in areas],
        "themes": [(t.label, t.label.capitalize()) for t in themes],
        "audiences": [(v, label) for v, label in Audience.choices if v != Audience.UNKNOWN],
        "statuses": list(ActionStatus.choices),
        "years": [(str(y), str(y)) for y in years],
    }


@dataclass
class Quote:
    """A consented, redacted, anonymised quote: text and who said it in general terms only."""

    text: str
    audience: str
    received_at: object


def yswd_detail(page) -> dict:
    """What a "You said, we did" page shows beyond its own fields. Works for the live page and
    for a preview (links and objectives then come from the unsaved revision)."""
    links = list(page.feedback_links.all())
    ids = [link.item_id for link in links if link.item_id]
    wanted = [link.item_id for link in links if link.quote]
    items = (
        {
            i.pk: i
            for i in FeedbackItem.objects.filter(pk__in=ids).only(
                "pk", "audience", "received_at", "redacted_text"
            )
        }
        if ids
        else {}
    )
    # Checked again at render time, by the one quoting rule: consent can be withdrawn, an item
    # flagged, or a youth view hidden by a moderator, after publishing.
    quotable = (
        set(FeedbackItem.objects.quotable().filter(pk__in=wanted).values_list("pk", flat=True))
        if wanted
        else set()
    )
    quotes = [
        Quote(
            text=items[pk].redacted_text,
            audience=items[pk].get_audience_display(),
            received_at=items[pk].received_at,
        )
        for pk in wanted
        if pk in items and pk in quotable
    ]
    audiences = sorted({i.get_audience_display() for i in items.values() if i.audience != Audience.UNKNOWN})
    return {
        "quotes": quotes,
        "feedback_count": published_count(len(ids)),
        "audiences": audiences,
        "answered_objectives": sorted(page.objectives.select_related("area__plan"), key=lambda o: o.code),
        "answered_themes": sorted(page.themes.all(), key=lambda t: t.label),
        "tracker": tracker_page(),
    }


def yswd_for_objectives(objectives) -> list:
    """Published updates that answer any of these objectives."""
    ids = [o.pk for o in objectives]
    return list(_yswd_base().filter(objectives__in=ids).distinct())


def yswd_items_for_page(page) -> list[int]:
    """The feedback item ids a saved page answers (for marking them responded)."""
    return [link.item_id for link in page.feedback_links.all() if link.item_id]


# --- What the editor and the builder check, and replies ----------------------------------------

REFUSAL_MESSAGES = {
    "missing": "Feedback {ids} no longer exists.",
    "safeguarding": "Feedback {ids} may suggest a child is at risk, so it cannot be answered on a "
    "public page.",
    "set_aside": "Feedback {ids} was set aside (spam or no content), so it cannot be answered on a "
    "public page.",
    "not_analysed": "Feedback {ids} has not been analysed yet (its text is not redacted), so it "
    "cannot be answered on a public page yet.",
}


def yswd_items_refused(ids) -> dict[str, list[int]]:
    """Which of these feedback items a public page may not answer, by reason (the rule is
    `cms.models.ANSWERABLE_ITEMS`, the editor's own). One query."""
    ids = sorted({int(i) for i in ids if i})
    if not ids:
        return {}
    rows = {
        pk: (safeguarding, set_aside, state)
        for pk, safeguarding, set_aside, state in FeedbackItem.objects.filter(pk__in=ids).values_list(
            "pk", "safeguarding", "set_aside", "analysis_state"
        )
    }
    refused: dict[str, list[int]] = {}
    for pk in ids:
        if pk not in rows:
            reason = "missing"
        elif rows[pk][0]:
            reason = "safeguarding"
        elif rows[pk][1]:
            reason = "set_aside"
        elif rows[pk][2] != FeedbackItem.AnalysisState.DONE:
            reason = "not_analysed"
        else:
            continue
        refused.setdefault(reason, []).append(pk)
    return refused


def yswd_items_refused_messages(ids) -> list[str]:
    """The refusals as sentences naming the items (#12, #15), for the builder and the editor."""
    return [
        REFUSAL_MESSAGES[reason].format(ids=", ".join(f"#{pk}" for pk in pks))
        for reason, pks in yswd_items_refused(ids).items()
    ]


@dataclass
class LinkRow:
    """One linked feedback item as the editor's lists show it: redacted text only."""

    item_id: int
    quote: bool
    may_quote: bool
    audience: str
    received_at: object
    excerpt: str
    refused: bool


def _link_rows(links) -> list[LinkRow]:
    from django.utils.text import Truncator

    ids = [link.item_id for link in links]
    items = (
        {
            i.pk: i
            for i in FeedbackItem.objects.filter(pk__in=ids).only(
                "pk",
                "audience",
                "received_at",
                "redacted_text",
                "analysis_state",
                "safeguarding",
                "set_aside",
            )
        }
        if ids
        else {}
    )
    quotable = (
        set(FeedbackItem.objects.quotable().filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    )
    rows = []
    for link in links:
        item = items.get(link.item_id)
        rows.append(
            LinkRow(
                item_id=link.item_id,
                quote=link.quote,
                may_quote=link.item_id in quotable,
                audience=item.get_audience_display() if item else "",
                received_at=item.received_at if item else None,
                excerpt=Truncator(item.display_text).words(30) if item else "(deleted)",
                refused=item is None
                or item.safeguarding
                or bool(item.set_aside)
                or item.analysis_state != FeedbackItem.AnalysisState.DONE,
            )
        )
    return rows


def yswd_links_summary(page, *, shown: int = 10) -> dict:
    """The editor's summary of the feedback a page (or its latest revision) answers: how many,
    how many quoted, the first `shown`, what cannot be answered, and how many people wait for a
    reply. A fixed number of queries, whatever the number of links."""
    links = [link for link in page.feedback_links.all() if link.item_id]
    ids = [link.item_id for link in links]
    summary = {
        "count": len(links),
        "quoted": sum(1 for link in links if link.quote),
        "rows": _link_rows(links[:shown]),
        "more": max(0, len(links) - shown),
        "refused": yswd_items_refused_messages(ids),
        "waiting": None,
    }
    if page.pk and page.live:
        from .models import YouSaidWeDidPage

        # Replies go by the published version (the page row), not the draft being edited.
        live = YouSaidWeDidPage.objects.filter(pk=page.pk, live=True).first()
        summary["waiting"] = len(yswd_reply_recipients(live)) if live else None
    return summary


def yswd_links_page(page, number, *, per_page: int = 50) -> dict:
    """One page of the full list of feedback a page's latest revision answers."""
    links = [link for link in page.feedback_links.all() if link.item_id]
    page_obj = paginate(links, number, per_page=per_page)
    return {
        "page_obj": page_obj,
        "rows": _link_rows(list(page_obj.object_list)),
        "count": len(links),
        "refused": yswd_items_refused_messages([link.item_id for link in links]),
    }


REPLY_ACTION = "reply_sent"
REPLY_SUBJECT = "What we did about your feedback"
REPLY_GROUPS = {
    "standard": "Parents, carers, professionals and everyone else",
    "easy_read": "Young people (easy read)",
}


@dataclass
class Recipient:
    """One person to reply to: an address (lower case) and the feedback they left it on."""

    email: str
    items: list[int]
    group: str


def yswd_reply_recipients(page) -> list[Recipient]:
    """Who a reply for this live page would go to now: people who left an email address and
    asked for a reply on feedback the page answers, one per address (a family may give feedback
    more than once, from one address), leaving out anyone already emailed, or being emailed,
    about this page. Young people get the easy read email when the page has easy read text.
    Four queries."""
    from feedback.models import AuditEntry, FeedbackOriginal

    from .models import ReplyRecipient
    from .services import public_url

    ids = yswd_items_for_page(page)
    if not ids:
        return []
    url = public_url(page)
    done = set(
        AuditEntry.objects.filter(item_id__in=ids, action=REPLY_ACTION, changes__page_url=url).values_list(
            "item_id", flat=True
        )
    )
    for items in ReplyRecipient.objects.filter(
        send__page=page,
        send__page_url=url,
        state__in=[ReplyRecipient.State.QUEUED, ReplyRecipient.State.SENDING, ReplyRecipient.State.SENT],
    ).values_list("items", flat=True):
        done.update(items)
    rows = (
        FeedbackOriginal.objects.filter(
            item_id__in=ids, item__wants_reply=True, item__safeguarding=False, purged_at__isnull=True
        )
        .exclude(contact_email="")
        .values_list("item_id", "contact_email", "item__audience")
    )
    people: dict[str, list[tuple[int, str]]] = {}
    for item_id, email, audience in rows:
        people.setdefault(email.strip().lower(), []).append((item_id, audience))
    easy = bool((page.easy_read_summary or "").strip())
    recipients = []
    for email, items in sorted(people.items(), key=lambda kv: min(i for i, _ in kv[1])):
        if any(item_id in done for item_id, _ in items):
            continue
        young = all(audience == Audience.YOUNG_PERSON for _, audience in items)
        recipients.append(
            Recipient(
                email=email,
                items=sorted(i for i, _ in items),
                group="easy_read" if easy and young else "standard",
            )
        )
    return recipients


def yswd_reply_body(page, *, group: str, url: str) -> str:
    """The exact text of the reply email for one group of recipients, from its template. The
    preview shows this, and the send stores and sends this same text."""
    from django.conf import settings
    from django.template.loader import render_to_string
    from django.urls import reverse

    from .models import ActionStatus

    status = page.get_status_display()
    if page.status == ActionStatus.COULD_NOT_DO and page.status_reason:
        status += f". Why: {page.status_reason}"
    template = "cms/email/yswd_reply_easy_read.txt" if group == "easy_read" else "cms/email/yswd_reply.txt"
    return (
        render_to_string(
            template,
            {
                "page": page,
                "status": status,
                "url": url,
                "feedback_url": settings.SITE_BASE_URL.rstrip("/") + reverse("feedback:form"),
            },
        ).strip()
        + "\n"
    )


def yswd_reply_preview(page) -> dict:
    """What the replies screen shows before anything is sent: per group of recipients, how many
    people and the exact email they will get (real template, real page address), plus why
    sending is refused, if it is."""
    from .services import public_url

    url = public_url(page)
    recipients = yswd_reply_recipients(page)
    groups = []
    for key, label in REPLY_GROUPS.items():
        count = sum(1 for r in recipients if r.group == key)
        if count:
            groups.append(
                {
                    "key": key,
                    "label": label,
                    "count": count,
                    "subject": REPLY_SUBJECT,
                    "body": yswd_reply_body(page, group=key, url=url),
                }
            )
    return {
        "url": url,
        "total": len(recipients),
        "groups": groups,
        "problems": list(page.placeholder_errors().values())
        if page.live
        else ["Publish the page first: replies link to the published page."],
    }


def yswd_reply_sends(page) -> list[dict]:
    """Each confirmed send for this page, newest first, with how many people are in each state.
    Two queries."""
    from .models import ReplyRecipient, ReplySend

    sends = list(ReplySend.objects.filter(page=page).select_related("created_by", "stopped_by"))
    counts: dict[int, dict[str, int]] = {}
    for send_id, state, n in (
        ReplyRecipient.objects.filter(send__in=sends)
        .order_by()
        .values_list("send_id", "state")
        .annotate(n=Count("pk"))
    ):
        counts.setdefault(send_id, {})[state] = n
    out = []
    for send in sends:
        c = counts.get(send.pk, {})
        out.append(
            {
                "send": send,
                "total": sum(c.values()),
                **{state.value: c.get(state.value, 0) for state in ReplyRecipient.State},
            }
        )
    return out


def tracker_page():
    from .models import PlanTrackerPage

    return PlanTrackerPage.objects.live().first()


# --- Plan tracker ------------------------------------------------------------------------------


def _counted_tags(objective_ids) -> QuerySet:
    return ObjectiveTag.objects.counted().filter(objective__in=objective_ids)


SENTIMENT_ORDER = (Sentiment.POSITIVE, Sentiment.NEUTRAL, Sentiment.NEGATIVE)
NOT_ANALYSED = ""  # counted (it is part of every total), never shown as a row
_COLUMNS = (*[s.value for s in SENTIMENT_ORDER], NOT_ANALYSED)


@dataclass
class PlanFeedback:
    """Feedback volume and sentiment for a plan's public pages, as they may be shown. Per
    priority area one table, objectives by sentiment, with each objective's total (the tracker,
    the objective page), each sentiment's total for the area and the area's total (the area
    page): a reader can put those pages side by side, so the one disclosure rule
    (`portal.disclosure.table`) is applied to the whole table at once, and every page shows the
    same figures for the same thing."""

    tables: dict[int, disclosure.Table]
    area_of: dict[int, int]

    @property
    def volume_by_objective(self) -> dict[int, str]:
        return {pk: disclosure.text(self.tables[area].row_totals[pk]) for pk, area in self.area_of.items()}

    def objective(self, objective_id: int) -> dict:
        table = self.tables.get(self.area_of.get(objective_id))
        return _summary(table.row(objective_id) if table else disclosure.group(dict.fromkeys(_COLUMNS, 0)))

    def area(self, area_id: int) -> dict:
        table = self.tables.get(area_id)
        return _summary(table.columns() if table else disclosure.group(dict.fromkeys(_COLUMNS, 0)))


def _summary(group: disclosure.Group) -> dict:
    shown = disclosure.is_shown(group.total) and group.total > 0
    sentiments = [
        {
            "label": s.label,
            "value": s.value,
            "count": disclosure.text(group.cells[s.value]),
            "percent": group.share(s.value, digits=0),
        }
        for s in SENTIMENT_ORDER
    ]
    return {
        "total": disclosure.text(group.total),
        "has_enough": shown,
        "sentiments": sentiments if shown else [],
        "fewer_than": disclosure.fewer_than(),
    }


def plan_feedback(plan: Plan) -> PlanFeedback:
    """Volume and sentiment of the feedback tagged (confirmed or suggested, not rejected) to
    each objective and each priority area of a plan, set-aside items excluded, small numbers
    suppressed by the one rule. Three queries, whatever the size of the plan."""
    objectives = dict(Objective.objects.for_plan(plan).values_list("pk", "area_id"))
    tags = _counted_tags(Objective.objects.for_plan(plan).values("pk"))
    by_objective = (
        tags.values("objective_id", "item__sentiment").annotate(n=Count("item_id", distinct=True)).order_by()
    )
    by_area = (
        tags.values("objective__area_id", "item__sentiment")
        .annotate(n=Count("item_id", distinct=True))
        .order_by()
    )
    rows: dict[int, dict[int, dict[str, int]]] = {}
    for pk, area in objectives.items():
        rows.setdefault(area, {})[pk] = dict.fromkeys(_COLUMNS, 0)
    for r in by_objective:
        rows[objectives[r["objective_id"]]][r["objective_id"]][_column(r["item__sentiment"])] += r["n"]
    areas = {area: dict.fromkeys(_COLUMNS, 0) for area in rows}
    for r in by_area:
        areas[r["objective__area_id"]][_column(r["item__sentiment"])] += r["n"]
    tables = {
        area: disclosure.table(cells, column_totals=areas[area], total=sum(areas[area].values()))
        for area, cells in rows.items()
    }
    return PlanFeedback(tables=tables, area_of=objectives)


def _column(sentiment: str | None) -> str:
    return sentiment if sentiment in _COLUMNS else NOT_ANALYSED


def area_get(plan: Plan, code: str) -> dict | None:
    for block in plan_selectors.plan_tree(plan):
        if block["area"].code.lower() == code.lower():
            return block
    return None


def kpis_for_objectives(plan: Plan, objectives) -> list:
    """KPIs linked to these objectives, each with its server-rendered SVG chart."""
    from .charts import kpi_chart_svg

    kpis = list(
        plan_selectors.kpis_with_readings(plan).filter(objectives__in=[o.pk for o in objectives]).distinct()
    )
    for kpi in kpis:
        kpi.chart_svg = kpi_chart_svg(kpi)
    return kpis


# --- News, events, search ----------------------------------------------------------------------


def news_list(index) -> QuerySet:
    from .models import NewsPage

    return NewsPage.objects.live().public().child_of(index).order_by("-date", "-pk")


def events_split(index) -> dict:
    from .models import EventPage

    now = timezone.now()
    events = EventPage.objects.live().public().child_of(index)
    return {
        "upcoming": list(events.filter(starts_at__gte=now).order_by("starts_at")),
        "past": list(events.filter(starts_at__lt=now).order_by("-starts_at")[:20]),
    }


def site_search(query: str) -> list:
    """Public pages matching the query, best first (Wagtail search)."""
    # The SQLite backend wraps each word in double quotes without escaping quotes inside it, so
    # a '"' ends the phrase and the rest is read as FTS5 syntax ('href="data:x' fails with "no
    # such column: data"). Quotes mean nothing to a plain-text search: they become spaces.
    query = query.replace('"', " ").strip()
    if not query:
        return []
    results = Page.objects.live().public().exclude(depth__lte=1).search(query)
    return [r.specific for r in results[:100]]


def newsletter_subject_data(*, emails) -> list[dict]:
    """Newsletter sign-ups for one of these emails, for a subject access export (never the
    link tokens: they would let anyone holding the file change the subscription)."""
    from .models import NewsletterSubscription

    match = Q(pk__in=[])
    for email in emails or ():
        if email:
            match |= Q(email__iexact=email)
    return [
        {
            "email": s.email,
            "newsletter": s.get_audience_display(),
            "asked_at": s.created_at,
            "confirmed_at": s.confirmed_at,
            "unsubscribed_at": s.unsubscribed_at,
        }
        for s in NewsletterSubscription.objects.filter(match).order_by("created_at")
    ]


def yswd_published_counts(*, start, end) -> tuple[int, dict[int, dict[str, int]]]:
    """For the board pack: live "You said, we did" pages first published in [start, end), and
    per linked objective id the pages published before `end` (`total`) and within the period
    (`in_period`). Raw counts: the caller applies the disclosure rule."""
    from .models import YouSaidWeDidPage

    rows = (
        YouSaidWeDidPage.objects.live()
        .filter(first_published_at__lt=end)
        .values("objectives")
        .annotate(
            total=Count("id", distinct=True),
            in_period=Count("id", distinct=True, filter=Q(first_published_at__gte=start)),
        )
        .order_by()
    )
    by_objective = {
        row["objectives"]: {"total": row["total"], "in_period": row["in_period"]}
        for row in rows
        if row["objectives"] is not None
    }
    published = (
        YouSaidWeDidPage.objects.live()
        .filter(first_published_at__gte=start, first_published_at__lt=end)
        .count()
    )
    return published, by_objective
