"""Reads for board packs: everything a pack shows, computed from the platform in a fixed number
of aggregate queries (grouped in SQL by objective, period, sentiment, channel …), so building a
pack costs the same number of queries for 1,000 or 100,000 feedback items.

`board_pack_compute()` returns plain JSON-ready data with small numbers already suppressed by
the one disclosure rule (`portal.disclosure`: a count is an int, None for "fewer than N", or
"not shown" where it would give a hidden one away); `boardpacks.services.board_pack_build()`
stores it as a versioned snapshot. KPI readings, targets and percentages are not counts of
people and are never suppressed as if they were.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Length, RowNumber

import cms.selectors
from feedback.models import (
    Audience,
    Channel,
    FeedbackItem,
    Locality,
    ObjectiveTag,
    SafeguardingAlert,
    Sentiment,
    quotable_q,
)
from portal import disclosure
from portal.models import Plan, Rating
from portal.models.plan import DIRECTION_ARROWS, RATING_MEANINGS, Direction
from portal.roles import Role, user_has_role
from portal.selectors import kpis_with_readings, objectives_with_history
from surveys.models import Answer, Invitation, Question, Response, ResponseStatus, Survey, SurveyStatus
from surveys.questions import default_positive

from . import conf
from .models import BoardPack
from .periods import Period, trend_periods

logger = logging.getLogger(__name__)

SENTIMENTS = [Sentiment.NEGATIVE.value, Sentiment.NEUTRAL.value, Sentiment.POSITIVE.value]
NOT_ANALYSED = "not_analysed"
SENTIMENT_LABELS = {**{s.value: s.label for s in Sentiment}, NOT_ANALYSED: "Not yet analysed"}
RATING_ORDER = {Rating.RED: 0, Rating.AMBER: 1, Rating.GREEN: 2, Rating.BLUE: 3}
ON_TRACK_RATINGS = {Rating.GREEN, Rating.BLUE}
PLAN_AUDIENCES = [Audience.PARENT_CARER, Audience.YOUNG_PERSON, Audience.PROFESSIONAL]
QUOTE_MAX_CHARS = 400


# ---------------------------------------------------------------------------------------------
# Who may read packs, and listing them
# ---------------------------------------------------------------------------------------------

READER_ROLES = (Role.BOARD_MEMBER, Role.ENGAGEMENT_TEAM, Role.ADMINISTRATOR)
BUILDER_ROLES = (Role.ENGAGEMENT_TEAM, Role.ADMINISTRATOR)


def may_read_packs(user) -> bool:
    return bool(user and user.is_authenticated and user_has_role(user, *READER_ROLES))


def may_build_packs(user) -> bool:
    return bool(user and user.is_authenticated and user_has_role(user, *BUILDER_ROLES))


def board_pack_list() -> QuerySet[BoardPack]:
    return BoardPack.objects.select_related("plan").defer("data")


def board_pack_get(pk: int) -> BoardPack | None:
    return BoardPack.objects.select_related("plan").filter(pk=pk).first()


def board_pack_previous(*, plan: Plan, period: Period) -> BoardPack | None:
    """The newest version of the latest pack that ended before this period began."""
    return (
        BoardPack.objects.filter(plan=plan, period_end__lt=period.start)
        .order_by("-period_end", "-period_start", "-version")
        .first()
    )


# ---------------------------------------------------------------------------------------------
# The pack
# ---------------------------------------------------------------------------------------------


def board_pack_compute(*, plan: Plan, period: Period) -> dict:
    """Everything in a pack for one plan and period, as plain data (small numbers suppressed)."""
    threshold = disclosure.threshold()
    previous = period.previous()
    trend = trend_periods(period, conf.trend_periods())
    objectives = list(objectives_with_history(plan))
    objective_ids = [o.pk for o in objectives]

    grid = _feedback_grid(trend)
    headline = _headline(period, grid, len(trend) - 1, threshold)
    tag_counts = _objective_counts(objective_ids, trend)
    themes = _objective_themes(objective_ids, period)
    quotes = _objective_quotes(objective_ids, period)
    survey_results = _survey_results(plan, objective_ids, period, threshold)
    kpis = _kpis(plan, period)
    overall_trend = _overall_sentiment_trend(trend, grid, threshold)
    yswd, yswd_by_objective = _you_said_we_did(period, objective_ids, threshold)
    representation = _representation(period, headline.pop("_raw"), threshold)

    areas: dict[int, dict] = {}
    objectives_out = []
    for objective in objectives:
        block = areas.setdefault(
            objective.area_id,
            {
                "code": objective.area.code,
                "title": objective.area.title,
                "objectives": [],
            },
        )
        row = _objective_row(
            objective,
            period,
            previous,
            trend,
            tag_counts,
            themes,
            quotes,
            survey_results["by_objective"],
            threshold,
        )
        row["you_said_we_did"] = yswd_by_objective.get(objective.pk)
        block["objectives"].append(row)
        objectives_out.append(row)

    gaps = [
        {"code": o["code"], "title": o["title"], "area": o["area"]}
        for o in objectives_out
        if o["volume"]["raw_zero"]
    ]
    overdue = [o for o in objectives_out if o["overdue"]]
    previous_pack = board_pack_previous(plan=plan, period=period)
    data = {
        "schema": 1,
        "title": f"{plan.title}: board pack for {period.label()}",
        "plan": {"code": plan.code, "title": plan.title},
        "period": period.as_dict(),
        "previous_period": previous.as_dict(),
        "trend_periods": [p.as_dict() for p in trend],
        "threshold": threshold,
        "fewer_than": disclosure.fewer_than(threshold),
        "headline": {
            **headline,
            "surveys": survey_results["surveys"],
            "objectives": len(objectives_out),
            "objectives_with_feedback": len(objectives_out) - len(gaps),
            "overdue_objectives": len(overdue),
            "you_said_we_did": {**yswd, "feedback_responded": headline["responded"]},
        },
        "overall_trend": overall_trend,
        "areas": list(areas.values()),
        "kpis": kpis,
        "survey_kpis": survey_results["kpi_questions"],
        "gaps": gaps,
        "overdue": [
            {
                "code": o["code"],
                "title": o["title"],
                "deadline": o["deadline"],
                "rating": o["rating"]["current_label"],
            }
            for o in overdue
        ],
        "representation": representation,
        "previous_pack": (
            {
                "id": previous_pack.pk,
                "version": previous_pack.version,
                "period": previous_pack.data.get("period"),
            }
            if previous_pack
            else None
        ),
    }
    data["changes"] = _changes(data, previous_pack.data if previous_pack else None, kpis, period)
    for row in objectives_out:
        row["volume"].pop("raw_zero")
    return data


# ---------------------------------------------------------------------------------------------
# Headline: feedback this period and last, safeguarding counts
# ---------------------------------------------------------------------------------------------


def _live_items() -> QuerySet[FeedbackItem]:
    return FeedbackItem.objects.filter(set_aside="")


def _period_counts(periods: list[Period], field: str, extra: dict | None = None) -> dict:
    """Conditional aggregation: one COUNT(... FILTER period i) per period, so the GROUP BY is on
    plain columns only. (Grouping by a CASE bucket made PostgreSQL misjudge the number of
    groups and sort 100,000 rows on disk instead of hashing a few hundred groups.)"""
    counts = {}
    for i, p in enumerate(periods):
        start, end = p.bounds()
        counts[f"n{i}"] = Count("id", filter=Q(**{f"{field}__gte": start, f"{field}__lt": end}))
    return {**counts, **(extra or {})}


def _unpivot(rows, periods: list[Period], keys: tuple[str, ...], this_only: tuple[str, ...]) -> list[dict]:
    """Rows with n0…n5 columns back into one row per period (and `this_only` counts, which are
    for the pack's own period, on that period's row)."""
    out = []
    last = len(periods) - 1
    for row in rows:
        for i in range(len(periods)):
            if row[f"n{i}"]:
                out.append(
                    {
                        "bucket": i,
                        **{k: row[k] for k in keys},
                        "n": row[f"n{i}"],
                        **{k: (row[k] if i == last else 0) for k in this_only},
                    }
                )
    return out


def _feedback_grid(trend: list[Period]) -> list[dict]:
    """All live feedback in the trend window, counted by period, channel, audience, locality
    and sentiment in one pass: the headline, the overall trend and representativeness all
    come from it."""
    start, _ = trend[0].bounds()
    _, end = trend[-1].bounds()
    this_start, this_end = trend[-1].bounds()
    keys = ("channel", "audience", "locality", "sentiment")
    rows = (
        _live_items()
        .filter(received_at__gte=start, received_at__lt=end)
        .values(*keys)
        .annotate(
            **_period_counts(
                trend,
                "received_at",
                {
                    "responded": Count(
                        "id",
                        filter=Q(
                            status=FeedbackItem.Status.RESPONDED,
                            received_at__gte=this_start,
                            received_at__lt=this_end,
                        ),
                    ),
                },
            )
        )
        .order_by()
    )
    return _unpivot(rows, trend, keys, ("responded",))


def _headline(period: Period, grid: list[dict], this_index: int, threshold: int) -> dict:
    start, end = period.bounds()
    by_channel: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_audience: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_locality: dict[str, int] = defaultdict(int)
    totals = [0, 0]
    responded = 0
    for row in grid:
        if row["bucket"] not in (this_index, this_index - 1):
            continue
        slot = 1 if row["bucket"] == this_index else 0
        totals[slot] += row["n"]
        by_channel[row["channel"]][slot] += row["n"]
        by_audience[row["audience"]][slot] += row["n"]
        if slot:
            by_locality[row["locality"]] += row["n"]
            responded += row["responded"]

    def groups(counts, choices) -> tuple[disclosure.Group, disclosure.Group]:
        # Each period's column is shown with its total (the feedback received): one group each.
        return tuple(
            disclosure.group({k: counts[k][slot] for k, _ in choices}, threshold=threshold) for slot in (1, 0)
        )

    def table(counts, choices, this, last):
        return [
            {"key": k, "label": str(label), "this": this.cells[k], "last": last.cells[k]}
            for k, label in choices
            if counts[k][0] or counts[k][1]
        ]

    channel_this, channel_last = groups(by_channel, Channel.choices)
    audience_this, audience_last = groups(by_audience, Audience.choices)

    # Alerts are counted against the period their feedback was received in (an alert is raised
    # by the analysis minutes later); "closed" is how many of those are closed now.
    alerts = SafeguardingAlert.objects.filter(
        item__received_at__gte=start, item__received_at__lt=end
    ).aggregate(raised=Count("id"), closed=Count("id", filter=Q(state=SafeguardingAlert.State.CLOSED)))
    # Raised and closed are shown, so the alerts still open are too (raised - closed).
    alert_group = disclosure.group(
        {"closed": alerts["closed"], "open": alerts["raised"] - alerts["closed"]}, threshold=threshold
    )
    return {
        "feedback": {"this": channel_this.total, "last": channel_last.total},
        "by_channel": table(by_channel, Channel.choices, channel_this, channel_last),
        "by_audience": table(by_audience, Audience.choices, audience_this, audience_last),
        "safeguarding": {"raised": alert_group.total, "closed": alert_group.cells["closed"]},
        "responded": disclosure.count(responded, threshold),
        "_raw": {
            "audience": {k: v[1] for k, v in by_audience.items()},
            "locality": dict(by_locality),
            "total": totals[1],
        },
    }


def _you_said_we_did(period: Period, objective_ids: list[int], threshold: int) -> tuple[dict, dict]:
    """Published "You said, we did" pages: in the period, and per objective up to its end.
    Counts of public pages (anyone can count them on the site), not of people: not suppressed."""
    start, end = period.bounds()
    published, by_objective = cms.selectors.yswd_published_counts(start=start, end=end)
    per_objective = {
        objective_id: {"total": counts["total"], "in_period": counts["in_period"]}
        for objective_id, counts in by_objective.items()
        if objective_id in objective_ids
    }
    return {"pages_published": published, "available": True}, per_objective


# ---------------------------------------------------------------------------------------------
# Per objective
# ---------------------------------------------------------------------------------------------


def _counted_tags(objective_ids: list[int]) -> QuerySet[ObjectiveTag]:
    return ObjectiveTag.objects.counted().filter(objective_id__in=objective_ids)


def _objective_counts(objective_ids: list[int], trend: list[Period]) -> dict:
    """{(objective_id, period index, sentiment): {"n", "confirmed", "responded"}} in one query
    (confirmed and responded for the pack's own period only)."""
    start, _ = trend[0].bounds()
    _, end = trend[-1].bounds()
    this_start, this_end = trend[-1].bounds()
    in_this = Q(item__received_at__gte=this_start, item__received_at__lt=this_end)
    rows = (
        _counted_tags(objective_ids)
        .filter(item__received_at__gte=start, item__received_at__lt=end)
        .values("objective_id", "item__sentiment")
        .annotate(
            **_period_counts(
                trend,
                "item__received_at",
                {
                    "confirmed": Count("id", filter=in_this & Q(state=ObjectiveTag.State.CONFIRMED)),
                    "responded": Count("id", filter=in_this & Q(item__status=FeedbackItem.Status.RESPONDED)),
                },
            )
        )
        .order_by()
    )
    out = {}
    for row in _unpivot(rows, trend, ("objective_id", "item__sentiment"), ("confirmed", "responded")):
        sentiment = row["item__sentiment"] or NOT_ANALYSED
        key = (row["objective_id"], row["bucket"], sentiment)
        slot = out.setdefault(key, {"n": 0, "confirmed": 0, "responded": 0})
        for field in ("n", "confirmed", "responded"):
            slot[field] += row[field]
    return out


def _objective_themes(objective_ids: list[int], period: Period) -> dict[int, list[tuple[str, int]]]:
    start, end = period.bounds()
    rows = (
        _counted_tags(objective_ids)
        .filter(item__received_at__gte=start, item__received_at__lt=end, item__item_themes__isnull=False)
        .values("objective_id", label=F("item__item_themes__theme__label"))
        .annotate(n=Count("id"))
        .order_by()
    )
    out: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for row in rows:
        out[row["objective_id"]].append((row["label"], row["n"]))
    for value in out.values():
        value.sort(key=lambda t: (-t[1], t[0]))
    return out


def _objective_quotes(objective_ids: list[int], period: Period) -> dict[int, list[dict]]:
    """Up to three quotes per objective showing the range of views: the best negative, neutral
    and positive item where each exists (then second-best ones). "Best" prefers tags staff
    confirmed, then readable lengths, then the most recent; never the loudest by volume.
    Only items the one quoting rule allows (`feedback.models.quotable_q`: consent, redacted,
    never safeguarding or an alert, and a youth view only once a moderator approved it), applied
    in the same join as the ranking."""
    start, end = period.bounds()
    per_sentiment = conf.quotes_per_objective()
    rows = (
        ObjectiveTag.objects.counted()
        .filter(
            quotable_q("item"),
            objective_id__in=objective_ids,
            item__received_at__gte=start,
            item__received_at__lt=end,
            item__sentiment__in=SENTIMENTS,
        )
        .exclude(item__redacted_text="")
        .alias(text_len=Length("item__redacted_text"))
        .annotate(
            unconfirmed=Case(
                When(state=ObjectiveTag.State.CONFIRMED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            unreadable=Case(
                When(Q(text_len__gte=30, text_len__lte=QUOTE_MAX_CHARS), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("objective_id"), F("item__sentiment")],
                order_by=[
                    F("unconfirmed").asc(),
                    F("unreadable").asc(),
                    F("item__received_at").desc(),
                    F("item_id").desc(),
                ],
            )
        )
        .filter(rank__lte=per_sentiment)
        .values(
            "objective_id",
            "rank",
            "item_id",
            "item__sentiment",
            "item__redacted_text",
            "item__audience",
            "item__received_at",
        )
        .order_by()
    )
    candidates: dict[int, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        candidates[row["objective_id"]][row["item__sentiment"]].append(row)
    out: dict[int, list[dict]] = {}
    for objective_id, by_sentiment in candidates.items():
        for rows_ in by_sentiment.values():
            rows_.sort(key=lambda r: r["rank"])
        picked = []
        for depth in range(per_sentiment):
            for sentiment in SENTIMENTS:
                options = by_sentiment.get(sentiment, [])
                if depth < len(options) and len(picked) < per_sentiment:
                    picked.append(options[depth])
        out[objective_id] = [_quote(r) for r in picked]
    return out


def _quote(row: dict) -> dict:
    text = row["item__redacted_text"].strip()
    if len(text) > QUOTE_MAX_CHARS:
        text = text[: QUOTE_MAX_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return {
        "item": row["item_id"],
        "text": text,
        "sentiment": row["item__sentiment"],
        "sentiment_label": SENTIMENT_LABELS[row["item__sentiment"]],
        "audience": str(Audience(row["item__audience"]).label)
        if row["item__audience"] in Audience.values
        else "",
        "month": row["item__received_at"].strftime("%B %Y"),
    }


def _rating_at(objective, day: date):
    chosen = None
    for entry in objective.ratings.all():  # prefetched, ordered by date
        if entry.as_of <= day:
            chosen = entry
    return chosen


def _objective_row(objective, period, previous, trend, counts, themes, quotes, surveys, threshold) -> dict:
    now_rating = _rating_at(objective, period.end)
    before_rating = _rating_at(objective, previous.end)
    current = now_rating.rating if now_rating else None
    before = before_rating.rating if before_rating else None
    if current is None:
        change = "none"
    elif before is None:
        change = "new"
    elif current == before:
        change = "same"
    elif current in RATING_ORDER and before in RATING_ORDER:
        change = "up" if RATING_ORDER[current] > RATING_ORDER[before] else "down"
    else:
        change = "changed"
    this_index, last_index = len(trend) - 1, len(trend) - 2
    categories = [*SENTIMENTS, NOT_ANALYSED]

    def counts_for(index):
        return {s: counts.get((objective.pk, index, s), {}).get("n", 0) for s in categories}

    total = sum(counts_for(this_index).values())
    confirmed = sum(counts.get((objective.pk, this_index, s), {}).get("confirmed", 0) for s in categories)
    responded = sum(counts.get((objective.pk, this_index, s), {}).get("responded", 0) for s in categories)
    # Each period's sentiments are shown with that period's total: one group per period, and
    # this period's (and the last) are the same groups as the trend's last rows.
    groups = [disclosure.group(counts_for(i), threshold=threshold) for i in range(len(trend))]
    this, last = groups[this_index], groups[last_index]
    trend_rows = [
        {"label": p.short_label(), "total": g.total, **{s: g.cells[s] for s in categories}}
        for p, g in zip(trend, groups, strict=True)
    ]
    overdue = bool(
        objective.deadline and objective.deadline <= period.end and current not in ON_TRACK_RATINGS
    )
    top = [
        {"label": label, "count": disclosure.count(n, threshold)}
        for label, n in themes.get(objective.pk, [])[: conf.top_themes()]
    ]
    return {
        "code": objective.code,
        "slug": objective.url_code.replace(":", "_").lower(),
        "title": objective.title,
        "area": objective.area.code,
        "deadline": objective.deadline.isoformat() if objective.deadline else None,
        "rating": {
            "current": current,
            "current_label": Rating(current).label if current else "Not rated",
            "meaning": RATING_MEANINGS.get(current, "") if current else "",
            "as_of": now_rating.as_of.isoformat() if now_rating else None,
            "previous": before,
            "previous_label": Rating(before).label if before else "Not rated",
            "change": change,
        },
        "volume": {
            "this": this.total,
            "last": last.total,
            "confirmed": disclosure.count(confirmed, threshold),
            "raw_zero": total == 0,
        },
        "sentiment": {
            "counts": dict(this.cells),
            # Shares of the feedback analysed so far: hidden unless that sum can be shown.
            "shares": this.shares(SENTIMENTS),
            "analysed": this.subtotal(SENTIMENTS),
        },
        "trend": trend_rows,
        "has_trend": any(sum(counts_for(i).values()) for i in range(len(trend))),
        "themes": top,
        "quotes": quotes.get(objective.pk, []),
        "surveys": surveys.get(objective.pk, []),
        "responded": disclosure.count(responded, threshold),
        "overdue": overdue,
        "kpis": [k.code for k in objective.kpis.all()],
    }


def _overall_sentiment_trend(trend: list[Period], grid: list[dict], threshold: int) -> list[dict]:
    counts: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys([*SENTIMENTS, NOT_ANALYSED], 0))
    for row in grid:
        counts[row["bucket"]][row["sentiment"] or NOT_ANALYSED] += row["n"]
    out = []
    for i, p in enumerate(trend):
        g = disclosure.group(counts[i], threshold=threshold)
        out.append({"label": p.short_label(), "total": g.total, **g.cells, "shares": g.shares(SENTIMENTS)})
    return out


# ---------------------------------------------------------------------------------------------
# Surveys: response rates, and results of questions linked to objectives and KPIs
# ---------------------------------------------------------------------------------------------


def _count_subquery(qs) -> Coalesce:
    return Coalesce(
        Subquery(
            qs.order_by().values("survey").annotate(c=Count("pk")).values("c")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def _question_spec(question: Question) -> dict:
    return {
        "kind": question.kind,
        "scale_points": question.scale_points,
        "positive": [v.strip() for v in question.positive_values.splitlines() if v.strip()],
    }


def _survey_results(plan: Plan, objective_ids: list[int], period: Period, threshold: int) -> dict:
    start, end = period.bounds()
    submitted = Response.objects.filter(survey=OuterRef("pk"), status=ResponseStatus.SUBMITTED)
    surveys = (
        Survey.objects.exclude(status=SurveyStatus.DRAFT)
        .filter(Q(opens_at__isnull=True) | Q(opens_at__lt=end))
        .filter(Q(closes_at__isnull=True) | Q(closes_at__gte=start))
        .annotate(
            in_period=_count_subquery(submitted.filter(submitted_at__gte=start, submitted_at__lt=end)),
            n_invitations=_count_subquery(
                Invitation.objects.filter(survey=OuterRef("pk"), created_at__lt=end)
            ),
            invited=_count_subquery(submitted.filter(invitation__isnull=False, submitted_at__lt=end)),
        )
        .order_by("title")
    )
    survey_rows = []
    for s in surveys:
        if s.status != SurveyStatus.OPEN and not s.in_period:
            continue
        survey_rows.append(
            {
                "title": s.title,
                "audience": s.get_audience_display(),
                "responses": disclosure.count(s.in_period, threshold),
                "invitations": disclosure.count(s.n_invitations, threshold),
                "rate": (
                    disclosure.share(min(s.invited, s.n_invitations), s.n_invitations, threshold)
                    if s.n_invitations
                    else None
                ),
            }
        )

    questions = list(
        Question.objects.filter(Q(objectives__in=objective_ids) | Q(kpi__plan=plan))
        .distinct()
        .select_related("survey", "kpi")
        .prefetch_related("objectives")
        .order_by("survey_id", "sort_order")
    )
    specs = {}
    for q in questions:
        spec = _question_spec(q)
        if default_positive(spec):
            specs[(q.survey_id, q.key)] = (q, set(default_positive(spec)))
    tallies: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0])
    if specs:
        rows = (
            Answer.objects.filter(
                survey_id__in={k[0] for k in specs},
                question_key__in={k[1] for k in specs},
                response__status=ResponseStatus.SUBMITTED,
                response__submitted_at__gte=start,
                response__submitted_at__lt=end,
            )
            .values("survey_id", "question_key", "value")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            key = (row["survey_id"], row["question_key"])
            if key not in specs:
                continue
            good_values = specs[key][1]
            value = row["value"]
            values = (
                list(value.values())
                if isinstance(value, dict)
                else (value if isinstance(value, list) else [value])
            )
            for v in values:
                tallies[key][1] += row["n"]
                tallies[key][0] += row["n"] if str(v) in good_values else 0
    by_objective: dict[int, list[dict]] = defaultdict(list)
    kpi_questions = []
    for key, (q, _) in specs.items():
        good, answered = tallies[key]
        result = {
            "survey": q.survey.title,
            "question": q.text,
            "answered": disclosure.count(answered, threshold),
            "good_share": disclosure.share(good, answered, threshold),
            "kpi": q.kpi.name if q.kpi_id else None,
            "kpi_code": q.kpi.code if q.kpi_id else None,
            "kpi_target": float(q.kpi.target_value) if q.kpi_id and q.kpi.target_value is not None else None,
            "kpi_unit": q.kpi.unit if q.kpi_id else "",
        }
        for objective in q.objectives.all():
            if objective.pk in objective_ids:
                by_objective[objective.pk].append(result)
        if q.kpi_id:
            kpi_questions.append(result)
    return {"surveys": survey_rows, "by_objective": by_objective, "kpi_questions": kpi_questions}


# ---------------------------------------------------------------------------------------------
# KPIs
# ---------------------------------------------------------------------------------------------


def _num(value) -> float | None:
    return float(value) if value is not None else None


def _kpis(plan: Plan, period: Period) -> list[dict]:
    """Baseline, latest reading up to the end of the period, target and direction of travel
    (the same rule as KPI.direction, applied to the readings known at the period end)."""
    out = []
    for kpi in kpis_with_readings(plan):
        readings = [r for r in kpi.readings.all() if r.date <= period.end]
        latest = readings[-1] if readings else None
        prior = readings[-2].value if len(readings) > 1 else kpi.baseline_value
        if latest is None or prior is None:
            direction = Direction.UNKNOWN
        else:
            change = Decimal(latest.value) - Decimal(prior)
            direction = (
                Direction.NO_CHANGE
                if change == 0
                else Direction.IMPROVING
                if (change > 0) == kpi.higher_is_better
                else Direction.WORSENING
            )
        out.append(
            {
                "code": kpi.code,
                "name": kpi.name,
                "unit": kpi.unit,
                "higher_is_better": kpi.higher_is_better,
                "baseline": _num(kpi.baseline_value),
                "baseline_label": kpi.baseline_label,
                "baseline_date": kpi.baseline_date.isoformat() if kpi.baseline_date else None,
                "latest": _num(latest.value) if latest else None,
                "latest_date": latest.date.isoformat() if latest else None,
                "latest_label": latest.label if latest else "",
                "latest_in_period": bool(latest and period.start <= latest.date <= period.end),
                "target": _num(kpi.target_value),
                "target_date": kpi.target_date.isoformat() if kpi.target_date else None,
                "direction": str(direction),
                "direction_label": str(Direction(direction).label),
                "arrow": DIRECTION_ARROWS[direction],
                "objectives": [o.code for o in kpi.objectives.all()],
                "slug": kpi.code.lower(),
            }
        )
    return out


# ---------------------------------------------------------------------------------------------
# Representativeness, and what changed
# ---------------------------------------------------------------------------------------------


def _representation(period: Period, raw: dict, threshold: int) -> dict:
    """Who was heard (feedback and survey responses this period) against the groups the plan
    serves, flagging a group that is missing or gives a small share of the voices."""
    start, end = period.bounds()
    responses = dict(
        Response.objects.filter(
            status=ResponseStatus.SUBMITTED, submitted_at__gte=start, submitted_at__lt=end
        )
        .values_list("audience")
        .annotate(n=Count("id"))
        .order_by()
    )
    minimum = conf.minimum_share()
    fewer = disclosure.fewer_than(threshold)
    # Each column is shown with its total (feedback this period; survey responses this period,
    # which the surveys table adds up to), so each is one group; shares are of the groups the
    # plan serves (the total less "not known" / "not given", which is shown too).
    fb_audience = disclosure.group(
        {a: raw["audience"].get(a, 0) for a in Audience.values}, threshold=threshold
    )
    localities = [(loc.value, loc.label) for loc in (Locality.NORTH, Locality.CENTRAL, Locality.SOUTH)]
    fb_locality = disclosure.group(
        {loc: raw["locality"].get(loc, 0) for loc in Locality.values}, threshold=threshold
    )
    sv_audience = disclosure.group({**{a.value: 0 for a in PLAN_AUDIENCES}, **responses}, threshold=threshold)

    def rows(
        feedback: tuple[dict, disclosure.Group], survey: tuple[dict, disclosure.Group] | None, choices
    ) -> list[dict]:
        keys = [k for k, _ in choices]
        columns = [feedback] + ([survey] if survey is not None else [])
        total = sum(counts.get(k, 0) for counts, _ in columns for k in keys)
        shares = [g.shares(keys) for _, g in columns]
        out = []
        for key, label in choices:
            heard = sum(counts.get(key, 0) for counts, _ in columns)
            if heard == 0:
                flag = "Not heard this period"
            elif disclosure.is_small(heard, threshold):
                flag = f"Very few voices ({fewer})"
            elif all(disclosure.is_shown(g.cells[key]) for _, g in columns) and heard / total < minimum:
                # Only from numbers the pack shows: a share of hidden ones would give them away.
                flag = f"Under {round(minimum * 100)}% of the voices heard"
            else:
                flag = ""
            out.append(
                {
                    "key": key,
                    "label": str(label),
                    "feedback": feedback[1].cells[key],
                    "feedback_share": shares[0][key],
                    "responses": survey[1].cells[key] if survey is not None else None,
                    "responses_share": shares[1][key] if survey is not None else None,
                    "flag": flag,
                }
            )
        return out

    audience = rows(
        (raw["audience"], fb_audience), (responses, sv_audience), [(a.value, a.label) for a in PLAN_AUDIENCES]
    )
    locality = rows((raw["locality"], fb_locality), None, localities)
    return {
        "audience": audience,
        "locality": locality,
        "locality_not_given": fb_locality.cells[""],
        "audience_not_known": fb_audience.cells[Audience.UNKNOWN],
        "missing": [r["label"] for r in audience + locality if r["flag"]],
    }


def _changes(data: dict, previous: dict | None, kpis: list[dict], period: Period) -> list[str]:
    """Plain sentences for "What changed since the last pack". Compared with the previous pack
    when there is one (what the board was told), otherwise with the previous period."""
    changes = []
    before_ratings = {}
    before_gaps = None
    if previous:
        for area in previous.get("areas", []):
            for o in area["objectives"]:
                before_ratings[o["code"]] = (o["rating"]["current"], o["rating"]["current_label"])
        before_gaps = {g["code"] for g in previous.get("gaps", [])}
    for area in data["areas"]:
        for o in area["objectives"]:
            r = o["rating"]
            old, old_label = before_ratings.get(o["code"], (r["previous"], r["previous_label"]))
            if r["current"] and old != r["current"]:
                changes.append(
                    f"{o['code']}: {_rating_change(old_label if old else None, r['current_label'])}."
                )
    if before_gaps is not None:
        now_gaps = {g["code"] for g in data["gaps"]}
        newly = sorted(now_gaps - before_gaps)
        filled = sorted(before_gaps - now_gaps)
        if newly:
            changes.append("No feedback this period (but some last time): " + ", ".join(newly) + ".")
        if filled:
            changes.append("Feedback heard again: " + ", ".join(filled) + ".")
    for k in kpis:
        if k["latest_in_period"]:
            changes.append(
                f"{k['name']}: new reading {k['latest']:g}{_unit(k['unit'])} "
                f"({k['direction_label'].lower()})."
            )
    this, last = data["headline"]["feedback"]["this"], data["headline"]["feedback"]["last"]
    if this is not None and last is not None and this != last:
        word = "up" if this > last else "down"
        changes.append(f"Feedback received: {this} this period, {word} from {last} in the period before.")
    return changes


def _unit(unit: str) -> str:
    return "%" if unit == "%" else f" {unit}" if unit else ""


def _rating_change(old: str | None, new: str) -> str:
    return f"first rated {new}" if old is None else f"rating {old} → {new}"
